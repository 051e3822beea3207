package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code hypergradient-blend}: its meta-gradient (of one learned logit) passes the float64
 * gradient check, and in training alpha starts at 0.5, is the same for every step's blend until
 * the logit moves, and moves under meta-learning (not at {@code meta_lr} 0).
 */
class HypergradientBlendTest {

  @Test
  void metaGradientPassesTheGradientCheck() {
    for (long seed : new long[] {0, 3}) {
      GradientCheck.Report r = GradientCheck.run("hypergradient-blend", null, seed, GradientCheck.DEFAULT_H);
      assertTrue(r.passed(), "seed " + seed + ": max relative error " + r.maxRelativeError());
      assertTrue(r.checks().stream().allMatch(c -> c.analytic() != 0), "non-zero meta-gradient");
    }
  }

  private static Trainer.Result run(double metaLr) {
    Dataset train = GaussianBlobs.generate(300, 40, 10, 1.0, 3, 0);
    Dataset val = GaussianBlobs.generate(60, 40, 10, 1.0, 3, 1);
    Map<String, Double> params = Map.of("adam_lr", 0.01, "sgd_lr", 0.05, "meta_lr", metaLr);
    try (TrainingGraph g = TrainingGraph.create(ControlRuns.MLP, Optimizers.stepBuilder("hypergradient-blend", params))) {
      g.loadData(train, val, val);
      g.reinitialize(2, params);
      return Trainer.run(g, new Trainer.Settings(2, 32, 2), r -> { });
    }
  }

  @Test
  void alphaStartsAtOneHalfAndIsMetaLearned() {
    double[] learned = AlphaTrace.of(run(0.05)).perStep();
    assertEquals(0.5, learned[0], 0.0, "the logit starts at 0");
    assertNotEquals(learned[0], learned[learned.length - 1], "meta-learning moves alpha");
    double[] fixed = AlphaTrace.of(run(0.0)).perStep();
    for (double a : fixed) {
      assertEquals(0.5, a, 0.0, "meta_lr 0 keeps alpha at 0.5");
    }
  }
}
