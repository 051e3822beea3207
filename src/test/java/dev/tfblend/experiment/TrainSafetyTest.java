package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.cli.TfBlendCommand;
import dev.tfblend.io.OutputDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Issue 11: a diverged or interrupted {@code train} leaves an honest record and no debris. */
class TrainSafetyTest {
  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Finding 10: a diverged train exits 1, records why in result.json, and exports no model. */
  @Test
  void finding10ADivergedTrainFailsAndExportsNoModel() throws IOException {
    Path out = tmp.resolve("diverged");
    assertEquals(1, run("train", "--optimizer", "sgd", "--set", "lr=1e9", "--epochs", "2",
        "--set", "data.source=blobs", "--out", out.toString()), err.toString());
    assertTrue(err.toString().contains("training diverged: non-finite training loss"), err.toString());
    JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertTrue(r.get("stop_reason").asText().startsWith("non-finite training loss"), r.toString());
    assertEquals(List.of(OutputDir.MARKER, "manifest.json", "result.json", "tensorboard"), names(out),
        "the run's record and its TensorBoard logs, no model");
  }

  /** Finding 12: SIGTERM while an output is staged removes the hidden staging directory. */
  @Test
  void finding12AnInterruptedRunLeavesNoPartialDirectory() throws Exception {
    Path out = tmp.resolve("run");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StagedForever.class.getName(), out.toString())
        .redirectErrorStream(true);
    Process p = pb.start();
    String first = new String(p.getInputStream().readNBytes("staged\n".length()), StandardCharsets.UTF_8);
    assertEquals("staged\n", first);
    assertEquals(1, names(tmp).size(), "the staging directory exists while the run works");
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(List.of(), names(tmp));
  }

  /** A child process that stages {@code args[0]}, writes a file, says so, and waits to be killed. */
  static final class StagedForever {
    public static void main(String[] args) throws Exception {
      OutputDir dir = OutputDir.stage(Path.of(args[0]), "train", false);
      Files.writeString(dir.path().resolve("result.json"), "{}");
      System.out.print("staged\n");
      System.out.flush();
      Thread.sleep(120_000);
    }
  }
}
