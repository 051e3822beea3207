package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.cli.TfBlendCommand;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The gate shipped in {@code saved-models/default-gate} works out of the box. */
class DefaultGateTest {
  private static final Path GATE = Path.of("saved-models/default-gate");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void shippedGateIsATunedGradientStatsGate() throws Exception {
    JsonNode m = JSON.readTree(GATE.resolve("manifest.json").toFile());
    assertEquals("gate", m.get("kind").asText());
    assertEquals("gradient-stats", m.get("input_mode").asText());
    assertEquals(GateFeatures.STATS_SIZE, m.get("input_size").asInt());
    assertEquals("tf-blend tune", m.get("produced_by").asText());
    GateWeights w = GateExporter.load(GATE);
    assertEquals(GateFeatures.Mode.GRADIENT_STATS, w.mode());
    assertEquals(GateFeatures.STATS_SIZE, w.inputSize());
  }

  @Test
  void describeAndInferenceWork() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, run(out, err, "gate", "--model", GATE.toString(), "--describe"), err.toString());
    assertTrue(out.toString().contains("\"gradient-stats\""), out.toString());

    Path features = tmp.resolve("f.csv");
    java.nio.file.Files.writeString(features, "1,2,3,4,5,6,7,8,9\n0,-1,-2,-1,-3,-2,0.5,0.1,0.5\n");
    out = new StringWriter();
    assertEquals(0, run(out, err, "gate", "--model", GATE.toString(), "--input", features.toString()), err.toString());
    JsonNode alpha = JSON.readTree(out.toString()).get("alpha");
    assertEquals(2, alpha.size());
    for (JsonNode a : alpha) {
      assertTrue(a.asDouble() > 0 && a.asDouble() < 1, out.toString());
    }
  }

  @Test
  void frozenDefaultGateTrainsAModelOfAnotherShapeDeterministically() throws Exception {
    double[][] traces = new double[2][];
    for (int i = 0; i < 2; i++) {
      Path dir = tmp.resolve("frozen" + i);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertEquals(0, run(out, err, "train", "--optimizer", "blended", "--gate", GATE.toString(), "--freeze-gate",
          "--set", "model.layers=40,16,10", "--set", "data.source=blobs", "--epochs", "2", "--quiet",
          "--out", dir.toString()), err.toString());
      JsonNode perStep = JSON.readTree(dir.resolve("result.json").toFile()).at("/alpha_trace/per_step");
      traces[i] = new double[perStep.size()];
      for (int k = 0; k < perStep.size(); k++) {
        traces[i][k] = perStep.get(k).asDouble();
      }
    }
    assertTrue(traces[0].length > 0);
    assertArrayEquals(traces[0], traces[1], "a frozen gate gives the same alpha trajectory every time");
  }
}
