package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.stats.Better;
import dev.tfblend.stats.Holm;
import dev.tfblend.stats.PairedComparison;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The blend-against-each-other verdict: its units (repeats or final seeds), Holm's correction and its sentence. */
class ControlsVerdictTest {
  private static final List<String> ORDER = List.of("DynamicBlended", "Adam", "SGD");

  static TuneResults.FinalRun run(double testLoss) {
    List<TuneResults.EpochFigures> epochs = List.of(new TuneResults.EpochFigures(0, 2.3, null, 2.3, 0.1),
        new TuneResults.EpochFigures(1, 1.0, 1.1, 1.0, 0.5));
    return new TuneResults.FinalRun(1042, Map.of(), epochs, testLoss, 0.5, 100, 1, null, null, null, null, null);
  }

  /** A repeat in which each optimizer of {@link #ORDER} has final runs with the given test losses. */
  static TuneResults.Repeat repeat(int i, double[]... testLosses) {
    Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>();
    for (int k = 0; k < testLosses.length; k++) {
      List<TuneResults.FinalRun> finals = new ArrayList<>();
      for (double t : testLosses[k]) {
        finals.add(run(t));
      }
      m.put(ORDER.get(k), new TuneResults.RepeatResult(Map.of(), 1.0, finals.get(0), finals, 0.0, 0.1));
    }
    return new TuneResults.Repeat(i, 42 + i, "x-r" + i, m);
  }

