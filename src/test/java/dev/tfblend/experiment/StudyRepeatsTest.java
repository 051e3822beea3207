package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.config.DataConfig;
import dev.tfblend.stats.Better;
import dev.tfblend.stats.PairedComparison;
import dev.tfblend.stats.Summary;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Statistics over repeats, trial seeds, gate movement, the published reference and validation modes. */
class StudyRepeatsTest {

  private static TuneResults.FinalRun run(double val, double test, double acc) {
    List<TuneResults.EpochFigures> epochs = List.of(new TuneResults.EpochFigures(0, 2.3, null, 2.3, 0.1),
        new TuneResults.EpochFigures(1, 1.0, 1.1, val, 0.5));
    return new TuneResults.FinalRun(1042, Map.of(), epochs, test, acc, 100, 1, null, null, null, null, null);
  }

  private static TuneResults.Repeat repeat(int i, double[]... figures) {
    Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>();
    String[] keys = {"DynamicBlended", "Adam"};
    for (int k = 0; k < figures.length; k++) {
      TuneResults.FinalRun f = run(figures[k][0], figures[k][1], figures[k][2]);
      m.put(keys[k], new TuneResults.RepeatResult(Map.of(), 1.0, f, List.of(f), f.finalValLoss() - 1.0, 0.1));
    }
    return new TuneResults.Repeat(i, 42 + i, "x-r" + i, m);
  }

  @Test
  void summariesAndPairsAreOverTheRepeats() {
    List<TuneResults.Repeat> reps = List.of(
        repeat(0, new double[] {1.0, 1.10, 0.60}, new double[] {1.2, 1.30, 0.55}),
        repeat(1, new double[] {1.1, 1.15, 0.58}, new double[] {1.0, 1.05, 0.61}),
        repeat(2, new double[] {0.9, 0.95, 0.62}, new double[] {1.3, 1.40, 0.50}));
    StudyStatistics.Computed c = StudyStatistics.of(reps, List.of("DynamicBlended", "Adam"));
    assertEquals("repeats", c.units());
    assertEquals(Summary.of(1.10, 1.15, 0.95), c.summary().get("DynamicBlended").get("test_loss"));
    assertEquals(Summary.of(0.55, 0.61, 0.50), c.summary().get("Adam").get("test_accuracy"));
    assertEquals(Summary.of(1.2, 1.0, 1.3), c.summary().get("Adam").get("val_loss"));
    assertEquals(3, c.paired().size());
    assertEquals(PairedComparison.of("DynamicBlended", "Adam", "test_loss", Better.LOWER,
        new double[] {1.10, 1.15, 0.95}, new double[] {1.30, 1.05, 1.40}), c.paired().get(0));
    assertEquals(Better.HIGHER, c.paired().get(1).better());
    assertEquals(2, c.paired().get(1).aBetter(), "accuracy: higher is better");
  }

  @Test
  void oneRepeatPairsByFinalSeedAndSkipsAStudyWithoutFinalRuns() {
    TuneResults.FinalRun a1 = run(1.0, 1.1, 0.6);
    TuneResults.FinalRun a2 = run(1.2, 1.2, 0.5);
    Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>();
    m.put("A", new TuneResults.RepeatResult(Map.of(), 1.0, a1, List.of(a1, a2), 0.1, 0.1));
    m.put("B", new TuneResults.RepeatResult(null, null, null, List.of(), null, null));
    StudyStatistics.Computed c = StudyStatistics.of(List.of(new TuneResults.Repeat(0, 1, "x", m)), List.of("A", "B"));
    assertEquals("final_seeds", c.units());
    assertEquals(2, c.summary().get("A").get("test_loss").n());
    assertFalse(c.summary().containsKey("B"));
    assertTrue(c.paired().isEmpty());
  }

  @Test
  void sharedTrialSeedsStartAtTheStudySeedAndPerTrialSeedsDiffer() {
    assertEquals(42, TuneObjective.trialSeed(42, "shared", 0, 0));
    assertEquals(42, TuneObjective.trialSeed(42, "shared", 7, 0));
    assertEquals(TuneObjective.trialSeed(42, "shared", 0, 2), TuneObjective.trialSeed(42, "shared", 5, 2));
    assertNotEquals(TuneObjective.trialSeed(42, "shared", 0, 1), TuneObjective.trialSeed(42, "shared", 0, 2));
    Set<Long> seeds = new HashSet<>();
    for (int t = 0; t < 50; t++) {
      for (int s = 0; s < 3; s++) {
        long seed = TuneObjective.trialSeed(42, "per-trial", t, s);
        assertTrue(seed >= 0 && seed < (1L << 31), "seed in [0, 2^31)");
        seeds.add(seed);
      }
    }
    assertEquals(150, seeds.size());
    assertNotEquals(TuneObjective.trialSeed(42, "per-trial", 0, 0), TuneObjective.trialSeed(43, "per-trial", 0, 0));
  }

