package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.model.Activation;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.Mlp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fresh blend gate is initialised with the model's {@link InitScheme}. */
class GateInitTest {

  private static double[][] gateAfterReinit(InitScheme scheme, long seed) {
    Mlp mlp = new Mlp(List.of(40, 16, 10), Activation.RELU, scheme);
    BlendedStepBuilder b = BlendedStepBuilder.defaults();
    try (TrainingGraph g = TrainingGraph.create(mlp, b)) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      g.reinitialize(seed, Map.of());
      assertEquals(scheme, ((BlendedStepBuilder.Built) g.step()).step().gate().mlp().init());
      return ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(g.session());
    }
  }

  @Test
  void torchDefaultGateHasRandomBiasesWithinTheFanInBound() {
    double[][] p = gateAfterReinit(InitScheme.TORCH_DEFAULT, 3);
    // gate layers: [n, 32, 1] with n the model's 810 parameters (flat gradients)
    double[] bounds = {1 / Math.sqrt(810), 1 / Math.sqrt(810), 1 / Math.sqrt(32), 1 / Math.sqrt(32)};
    for (int i = 0; i < p.length; i++) {
      double max = 0;
      for (double v : p[i]) {
        max = Math.max(max, Math.abs(v));
      }
      // float32 storage may round a value just past the double bound
      assertTrue(max > 0 && max <= bounds[i] * (1 + 1e-6), "gate parameter " + i + " max |v| " + max);
    }
    assertTrue(p[3][0] != 0.0, "output bias drawn");
  }

  @Test
  void heNormalGateKeepsZeroBiases() {
    double[][] p = gateAfterReinit(InitScheme.HE_NORMAL, 3);
    assertTrue(java.util.Arrays.stream(p[1]).allMatch(v -> v == 0.0));
    assertEquals(0.0, p[3][0]);
  }

  /** At a zero feature row alpha is sigmoid of the biases' path: exactly 0.5 only with zero biases. */
  @Test
  void alphaStartsAtOneHalfOnlyWithZeroBiases() {
    assertEquals(0.5, alphaAtZeroFeatures(InitScheme.HE_NORMAL), 0.0);
    double torch = alphaAtZeroFeatures(InitScheme.TORCH_DEFAULT);
    assertTrue(torch != 0.5 && Math.abs(torch - 0.5) < 0.1, "torch-default alpha " + torch);
  }

  private static double alphaAtZeroFeatures(InitScheme scheme) {
    Mlp mlp = new Mlp(List.of(40, 16, 10), Activation.RELU, scheme);
    BlendedStepBuilder b = BlendedStepBuilder.defaults();
    try (TrainingGraph g = TrainingGraph.create(mlp, b)) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      g.reinitialize(3, Map.of());
      double[][] gate = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(g.session());
      // alpha = sigmoid(relu(b1) . w2 + b2) at zero features, computed here from the read weights
      double logit = gate[3][0];
      for (int j = 0; j < gate[1].length; j++) {
        logit += Math.max(0, gate[1][j]) * gate[2][j];
      }
      return 1 / (1 + Math.exp(-logit));
    }
  }
}