  /** {@code n} repeats: the blend 0.1 below Adam in every one, and against SGD alternately above and below. */
  private static List<TuneResults.Repeat> blendBelowAdam(int n) {
    List<TuneResults.Repeat> reps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double blend = 1.0 + 0.01 * i;
      reps.add(repeat(i, new double[] {blend}, new double[] {blend + 0.1 + 0.001 * i},
          new double[] {blend + (i % 2 == 0 ? 0.05 : -0.05) + 0.001 * i}));
    }
    return reps;
  }

  @Test
  void comparesOverTheRepeatsEachTheMeanOfItsFinalRuns() {
    // two final runs per repeat: the first final runs alone favour the blend, the means do not
    List<TuneResults.Repeat> reps = List.of(
        repeat(0, new double[] {1.0, 2.0}, new double[] {1.2, 1.2}),
        repeat(1, new double[] {1.1, 1.9}, new double[] {1.3, 1.3}),
        repeat(2, new double[] {0.9, 2.1}, new double[] {1.4, 1.4}));
    ControlsVerdict.Verdict v = ControlsVerdict.of(reps, ORDER);
    assertEquals(StudyStatistics.REPEATS, v.units());
    assertEquals(3, v.n());
    assertEquals(1, v.comparisons().size());
    PairedComparison p = v.comparisons().get(0).paired();
    assertEquals(PairedComparison.of("DynamicBlended", "Adam", "test_loss", Better.LOWER,
        new double[] {1.5, 1.5, 1.5}, new double[] {1.2, 1.3, 1.4}), p);
    assertEquals(0, p.aBetter(), "by repeat means the blend is never lower");
    assertTrue(p.meanDiff() > 0);
  }

  @Test
  void holmAdjustsOverTheComparisonsAndTheVerdictFollowsTheAdjustedP() {
    // six repeats, the blend lower than Adam in all: exact two-sided Wilcoxon p = 2 / 2^6
    ControlsVerdict.Verdict six = ControlsVerdict.of(blendBelowAdam(6), ORDER);
    ControlsVerdict.Comparison adam = six.comparisons().get(0);
    assertEquals("Adam", adam.other());
    assertEquals(2.0 / 64, adam.paired().wilcoxonP(), 1e-15);
    double[] holm = Holm.adjust(adam.paired().wilcoxonP(), six.comparisons().get(1).paired().wilcoxonP());
    assertEquals(holm[0], adam.holmP(), 0);
    assertEquals(2 * 2.0 / 64, adam.holmP(), 1e-15, "the smaller of two p-values is doubled");
    assertTrue(adam.significantUncorrected());
    assertFalse(adam.significant(), "0.0625 after Holm");
    assertTrue(six.sentence().startsWith("no significant difference at the 5% level between the blend and any of "
        + "Adam, SGD over 6 paired repeats."), six.sentence());
    assertTrue(six.sentence().contains("Significant before the correction only: Adam (Wilcoxon p 0.0313, Holm 0.0625)"),
        six.sentence());
    assertTrue(six.sentence().contains("With 6 pairs the smallest possible two-sided Wilcoxon p is 0.0313 (0.0625 "
        + "after Holm over 2 comparisons)"), six.sentence());

    // eight repeats: 2 / 2^8 doubled is 0.0156, significant; SGD's alternating differences are not
    ControlsVerdict.Verdict eight = ControlsVerdict.of(blendBelowAdam(8), ORDER);
    assertTrue(eight.comparisons().get(0).significant());
    assertFalse(eight.comparisons().get(1).significant());
    assertEquals("the blend has a significantly lower test loss than Adam; no significant difference from SGD "
        + "(8 paired repeats).", eight.sentence());
    assertEquals(-1.0, Math.signum(eight.comparisons().get(0).dz()));
    assertFalse(eight.sentence().contains("smallest possible"), "8 pairs can reach the level after Holm");
  }

  @Test
  void tooFewPairsToReachTheLevelIsSaid() {
    ControlsVerdict.Verdict v = ControlsVerdict.of(blendBelowAdam(3), ORDER);
    assertTrue(v.sentence().contains("With 3 pairs the smallest possible two-sided Wilcoxon p is 0.250 (0.500 after Holm "
        + "over 2 comparisons), so no difference can reach the 5% level"), v.sentence());
    assertEquals(2.0 / 1024, ControlsVerdict.smallestWilcoxonP(10), 0);
  }

  @Test
  void oneRepeatComparesTheFinalSeedsAndOneFinalSeedGivesNoVerdict() {
    ControlsVerdict.Verdict seeds = ControlsVerdict.of(List.of(repeat(0, new double[] {1.0, 1.1, 1.2},
        new double[] {1.3, 1.2, 1.25})), ORDER);
    assertEquals(StudyStatistics.FINAL_SEEDS, seeds.units());
    assertEquals(3, seeds.n());
    assertEquals(PairedComparison.of("DynamicBlended", "Adam", "test_loss", Better.LOWER,
        new double[] {1.0, 1.1, 1.2}, new double[] {1.3, 1.2, 1.25}), seeds.comparisons().get(0).paired());
    assertTrue(seeds.sentence().contains("over 3 paired final seeds"), seeds.sentence());
    assertNull(ControlsVerdict.of(List.of(repeat(0, new double[] {1.0}, new double[] {1.3})), ORDER));
    assertNull(ControlsVerdict.of(List.of(repeat(0, new double[] {1.0, 1.1}), repeat(1, new double[] {1.0, 1.1})),
        List.of("DynamicBlended")), "no other optimizer");
  }

  @Test
  void aDivergedRepeatLeavesItsOptimizerOutWithAReason() {
    List<TuneResults.Repeat> reps = List.of(
        repeat(0, new double[] {1.0}, new double[] {Double.NaN}, new double[] {1.2}),
        repeat(1, new double[] {1.1}, new double[] {1.3}, new double[] {1.4}));
    ControlsVerdict.Verdict v = ControlsVerdict.of(reps, ORDER);
    assertEquals(List.of("Adam"), v.notCompared());
    assertEquals(List.of("SGD"), v.comparisons().stream().map(ControlsVerdict.Comparison::other).toList());
    assertEquals(v.comparisons().get(0).paired().wilcoxonP(), v.comparisons().get(0).holmP(),
        "one comparison: Holm leaves it as it is");
  }
}
