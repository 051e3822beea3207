package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@link Sampler} contract. Each sampler's test extends this class and implements {@link
 * #newSampler(long)}. Studies run 30 trials, past TPE's 10 random startup trials.
 */
public abstract class SamplerContractTest {

  /** A sampler seeded with {@code seed}. */
  protected abstract Sampler newSampler(long seed);

  private static final int TRIALS = 30;

  /** Runs a study over every kind of distribution; returns its trials. */
  private List<FrozenTrial> run(long seed) {
    Study study =
        Study.create("contract", new InMemoryStorage(), StudyDirection.MINIMIZE, newSampler(seed),
            new NopPruner());
    study.optimize(
        t -> {
          double lr = t.suggestFloat("lr", 1e-5, 1e-1, true);
          double mom = t.suggestFloat("momentum", 0.5, 0.99, false, 0.01);
          double x = t.suggestFloat("x", -3, 3);
          int units = t.suggestInt("units", 8, 256, false, 8);
          int layers = t.suggestInt("layers", 1, 5);
          int batch = t.suggestInt("batch", 1, 1024, true, 1);
          String opt = t.suggestCategorical("optimizer", "adam", "sgd", "rmsprop");
          double penalty = opt.equals("adam") ? 0 : 0.5;
          return Math.abs(Math.log10(lr) + 3) + Math.abs(mom - 0.9) + x * x
              + Math.abs(units - 64) / 64.0 + layers + Math.log(batch) / 10 + penalty;
        },
        TRIALS,
        null);
    return study.trials();
  }

  @Test
  void samplesStayInBoundsOnTheGridAndPositiveOnLogScale() {
    List<FrozenTrial> trials = run(11);
    assertEquals(TRIALS, trials.size());
    for (FrozenTrial t : trials) {
      assertEquals(TrialState.COMPLETE, t.state(), "trial " + t.number());
      assertEquals(7, t.params().size());
      for (Map.Entry<String, Distribution> e : t.distributions().entrySet()) {
        double internal = t.internalParam(e.getKey());
        assertTrue(
            e.getValue().contains(internal),
            "trial " + t.number() + " " + e.getKey() + "=" + internal + " not in " + e.getValue());
      }
      double lr = (Double) t.params().get("lr");
      assertTrue(lr >= 1e-5 && lr <= 1e-1 && lr > 0, "lr " + lr);
      double mom = (Double) t.params().get("momentum");
      double k = (mom - 0.5) / 0.01;
      assertEquals(Math.rint(k), k, 1e-8, "momentum off the 0.01 grid: " + mom);
      assertEquals(0, ((Integer) t.params().get("units") - 8) % 8);
      int batch = (Integer) t.params().get("batch");
      assertTrue(batch >= 1 && batch <= 1024);
    }
  }

  @Test
  void sameSeedRepeatsAndDifferentSeedDiffers() {
    List<Map<String, Object>> a = params(run(5));
    List<Map<String, Object>> b = params(run(5));
    List<Map<String, Object>> c = params(run(6));
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @Test
  void spreadsOverTheRangeWhileStarting() {
    // The first 10 samples of x in [-3, 3] should not bunch up (uniform start).
    Study study =
        Study.create("spread", new InMemoryStorage(), StudyDirection.MINIMIZE, newSampler(2),
            new NopPruner());
    study.optimize(t -> t.suggestFloat("x", -3, 3), 10, null);
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (FrozenTrial t : study.trials()) {
      double x = (Double) t.params().get("x");
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    assertTrue(max - min > 2, "10 samples span only " + (max - min));
    assertTrue(
        new FloatDistribution(-3, 3, false, null).contains(min)
            && new FloatDistribution(-3, 3, false, null).contains(max));
  }

  private static List<Map<String, Object>> params(List<FrozenTrial> trials) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (FrozenTrial t : trials) {
      out.add(t.params());
    }
    return out;
  }
}
