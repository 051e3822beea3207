package dev.tfblend.grad;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Meta-learning plain SGD's learning rate through a 10-step unroll on a tiny problem (Gaussian
 * blobs, MLP 8-16-3 with tanh, batch 32, float64; 100 Adam meta-steps of 0.1) converges to the
 * same learning rate from a start e^4 (55x) below and one e (2.7x) above the minimiser of a grid
 * scan of the meta-loss, and to that minimiser. Tolerance: 0.15 in natural-log units between
 * the settled values (mean of the last 10 iterates) and from the grid minimiser (grid step 0.05).
 * The large start stays where the K-step loss is smooth: a few times larger still, the unroll
 * turns chaotic and the exact meta-gradient explodes (see {@link LearningRateMetaLearning}).
 */
class LearningRateMetaLearningTest {

  @Test
  void convergesToTheSameLearningRateFromBothSides() {
    Dataset train = GaussianBlobs.generate(320, 8, 3, 1.5, 21, 0);
    Dataset val = GaussianBlobs.generate(120, 8, 3, 1.5, 21, 1);
    try (LearningRateMetaLearning p = LearningRateMetaLearning.create(new LearningRateMetaLearning.Setup(
        new Mlp(List.of(8, 16, 3), Activation.TANH), train, val, 10, 32, 5, false))) {
      double best = p.gridMinimiser(-2, 1, 0.05);
      double lo = p.metaTrain(best - 4, 100, 0.1).settledLogLr(10);
      double hi = p.metaTrain(best + 1, 100, 0.1).settledLogLr(10);
      System.out.printf(Locale.ROOT, "TINY grid %.3f from-small %.3f from-large %.3f%n", best, lo, hi);
      assertTrue(Math.abs(lo - hi) < 0.15, "from-small " + lo + " vs from-large " + hi);
      assertTrue(Math.abs(lo - best) < 0.15, "from-small " + lo + " vs grid minimiser " + best);
    }
  }
}