  @Test
  void gateMovementSaysWhetherAndWhereAlphaWent() {
    TuneResults.GateMovement still = TuneResults.GateMovement.of(new float[] {0.5f, 0.52f, 0.48f, 0.51f}, 2);
    assertFalse(still.moved());
    assertNull(still.toward());
    assertEquals(0.48, still.min(), 1e-6);
    assertEquals(0.52, still.max(), 1e-6);
    assertEquals(0.495, still.end(), 1e-6);
    TuneResults.GateMovement down = TuneResults.GateMovement.of(new float[] {0.5f, 0.45f, 0.40f, 0.30f}, 2);
    assertTrue(down.moved());
    assertEquals("sgd", down.toward());
    TuneResults.GateMovement up = TuneResults.GateMovement.of(new float[] {0.5f, 0.56f, 0.57f, 0.6f}, 2);
    assertEquals("adam", up.toward());
    assertNull(up.medianNormRatio());
    TuneResults.GateMovement withNorms = TuneResults.GateMovement.of(new float[] {0.5f, 0.5f, 0.5f}, 1,
        Map.of("adam", new float[] {1f, 2f, 30f}, "sgd", new float[] {100f, 100f, 100f}));
    assertEquals(0.02, withNorms.medianNormRatio(), 1e-7);
  }

  @Test
  void publishedFiguresOnlyForThePublishedProtocol() {
    TuneConfig published = TuneConfigLoader.resolve(null, Map.of(), List.of("model.init=torch-default"));
    assertEquals(List.of(), PublishedStudy.differences(published));
    assertEquals(0.7656, PublishedStudy.figuresFor(published).get("DynamicBlended"));
    assertNull(PublishedStudy.noReference(published));
    // seeds, final seeds and repeats do not change the protocol
    assertTrue(PublishedStudy.differences(TuneConfigLoader.resolve(null, Map.of(),
        List.of("model.init=torch-default", "seed=7", "finalSeeds=3", "repeats=2"))).isEmpty());
    for (String change : List.of("pruner=median", "model.init=he-normal", "trial_seeds=3", "data.validation=train",
        "epochs=5", "search.Adam.space.lr.high=0.5", "data.source=blobs")) {
      TuneConfig c = TuneConfigLoader.resolve(null, Map.of(), List.of("model.init=torch-default", change));
      assertNull(PublishedStudy.figuresFor(c), change);
      String field = change.substring(0, change.indexOf('='));
      String why = PublishedStudy.noReference(c);
      assertTrue(why.startsWith("no published reference") && why.contains(field.startsWith("search.")
          ? "search.Adam" : field), why);
    }
    TuneConfig smoke = TuneConfigLoader.resolve(Path.of("configs/smoke.json"), Map.of());
    assertNull(PublishedStudy.figuresFor(smoke));
  }

  @Test
  void theSeedConfigUsesNoPrunerAndOneSharedTrialSeed() {
    TuneConfig c = TuneConfigLoader.defaults();
    assertEquals("none", c.pruner());
    assertEquals(1, c.trialSeeds());
    assertEquals("shared", c.trialSeedMode());
    assertEquals(1, c.repeats());
  }

  @Test
  void validationModesPickTheRowsThatScoreTheEpochs() {
    DataSplits holdout = DataSources.load(new DataConfig("blobs", null, null, null));
    DataSplits test = DataSources.load(new DataConfig("blobs", null, null, null, "test"));
    DataSplits train = DataSources.load(new DataConfig("blobs", null, null, null, "train"));
    assertTrue(same(holdout.train(), test.train()));
    assertTrue(same(holdout.test(), test.validation()));
    assertTrue(same(holdout.train(), train.validation()));
    assertTrue(same(holdout.test(), train.test()));
    assertFalse(same(holdout.validation(), test.validation()));
    assertEquals("not held out", DataConfig.validationLabel("train"));
    assertEquals("test used for selection", DataConfig.validationLabel("test"));
  }

  private static boolean same(dev.tfblend.data.Dataset a, dev.tfblend.data.Dataset b) {
    return java.util.Arrays.deepEquals(a.x(), b.x()) && java.util.Arrays.equals(a.y(), b.y());
  }

  @Test
  void repeatNamesCarryTheRepeatOnlyWhenThereAreSeveral() {
    assertEquals("s", TuneExperiment.repeatName("s", 0, 1));
    assertEquals("s-r3", TuneExperiment.repeatName("s", 3, 10));
  }
}
