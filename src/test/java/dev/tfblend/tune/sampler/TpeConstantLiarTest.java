package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.Trial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TPE's constant liar (Optuna's {@code TPESampler(constant_liar=True)}): the study's other RUNNING
 * trials count as the worst trials.
 */
class TpeConstantLiarTest extends SamplerContractTest {
  private static final Map<String, Distribution> SPACE = Map.of("x", FloatDistribution.of(-5, 5));

  @Override
  protected Sampler newSampler(long seed) {
    return new TpeSampler(TpeSampler.Config.defaults(seed).withConstantLiar(true));
  }

  /** A study holding {@code complete} finished trials at x = -4.5, -3.5, ... with value x^2. */
  private static Study study(TpeSampler sampler, int complete) {
    Study study = Study.create("liar", new InMemoryStorage(), StudyDirection.MINIMIZE, sampler, new NopPruner());
    for (int i = 0; i < complete; i++) {
      double x = -4.5 + i * (9.0 / Math.max(1, complete - 1));
      add(study, TrialState.COMPLETE, x * x, x);
    }
    return study;
  }

  private static void add(Study study, TrialState state, Double value, double x) {
    study.storage().createTrial(study.studyId(),
        FrozenTrial.template(state, value, Map.of("x", x), SPACE, null, null));
  }

  private static double propose(Study study) {
    Trial t = study.ask();
    return t.suggestFloat("x", -5, 5);
  }

  @Test
  void runningTrialsGoAboveAndGammaCountsOnlyFinishedOnes() {
    List<FrozenTrial> trials = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      trials.add(new FrozenTrial(i, i, TrialState.COMPLETE, (double) i, null, null, Map.of("x", 0.1 * i),
          SPACE, null, null, null));
    }
    trials.add(5, new FrozenTrial(10, 10, TrialState.RUNNING, null, null, null, Map.of("x", 0.0), SPACE, null,
        null, null));
    List<FrozenTrial> below = new ArrayList<>();
    List<FrozenTrial> above = new ArrayList<>();
    TpeSampler.split(StudyDirection.MINIMIZE, trials, TpeSampler.defaultGamma(10), below, above, true);
    // gamma(10) = 1: the best finished trial below; the running one above, in trial-number order
    assertEquals(List.of(0), below.stream().map(FrozenTrial::number).toList());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), above.stream().map(FrozenTrial::number).toList());
    below.clear();
    above.clear();
    TpeSampler.split(StudyDirection.MINIMIZE, trials, 1, below, above, false);
    assertTrue(above.stream().noneMatch(t -> t.state() == TrialState.RUNNING), "without the liar they are left out");
  }

  @Test
  void withNoOtherTrialRunningItProposesWhatPlainTpeProposes() {
    for (int complete : new int[] {4, 12, 30}) {
      Study plain = study(new TpeSampler(3), complete);
      Study liar = study(new TpeSampler(TpeSampler.Config.defaults(3).withConstantLiar(true)), complete);
      for (int i = 0; i < 5; i++) {
        // the asked trial is RUNNING while it samples, but a trial is never its own liar
        Trial a = plain.ask();
        Trial b = liar.ask();
        assertEquals(a.suggestFloat("x", -5, 5), b.suggestFloat("x", -5, 5),
            "proposal " + i + " after " + complete + " trials");
        plain.tell(a, TrialState.FAIL, null);
        liar.tell(b, TrialState.FAIL, null);
      }
    }
  }

  @Test
  void aRunningTrialCountsAsAFinishedTrialWithTheWorstValue() {
    // with gamma fixed (so that counting the running trials as finished does not move the split)
    // and kernel weights all 1 below 25 trials, the liar sees exactly what plain TPE sees when
    // the running trials are COMPLETE with a value worse than every other
    TpeSampler.Config base = TpeSampler.Config.defaults(11);
    TpeSampler.Config fixedGamma = new TpeSampler.Config(base.seed(), base.nStartupTrials(), base.nEiCandidates(),
        base.priorWeight(), base.considerMagicClip(), base.considerEndpoints(), false, n -> 3, base.weights(),
        false, false);
    Study liar = study(new TpeSampler(fixedGamma.withConstantLiar(true)), 15);
    Study plain = study(new TpeSampler(fixedGamma), 15);
    for (double x : new double[] {0.1, -0.2, 0.05}) {
      add(liar, TrialState.RUNNING, null, x);
      add(plain, TrialState.COMPLETE, 1e300, x);
    }
    double lied = propose(liar);
    assertEquals(propose(plain), lied);
    // and it is not what TPE proposes ignoring them: the running trials sit at the best region
    Study ignoring = study(new TpeSampler(fixedGamma), 15);
    for (double x : new double[] {0.1, -0.2, 0.05}) {
      add(ignoring, TrialState.RUNNING, null, x);
    }
    assertNotEquals(propose(ignoring), lied);
  }

  @Test
  void runningTrialsDoNotEndTheRandomStartup() {
    Study liar = study(new TpeSampler(TpeSampler.Config.defaults(5).withConstantLiar(true)), 9);
    Study random = study(new TpeSampler(5), 9);
    for (int i = 0; i < 4; i++) {
      add(liar, TrialState.RUNNING, null, 0.5 * i);
      add(random, TrialState.RUNNING, null, 0.5 * i);
    }
    // 9 finished trials: both still draw from the startup stream, whatever runs
    assertEquals(propose(random), propose(liar));
  }
}
