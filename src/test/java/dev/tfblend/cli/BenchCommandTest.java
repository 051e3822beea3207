package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  @Test
  void jsonCarriesStepsPerSecondPerOptimizerAtTheFirstBatchSize() throws Exception {
    assertEquals(0, run("bench", "--json", "--no-tune", "--epochs", "1", "--warmup", "1",
        "--batch-sizes", "100,50", "--optimizers", "sgd,adam"), err.toString());
    JsonNode root = new ObjectMapper().readTree(out.toString());
    assertEquals(100, root.get("batch_size").asInt());
    assertEquals(List.of("sgd", "adam"), names(root.get("steps_per_second")));
    for (JsonNode v : root.get("steps_per_second")) {
      assertTrue(v.asDouble() > 0, root.toString());
    }
    assertEquals(4, root.get("runs").size());
    JsonNode last = root.get("runs").get(3);
    assertEquals("adam", last.get("optimizer").asText());
    assertEquals(50, last.get("batch_size").asInt());
    // 3,200 training rows in MNIST-1D's default split, in batches of 50
    assertEquals(64, last.get("steps_per_epoch").asInt());
    assertTrue(last.get("graph_build_seconds").asDouble() > 0);
    assertTrue(last.get("evaluation_seconds_per_epoch").asDouble() > 0);
    JsonNode m = root.get("machine");
    assertEquals(Runtime.getRuntime().availableProcessors(), m.get("cores").asInt());
    assertEquals(1, m.get("intra_op_threads").asInt());
    assertEquals("1.1.0", m.get("tensorflow_java_version").asText());
    assertTrue(root.get("tune").isNull());
    assertTrue(root.get("peak_rss_bytes").asLong() > 0);
  }

  @Test
  void badOptionsExitTwoNamingTheOption() {
    assertEquals(2, run("bench", "--no-tune", "--epochs", "0"));
    assertTrue(err.toString().contains("--epochs must be at least 1, got 0"), err.toString());
    assertEquals(2, run("bench", "--no-tune", "--batch-sizes", "32,-1"));
    assertTrue(err.toString().contains("--batch-sizes must be positive, got -1"), err.toString());
    assertEquals(2, run("bench", "--no-tune", "--optimizers", "adamw"));
    assertTrue(err.toString().contains("optimizer must be one of"), err.toString());
    assertEquals("", out.toString());
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
