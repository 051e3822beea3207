package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.data.Batches;
import dev.tfblend.export.GateExporter;
import dev.tfblend.meta.GateWeights;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tf-blend train --optimizer blended} end to end on the small {@code blobs} data. */
class TrainBlendedCommandTest {
  @TempDir static Path shared;
  /** A gradient-stats run and a flat-gradients run of one epoch on the default model. */
  static Path statsRun;
  static Path flatRun;

  @TempDir Path tmp;
  private StringWriter out;
  private StringWriter err;

  private static int exec(StringWriter o, StringWriter e, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(o, true));
    cl.setErr(new PrintWriter(e, true));
    return cl.execute(args);
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return exec(out, err, args);
  }

  @BeforeAll
  static void trainTwoGates() {
    statsRun = shared.resolve("stats");
    flatRun = shared.resolve("flat");
    StringWriter e = new StringWriter();
    assertEquals(0, exec(new StringWriter(), e, "train", "--optimizer", "blended", "--gate-input", "gradient-stats",
        "--epochs", "2", "--set", "data.source=blobs", "--set", "meta_lr=0.01", "--quiet",
        "--out", statsRun.toString()), e.toString());
    assertEquals(0, exec(new StringWriter(), e, "train", "--optimizer", "blended", "--epochs", "1",
        "--set", "data.source=blobs", "--quiet", "--out", flatRun.toString()), e.toString());
  }

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  @Test
  void blendedRunWritesTheAlphaTraceAndTheGate() throws IOException {
    JsonNode r = json(statsRun.resolve("result.json"));
    assertEquals("blended", r.get("optimizer").asText());
    int trainRows = json(statsRun.resolve("manifest.json")).at("/data_sizes/train").asInt();
    int perEpoch = Batches.numBatches(trainRows, 32);
    assertEquals(2.0 * perEpoch, r.at("/params/total_steps").asDouble(), "total_steps = epochs x batches");
    JsonNode trace = r.get("alpha_trace");
    assertEquals(2 * perEpoch, trace.get("per_step").size());
    assertEquals(2, trace.get("per_epoch").size());
    assertEquals(perEpoch, trace.at("/per_epoch/1/steps").asInt());
    double min = trace.at("/per_epoch/0/min").asDouble();
    double max = trace.at("/per_epoch/0/max").asDouble();
    assertTrue(0 < min && min < max && max < 1, trace.get("per_epoch").toString());
    assertFalse(r.has("step_outputs"), "alpha is not written twice");
    assertEquals(2 * perEpoch, r.at("/update_norms_per_step/adam").size());
    assertEquals(2 * perEpoch, r.at("/update_norms_per_step/sgd").size());
    assertEquals("gradient-stats", json(statsRun.resolve("manifest.json")).at("/blend/gate_input").asText());
    assertTrue(Files.exists(statsRun.resolve("saved-model/saved_model.pb")));

    assertEquals(0, run("gate", "--model", statsRun.resolve("gate").toString(), "--describe"), err.toString());
    JsonNode d = new ObjectMapper().readTree(out.toString());
    assertEquals("gate", d.at("/signature/key").asText());
    assertEquals("gradient-stats", d.at("/manifest/input_mode").asText());
    assertEquals(9, d.at("/manifest/input_size").asInt());
    assertEquals(2, d.at("/manifest/run/config/epochs").asInt());

    JsonNode flat = json(flatRun.resolve("gate/manifest.json"));
    assertEquals("flat-gradients", flat.get("input_mode").asText());
    assertEquals(15210, flat.get("input_size").asInt());
    assertEquals("[40,100,100,10]", flat.at("/features/model/layers").toString());
  }

  @Test
  void frozenGateRunsRepeatTheGatesScheduleAndKeepTheGate() throws IOException {
    Path gate = statsRun.resolve("gate");
    JsonNode[] traces = new JsonNode[2];
    for (int i = 0; i < 2; i++) {
      Path dir = tmp.resolve("frozen" + i);
      // another model shape: a gradient-stats gate transfers
      assertEquals(0, run("train", "--optimizer", "blended", "--gate", gate.toString(), "--freeze-gate",
          "--epochs", "1", "--set", "data.source=blobs", "--set", "model.layers=40,24,10", "--quiet",
          "--out", dir.toString()), err.toString());
      traces[i] = json(dir.resolve("result.json")).get("alpha_trace");
      GateWeights before = GateExporter.load(gate);
      GateWeights after = GateExporter.load(dir.resolve("gate"));
      for (int k = 0; k < before.values().length; k++) {
        assertTrue(java.util.Arrays.equals(before.values()[k], after.values()[k]), "frozen gate parameter " + k);
      }
      assertTrue(json(dir.resolve("gate/manifest.json")).at("/run/frozen").asBoolean());
    }
    assertEquals(traces[0], traces[1], "a frozen run is deterministic");

    Path thawed = tmp.resolve("thawed");
    assertEquals(0, run("train", "--optimizer", "blended", "--gate", gate.toString(), "--epochs", "1",
        "--set", "data.source=blobs", "--set", "meta_lr=0.01", "--quiet", "--out", thawed.toString()), err.toString());
    GateWeights start = GateExporter.load(gate);
    GateWeights end = GateExporter.load(thawed.resolve("gate"));
    assertFalse(java.util.Arrays.equals(start.values()[0], end.values()[0]), "meta-learning continued from the gate");
    assertNotEquals(traces[0], json(thawed.resolve("result.json")).get("alpha_trace"));
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
  void badGateOptionsExitTwoNamingTheProblem() throws IOException {
    Path dir = tmp.resolve("bad");
    String flatGate = flatRun.resolve("gate").toString();
    assertBadInput("layers [40, 100, 100, 10] (15210 parameters)", dir, "train", "--optimizer", "blended",
        "--gate", flatGate, "--set", "data.source=blobs", "--set", "model.layers=40,16,10", "--out", dir.toString());
    assertEquals(2, run("train", "--optimizer", "blended", "--gate", flatGate, "--set", "data.source=blobs",
        "--set", "model.layers=40,16,10", "--out", dir.toString()));
    assertTrue(err.toString().contains("layers [40, 16, 10] (826 parameters)"), err.toString());
    assertBadInput("--freeze-gate needs a trained gate", dir, "train", "--optimizer", "blended", "--freeze-gate",
        "--set", "data.source=blobs", "--out", dir.toString());
    assertBadInput("unknown gate input mode 'raw'", dir, "train", "--optimizer", "blended", "--gate-input", "raw",
        "--set", "data.source=blobs", "--out", dir.toString());
    assertBadInput("only to --optimizer blended", dir, "train", "--optimizer", "adam", "--gate-input",
        "gradient-stats", "--set", "data.source=blobs", "--out", dir.toString());
    assertBadInput("reads gradient-stats features, but --gate-input is flat-gradients", dir, "train",
        "--optimizer", "blended", "--gate", statsRun.resolve("gate").toString(), "--gate-input", "flat-gradients",
        "--set", "data.source=blobs", "--out", dir.toString());
    assertBadInput("no saved_model.pb", dir, "train", "--optimizer", "blended", "--gate", tmp.toString(),
        "--set", "data.source=blobs", "--out", dir.toString());
    assertBadInput("gate_hidden", dir, "train", "--optimizer", "blended", "--gate", statsRun.resolve("gate").toString(),
        "--set", "gate_hidden=8", "--set", "data.source=blobs", "--out", dir.toString());
  }
}
