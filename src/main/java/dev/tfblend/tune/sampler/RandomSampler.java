package dev.tfblend.tune.sampler;

import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.Study;
import java.util.SplittableRandom;

/**
 * Samples each parameter independently and uniformly (on the log scale for log
 * distributions), like Optuna's {@code RandomSampler}. Seeded runs repeat exactly.
 *
 * <p>Floats with a step and ints are drawn uniformly over their grid points; log ints are
 * drawn uniformly in {@code [log(low - 0.5), log(high + 0.5)]} and rounded, as Optuna does.
 */
public final class RandomSampler implements Sampler {
  private final SplittableRandom rng;

  /** A sampler seeded with {@code seed}. */
  public RandomSampler(long seed) {
    this.rng = new SplittableRandom(seed);
  }

  @Override
  public double sampleIndependent(
      Study study, FrozenTrial trial, String name, Distribution distribution) {
    return sample(rng, distribution);
  }

  /** One uniform draw from {@code d} (internal value); shared with TPE's startup phase. */
  static double sample(SplittableRandom rng, Distribution d) {
    if (d instanceof FloatDistribution f) {
      if (f.log()) {
        double v = Math.exp(rng.nextDouble(Math.log(f.low()), Math.nextUp(Math.log(f.high()))));
        return Math.min(Math.max(v, f.low()), f.high());
      }
      if (f.step() != null) {
        long n = Math.round(Math.floor((f.high() - f.low()) / f.step() + 1e-9));
        long k = rng.nextLong(n + 1);
        return Math.min(f.low() + k * f.step(), f.high());
      }
      if (f.low() == f.high()) {
        return f.low();
      }
      return Math.min(rng.nextDouble(f.low(), Math.nextUp(f.high())), f.high());
    } else if (d instanceof IntDistribution i) {
      if (i.log()) {
        double lo = Math.log(i.low() - 0.5);
        double hi = Math.log(i.high() + 0.5);
        double v = Math.round(Math.exp(rng.nextDouble(lo, hi)));
        return Math.min(Math.max(v, i.low()), i.high());
      }
      long n = ((long) i.high() - i.low()) / i.step();
      return i.low() + rng.nextLong(n + 1) * (long) i.step();
    } else {
      CategoricalDistribution c = (CategoricalDistribution) d;
      return rng.nextInt(c.choices().size());
    }
  }
}
