package dev.tfblend.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tfblend.train.Optimizers;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DynamicBlendedOptimizer.Settings#defaults()} are the baselines' defaults. */
class BlendSettingsDefaultsTest {
  @Test
  void defaultsMatchTheBaselines() {
    DynamicBlendedOptimizer.Settings s = DynamicBlendedOptimizer.Settings.defaults();
    Map<String, Double> adam = Optimizers.defaults("adam");
    Map<String, Double> sgd = Optimizers.defaults("sgd");
    assertEquals(1e-2, s.adamLr());
    assertEquals(adam.get("lr"), s.adamLr());
    assertEquals(adam.get("beta1"), s.beta1());
    assertEquals(adam.get("beta2"), s.beta2());
    assertEquals(adam.get("eps"), s.eps());
    assertEquals(sgd.get("lr"), s.sgdLr());
    assertEquals(sgd.get("momentum"), s.momentum());
  }
}
