package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end on the smoke config with repeats: the verdict and box plot over the repeats, alpha of
 * every repeat, the Swats switch step, and {@code --stage final --force} regenerating them on a
 * finished run whose outputs lack them.
 */
class TuneControlsReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  private int run(String... more) {
    List<String> args = new ArrayList<>(List.of("tune", "--config", "configs/smoke.json", "--quiet",
        "--study", "ctl", "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString(), "--repeats", "2",
        "--optimizers", "DynamicBlended,Swats,Adam"));
    args.addAll(List.of(more));
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args.toArray(String[]::new));
  }

  @Test
  void repeatsReportAndTheirRegenerationByAForcedFinalStage() throws Exception {
    assertEquals(0, run(), err.toString());
    Path runDir = tmp.resolve("runs/ctl");
    JsonNode first = JSON.readTree(runDir.resolve("results.json").toFile());
    for (int r = 0; r < 2; r++) {
      for (JsonNode f : first.at("/repeats/" + r + "/optimizers/Swats/final_runs")) {
        JsonNode state = f.get("optimizer_state");
        assertTrue(state.get("switch_step").isIntegralNumber(), state.toString());
        assertEquals(state.get("switch_step").asInt() > 0, state.get("sgd_phase").asInt() == 1,
            "switched exactly when in the SGD phase: " + state);
      }
      assertFalse(first.at("/repeats/" + r + "/optimizers/Adam/final").has("optimizer_state"));
    }
    assertReport(runDir);

    // a finished run written before these items existed: strip them, then regenerate
    ObjectNode old = (ObjectNode) first.deepCopy();
    for (JsonNode rep : old.get("repeats")) {
      for (JsonNode f : rep.at("/optimizers/Swats/final_runs")) {
        ((ObjectNode) f).remove("optimizer_state");
      }
      ((ObjectNode) rep.at("/optimizers/Swats/final")).remove("optimizer_state");
    }
    ((ObjectNode) old.at("/optimizers/Swats/final")).remove("optimizer_state");
    JSON.writeValue(runDir.resolve("results.json").toFile(), old);
    Files.writeString(runDir.resolve("report.md"), "# an older report\n");
    Files.delete(runDir.resolve("DynamicBlended_alpha_repeats.png"));

    assertEquals(0, run("--stage", "final", "--force"), err.toString());
    JsonNode again = JSON.readTree(runDir.resolve("results.json").toFile());
    assertReport(runDir);
    for (int r = 0; r < 2; r++) {
      for (String key : List.of("DynamicBlended", "Swats", "Adam")) {
        JsonNode a = first.at("/repeats/" + r + "/optimizers/" + key + "/final");
        JsonNode b = again.at("/repeats/" + r + "/optimizers/" + key + "/final");
        assertEquals(a.get("test_loss"), b.get("test_loss"), "the same final run, bit for bit: " + key + " r" + r);
        assertEquals(a.get("alpha_per_step"), b.get("alpha_per_step"), key);
        assertEquals(a.get("optimizer_state"), b.get("optimizer_state"), key);
      }
    }
    assertEquals(first.get("paired"), again.get("paired"));
    assertEquals(2, again.get("invocations").size());
  }

  private static void assertReport(Path runDir) throws Exception {
    String md = Files.readString(runDir.resolve("report.md"));
    assertTrue(md.contains("## The blend against each other optimizer (test loss)"), md);
    assertTrue(md.contains("One test loss per optimizer per repeat (2 repeats"), md);
    assertTrue(md.contains("**Verdict (test loss, Wilcoxon, Holm-adjusted, 5% level):** no significant difference"
        + " at the 5% level between the blend and any of Swats, Adam over 2 paired repeats."), md);
    assertTrue(md.contains("## Swats's switch to SGD"), md);
    assertTrue(md.contains("![DynamicBlended_alpha_repeats.png](DynamicBlended_alpha_repeats.png)"), md);
    assertTrue(md.contains("![test_loss_boxplot.png](test_loss_boxplot.png)"), md);
    assertTrue(Files.size(runDir.resolve("DynamicBlended_alpha_repeats.png")) > 1000);
    String html = Files.readString(runDir.resolve("report.html"));
    assertTrue(html.contains("Swats&#39;s switch to SGD") || html.contains("Swats's switch to SGD"), "report.html");
  }
}
