package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.plot.AlphaRepeatsChartData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report items of a run with repeats: the box plot over repeats, alpha of every repeat's final
 * run, the Swats switch step in results.json and report.md, and the Holm-adjusted verdict section.
 */
class TuneReportItemsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TuneConfig SMOKE = TuneConfigLoader.resolve(Path.of("configs/smoke.json"), Map.of());

  @TempDir Path tmp;

  private static TuneResults.FinalRun run(long seed, double testLoss, float[] alpha, Map<String, Double> state) {
    List<TuneResults.EpochFigures> epochs = List.of(new TuneResults.EpochFigures(0, 2.3, null, 2.3, 0.1),
        new TuneResults.EpochFigures(1, 1.0, 1.1, 1.0, 0.5), new TuneResults.EpochFigures(2, 0.9, 1.0, 0.95, 0.6));
    return new TuneResults.FinalRun(seed, Map.of("lr", 0.01), epochs, testLoss, 0.6, 100, 1, null, null, alpha, null,
        alpha == null ? null : TuneResults.GateMovement.of(alpha, 2), state);
  }

  private static Map<String, Double> swatsState(double switchStep) {
    Map<String, Double> s = new LinkedHashMap<>();
    s.put("sgd_phase", switchStep > 0 ? 1.0 : 0.0);
    s.put("lambda", 0.02);
    s.put("sgd_lr", switchStep > 0 ? 0.03125 : 0.0);
    s.put("switch_step", switchStep);
    return s;
  }

  /** Three repeats of DynamicBlended, Swats and Adam, one final run each; Swats switches in repeat 0 only. */
  private static TuneResults results(int repeats, int finalSeeds) {
    List<TuneResults.Repeat> reps = new ArrayList<>();
    Map<String, TuneResults.OptimizerResult> first = new LinkedHashMap<>();
    for (int r = 0; r < repeats; r++) {
      Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>();
      for (String key : List.of("DynamicBlended", "Swats", "Adam")) {
        List<TuneResults.FinalRun> finals = new ArrayList<>();
        for (int k = 0; k < finalSeeds; k++) {
          float[] alpha = key.equals("DynamicBlended") ? new float[] {0.5f, 0.5f - 0.01f * r, 0.45f, 0.4f + 0.01f * k}
              : null;
          Map<String, Double> state = key.equals("Swats") ? swatsState(r == 0 ? 57 : 0) : null;
          double loss = 1.0 + 0.1 * r + 0.01 * k + (key.equals("Adam") ? 0.05 : key.equals("Swats") ? -0.02 : 0);
          finals.add(run(42 + r + 1000 + k, loss, alpha, state));
        }
        TuneResults.OptimizerResult o = new TuneResults.OptimizerResult(key.toLowerCase(), Map.of("lr", 0.01), 0.9,
            List.of(), finals.get(0), finals, 0.1, 0.2);
        m.put(key, TuneResults.RepeatResult.of(o));
        if (r == 0) {
          first.put(key, o);
        }
      }
      reps.add(new TuneResults.Repeat(r, 42 + r, "x-r" + r, m));
    }
    StudyStatistics.Computed stats = StudyStatistics.of(reps, List.copyOf(first.keySet()));
    return new TuneResults(JSON.createObjectNode(), 42, "x", "sqlite:x.db", first, "holdout", null, null,
        "no published reference", reps, stats.units(), stats.summary(), stats.paired(), 1.0, 0.1, null);
  }

  @Test
  void withRepeatsTheBoxPlotHasOneValuePerRepeatAndEachAlphaOptimizerGetsItsRepeatsChart() throws Exception {
    TuneResults r = results(3, 2);
    Map<String, List<Double>> box = TuneCharts.testLossesPerUnit(r);
    assertEquals(List.of("DynamicBlended", "Swats", "Adam"), List.copyOf(box.keySet()));
    assertEquals(3, box.get("Adam").size(), "one per repeat, not per final seed");
    assertEquals(1.0 + 0.1 + 0.005 + 0.05, box.get("Adam").get(1), 1e-12, "repeat 1: the mean of its two final runs");

    AlphaRepeatsChartData alpha = TuneCharts.alphaOverRepeats(r.repeats(), "DynamicBlended");
    assertEquals(List.of("repeat 0", "repeat 1", "repeat 2"), alpha.lines().stream()
        .map(AlphaRepeatsChartData.Line::label).toList());
    assertArrayEquals(new double[] {0.5f, 0.5f - 0.02f, 0.45f, 0.4f}, alpha.lines().get(2).alpha(), 0,
        "the first final run of repeat 2");
    assertNull(TuneCharts.alphaOverRepeats(r.repeats(), "Adam"), "Adam records no alpha");

    List<String> files = TuneCharts.write(r, SMOKE, tmp);
    assertTrue(files.contains(TuneCharts.TEST_LOSS_BOXPLOT), files.toString());
    assertTrue(files.contains("DynamicBlended_alpha_repeats.png"), files.toString());
    assertFalse(files.contains("Swats_alpha_repeats.png") || files.contains("Adam_alpha_repeats.png"), files.toString());
    for (String f : List.of(TuneCharts.TEST_LOSS_BOXPLOT, "DynamicBlended_alpha_repeats.png")) {
      assertEquals(1000, ImageIO.read(tmp.resolve(f).toFile()).getWidth(), f);
    }
  }

  @Test
  void resultsJsonCarriesTheBlendsComparisonsWithHolmAdjustedP() throws Exception {
    TuneResults r = results(3, 1);
    Path file = tmp.resolve("results.json");
    TuneOutputs.writeJson(file, r);
    com.fasterxml.jackson.databind.JsonNode v = JSON.readTree(file.toFile()).get("blend_comparisons");
    ControlsVerdict.Verdict expected = ControlsVerdict.of(r);
    assertEquals("repeats", v.get("units").asText());
    assertEquals(3, v.get("n").asInt());
    assertEquals("holm", v.get("correction").asText());
    assertEquals(2, v.get("comparisons").size());
    for (int i = 0; i < 2; i++) {
      com.fasterxml.jackson.databind.JsonNode c = v.get("comparisons").get(i);
      ControlsVerdict.Comparison e = expected.comparisons().get(i);
      assertEquals(e.other(), c.get("other").asText());
      assertEquals(e.paired().meanDiff(), c.get("mean_diff").asDouble(), 1e-15);
      assertEquals(e.holmP(), c.get("wilcoxon_p_holm").asDouble(), 1e-15);
      assertEquals(e.paired().wilcoxonP(), c.get("wilcoxon_p").asDouble(), 1e-15);
      assertEquals(e.significant(), c.get("significant").asBoolean());
      assertEquals(2, c.get("ci95").size());
    }
    assertEquals("Swats", v.at("/comparisons/0/other").asText());
    assertEquals(expected.sentence(), v.get("sentence").asText());
    // read back as results (the field is derived, not a component) and written again unchanged
    TuneResults back = TuneOutputs.read(file);
    assertEquals(v, JSON.valueToTree(back).get("blend_comparisons"));
    // a run without the blend has none
    TuneOutputs.writeJson(tmp.resolve("one.json"), results(1, 1));
    assertNull(JSON.readTree(tmp.resolve("one.json").toFile()).get("blend_comparisons"),
        "one repeat and one final seed: fewer than two units");
  }

  @Test
  void oneRepeatKeepsTheBoxPlotOverFinalSeedsAndDrawsNoRepeatsChart() {
    TuneResults one = results(1, 3);
    assertEquals(List.of(1.0, 1.01, 1.02), TuneCharts.testLossesPerUnit(one).get("DynamicBlended"));
    List<String> files = TuneCharts.write(one, SMOKE, tmp);
    assertTrue(files.contains(TuneCharts.TEST_LOSS_BOXPLOT), files.toString());
    assertFalse(files.stream().anyMatch(f -> f.endsWith("_alpha_repeats.png")), files.toString());
    assertFalse(TuneCharts.write(results(1, 1), SMOKE, tmp.resolve("single")).contains(TuneCharts.TEST_LOSS_BOXPLOT),
        "one value per optimizer: no box plot");
  }

  @Test
  void swatsSwitchStepIsInResultsJsonAndReadBack() throws Exception {
    TuneResults r = results(2, 1);
    Path file = tmp.resolve("results.json");
    TuneOutputs.writeJson(file, r);
    JsonNode json = JSON.readTree(file.toFile());
    JsonNode switched = json.at("/repeats/0/optimizers/Swats/final/optimizer_state");
    assertTrue(switched.get("switch_step").isIntegralNumber(), switched.toString());
    assertEquals(57, switched.get("switch_step").asInt());
    assertEquals(0, json.at("/repeats/1/optimizers/Swats/final/optimizer_state/switch_step").asInt(), "never: 0");
    assertTrue(json.at("/optimizers/Swats/final/optimizer_state").isObject());
    assertTrue(json.at("/optimizers/Adam/final/optimizer_state").isMissingNode(), "no shared state, no field");

    TuneResults back = TuneOutputs.read(file);
    assertEquals(57L, back.optimizers().get("Swats").finalRun().switchStep());
    assertEquals(0L, back.repeats().get(1).optimizers().get("Swats").finalRun().switchStep());
    assertNull(back.optimizers().get("Adam").finalRun().switchStep());
  }

  @Test
  void reportShowsTheSwitchStepsTheVerdictSectionAndTheCharts() {
    TuneResults r = results(3, 1);
    String md = TuneReport.markdown(r, TuneConfigLoader.resolve(Path.of("configs/smoke.json"), Map.of(), List.of("repeats=3")), List.of(TuneCharts.TEST_LOSS_BOXPLOT,
        TuneCharts.alphaRepeatsFile("DynamicBlended")));
    assertTrue(md.contains("## Swats's switch to SGD"), md);
    assertTrue(md.contains("it switched in 1 of 3 final run(s)"), md);
    assertTrue(md.contains("| after step 57"), md);
    assertTrue(md.contains("| never"), md);
    assertTrue(md.contains("## The blend against each other optimizer (test loss)"), md);
    assertTrue(md.contains("Holm-adjusted over the 2 comparisons"), md);
    assertTrue(md.contains("| Wilcoxon p (Holm) |"), md);
    assertTrue(md.contains("**Verdict (test loss, Wilcoxon, Holm-adjusted, 5% level):** no significant difference "
        + "at the 5% level between the blend and any of Swats, Adam over 3 paired repeats."), md);
    assertTrue(md.contains("![DynamicBlended_alpha_repeats.png](DynamicBlended_alpha_repeats.png)"), md);
  }
  @Test
  void theFixedAlphaControlsShowTheirAlphaPerRepeat() {
    List<TuneResults.Repeat> reps = new ArrayList<>();
    Map<String, TuneResults.OptimizerResult> first = new LinkedHashMap<>();
    for (int r = 0; r < 2; r++) {
      Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>();
      Map<String, Map<String, Double>> params = new LinkedHashMap<>();
      params.put("ConstantBlend", Map.of("alpha", 0.7 - 0.1 * r));
      params.put("ScheduledBlend", Map.of("alpha_start", 1.0, "alpha_end", 0.25, "cosine", (double) r));
      params.forEach((key, p) -> {
        TuneResults.FinalRun f = new TuneResults.FinalRun(1042, p, List.of(new TuneResults.EpochFigures(0, 2.3, null,
            2.3, 0.1)), 1.0, 0.5, 100, 1, null, null, null, null, null);
        TuneResults.OptimizerResult o = new TuneResults.OptimizerResult(key, Map.of(), 0.9, List.of(), f, List.of(f),
            0.1, 0.2);
        m.put(key, TuneResults.RepeatResult.of(o));
        first.putIfAbsent(key, o);
      });
      reps.add(new TuneResults.Repeat(r, 42 + r, "x-r" + r, m));
    }
    TuneResults res = new TuneResults(JSON.createObjectNode(), 42, "x", "sqlite:x.db", first, "holdout", null, null,
        "no published reference", reps, "repeats", Map.of(), List.of(), 1.0, 0.1, null);
    String md = TuneReport.markdown(res, SMOKE, List.of());
    assertTrue(md.contains("## ConstantBlend's alpha"), md);
    assertTrue(md.matches("(?s).*\\|\\s+1 \\|\\s+0\\.6000 \\|.*"), md);
    assertTrue(md.contains("## ScheduledBlend's alpha"), md);
    assertTrue(md.contains("| cosine |") && md.contains("| linear |"), md);
  }
}
