package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tf-blend train} end to end on the small synthetic {@code blobs} data. */
class TrainCommandTest {
  @TempDir Path tmp;
  private StringWriter out;
  private StringWriter err;

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  @Test
  void quietRunWritesItsTensorBoardLogsWithTheResultsValues() throws Exception {
    Path dir = tmp.resolve("quiet");
    assertEquals(0, run("train", "-q", "--optimizer", "blended", "--epochs", "2", "--set", "data.source=blobs",
        "--set", "model.layers=40,16,10", "--out", dir.toString()), err.toString());
    assertEquals("", err.toString(), "-q prints no progress");
    JsonNode r = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
    assertTrue(r.at("/params/total_steps").isIntegralNumber() && r.at("/params/gate_hidden").isIntegralNumber(),
        "counts are JSON integers: " + r.get("params"));
    assertEquals(0.01, r.at("/params/adam_lr").doubleValue());
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertEquals(64, manifest.at("/effective_params/total_steps").intValue());
    assertTrue(manifest.at("/effective_params/total_steps").isIntegralNumber());
    try (Stream<Path> files = Files.list(dir.resolve("tensorboard"))) {
      List<Path> events = files.toList();
      assertEquals(1, events.size(), events.toString());
      assertTrue(events.get(0).getFileName().toString().startsWith("events.out.tfevents."));
    }
    String env = System.getenv("TFBLEND_PYTHON");
    String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    Path script = tmp.resolve("read_events.py");
    try (java.io.InputStream in = getClass().getResourceAsStream("/dev/tfblend/tensorboard/read_events.py")) {
      Files.copy(in, script);
    }
    Process p;
    try {
      p = new ProcessBuilder(python, script.toString(), dir.resolve("tensorboard").toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      System.err.println("TrainCommandTest: TensorBoard read-back skipped: no Python 3 at " + python);
      return;
    }
    String json = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), json);
    JsonNode tb = new ObjectMapper().readTree(json);
    JsonNode val = tb.get("scalars").get("loss/validation");
    assertEquals(3, val.size());
    for (int e = 0; e < 3; e++) {
      assertEquals(e, val.get(e).get(0).asInt());
      assertEquals((float) r.at("/epochs/" + e + "/val_loss").asDouble(), (float) val.get(e).get(1).asDouble(), 0f);
    }
    JsonNode alpha = tb.get("scalars").get("alpha/step");
    JsonNode trace = r.at("/alpha_trace/per_step");
    assertEquals(trace.size(), alpha.size(), "alpha at every step");
    assertEquals((float) trace.get(trace.size() - 1).asDouble(),
        (float) alpha.get(alpha.size() - 1).get(1).asDouble(), 0f);
    assertTrue(tb.at("/texts/hyperparameters/0/1/0").asText().contains("| adam_lr | 0.01 |") && tb.at("/texts/hyperparameters/0/1/0").asText().contains("| total_steps | 64 |"), tb.toString());
  }

  @Test
  void writesResultManifestAndSavedModel() throws IOException {
    Path dir = tmp.resolve("run");
    assertEquals(0, run("train", "--optimizer", "adam", "--epochs", "2", "--set", "data.source=blobs",
        "--set", "lr=0.01", "--out", dir.toString()), err.toString());
    JsonNode r = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
    assertEquals(List.of("optimizer", "params", "seed", "epochs", "test_loss", "test_accuracy",
        "steps_per_second", "wall_seconds"), fieldNames(r));
    assertEquals(0.01, r.at("/params/lr").asDouble());
    assertEquals(3, r.get("epochs").size());
    assertEquals(List.of("epoch", "train_loss", "val_loss", "val_accuracy"), fieldNames(r.get("epochs").get(0)));
    assertTrue(r.get("test_accuracy").asDouble() > 0.5, r.toString());
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertEquals("blobs", m.at("/config/data/source").asText());
    assertEquals("1.1.0", m.at("/build/tensorflow_java").asText());
    assertTrue(Files.exists(dir.resolve("saved-model/saved_model.pb")));
    assertTrue(Files.exists(dir.resolve("saved-model/manifest.json")));
    assertTrue(err.toString().contains("epoch   2/2"), err.toString());
  }

  @Test
  void sameSeedGivesIdenticalFiguresAndJsonModePrintsOneObjectPerEpoch() throws IOException {
    String[] base = {"train", "--optimizer", "sgd", "--epochs", "2", "--seed", "4", "--set", "data.source=blobs", "--json"};
    List<JsonNode> results = new ArrayList<>();
    for (String name : new String[] {"a", "b"}) {
      String[] args = Stream.concat(Stream.of(base), Stream.of("--out", tmp.resolve(name).toString())).toArray(String[]::new);
      assertEquals(0, run(args), err.toString());
      String[] lines = out.toString().strip().split("\n");
      assertEquals(3, lines.length, out.toString());
      assertEquals(2, new ObjectMapper().readTree(lines[2]).get("epoch").asInt());
      assertEquals("", err.toString().strip());
      results.add(new ObjectMapper().readTree(tmp.resolve(name).resolve("result.json").toFile()));
    }
    assertEquals(results.get(0).get("epochs"), results.get(1).get("epochs"));
    assertEquals(results.get(0).get("test_loss"), results.get(1).get("test_loss"));
    assertEquals(results.get(0).get("test_accuracy"), results.get(1).get("test_accuracy"));
  }

  private void assertBadInput(String expectedInMessage, Path outDir, String... args) throws IOException {
    assertEquals(2, run(args), err.toString());
    assertTrue(err.toString().contains(expectedInMessage), err.toString());
    assertFalse(Files.exists(outDir), outDir + " should not exist");
    try (Stream<Path> left = Files.list(outDir.getParent())) {
      assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".partial-")), "staging left behind");
    }
  }

  @Test
  void badInputExitsTwoNamingTheProblemAndLeavesNoOutput() throws IOException {
    Path dir = tmp.resolve("bad");
    assertBadInput("rmsprop", dir, "train", "--optimizer", "rmsprop", "--out", dir.toString());
    assertBadInput("lrate", dir, "train", "--set", "lrate=0.1", "--out", dir.toString());
    assertBadInput("epochs", dir, "train", "--epochs", "0", "--out", dir.toString());
    assertBadInput("batch_size", dir, "train", "--batch-size", "-5", "--out", dir.toString());
    assertBadInput("model.layers", dir, "train", "--set", "data.source=blobs", "--set", "model.layers=30,10",
        "--out", dir.toString());
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    Path under = file.resolve("run");
    assertEquals(2, run("train", "--set", "data.source=blobs", "--epochs", "1", "--out", under.toString()), err.toString());
    assertTrue(err.toString().contains(under.toString()) || err.toString().contains("a-file"), err.toString());
  }
}
