package dev.tfblend.tune.sampler;

import dev.tfblend.random.Mt19937;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.Study;

/**
 * Samples each parameter independently and uniformly, like Optuna's {@code RandomSampler}, with
 * the same random numbers: a seed in {@code [0, 2^32)} draws exactly what {@code
 * RandomSampler(seed=seed)} of Optuna 3.x draws for the same sequence of suggestions (numpy's
 * MT19937 stream; other seeds are taken modulo 2^32).
 *
 * <p>As Optuna's search-space transform: floats are uniform in {@code [low, high)}; log scales
 * are uniform in {@code log}; stepped floats and ints are uniform in {@code [low - step/2, high
 * + step/2]} and rounded to the grid; log ints are uniform in {@code [log(low - 1/2), log(high +
 * 1/2)]} and rounded; a categorical draws one uniform number per choice and takes the largest.
 */
public final class RandomSampler implements Sampler {
  private final Mt19937 rng;

  /** A sampler seeded with {@code seed} (as {@code numpy.random.RandomState(seed)}). */
  public RandomSampler(long seed) {
    this.rng = new Mt19937(seed & 0xffffffffL);
  }

  @Override
  public double sampleIndependent(
      Study study, FrozenTrial trial, String name, Distribution distribution) {
    return sample(rng, distribution);
  }

  /** One uniform draw from {@code d} (internal value); shared with TPE's startup phase. */
  static double sample(Mt19937 rng, Distribution d) {
    if (d instanceof FloatDistribution f) {
      if (f.log()) {
        double v = Math.exp(rng.uniform(Math.log(f.low()), Math.log(f.high())));
        return f.isSingle() ? v : Math.min(v, Math.nextDown(f.high()));
      }
      if (f.step() != null) {
        double s = f.step();
        double v = rng.uniform(f.low() - s / 2, f.high() + s / 2);
        return clip(Math.rint((v - f.low()) / s) * s + f.low(), f.low(), f.high());
      }
      double v = rng.uniform(f.low(), f.high());
      return f.isSingle() ? v : Math.min(v, Math.nextDown(f.high()));
    } else if (d instanceof IntDistribution i) {
      if (i.log()) {
        double v = rng.uniform(Math.log(i.low() - 0.5), Math.log(i.high() + 0.5));
        return clip(Math.rint(Math.exp(v)), i.low(), i.high());
      }
      double v = rng.uniform(i.low() - i.step() / 2.0, i.high() + i.step() / 2.0);
      return clip(Math.rint((v - i.low()) / i.step()) * i.step() + i.low(), i.low(), i.high());
    } else {
      int n = ((CategoricalDistribution) d).choices().size();
      int best = 0;
      double max = -1;
      for (int c = 0; c < n; c++) {
        double u = rng.nextDouble();
        if (u > max) {
          max = u;
          best = c;
        }
      }
      return best;
    }
  }

  private static double clip(double v, double low, double high) {
    return Math.min(Math.max(v, low), high);
  }
}
