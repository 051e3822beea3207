package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every control of issue 13 runs in the same tune as the blend and the baselines, from the embedded
 * search spaces, and each gets a final run in {@code results.json} (one trial each, one epoch).
 */
class TuneControlsTest {
  static final List<String> ALL = List.of("DynamicBlended", "ConstantBlend", "ScheduledBlend", "Swats",
      "HypergradientBlend", "AdamCosine", "Adam", "SGD");

  @TempDir Path tmp;

  @Test
  void smokeTuneOfEveryOptimizerGivesEachAFinalRun() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("tune", "--config", "configs/smoke.json", "--optimizers", String.join(",", ALL),
        "--trials", "1", "--epochs", "1", "--study", "controls", "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString(), "--quiet");
    assertEquals(0, code, err.toString());
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs/controls/results.json").toFile());
    for (String s : ALL) {
      JsonNode o = r.at("/optimizers/" + s);
      assertFalse(o.isMissingNode(), s + " missing from results.json");
      assertEquals(1, o.get("trials").size(), s);
      JsonNode f = o.get("final");
      assertTrue(f != null && f.get("test_loss").isNumber(), s + " has no final run with a test loss: " + o);
    }
    assertTrue(r.at("/optimizers/HypergradientBlend/final/alpha_per_step").size() > 0,
        "the learned scalar alpha is recorded per step");
    assertTrue(r.at("/optimizers/ScheduledBlend/final/params/total_steps").asDouble() > 0,
        "the schedule spans the final run");
  }
}
