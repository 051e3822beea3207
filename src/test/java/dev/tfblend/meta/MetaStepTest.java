package dev.tfblend.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.BlendedStepBuilder;
import dev.tfblend.train.TrainingGraph;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The meta step's fused Adam update of the gate against a double-precision reference. */
class MetaStepTest {
  private static final Mlp SMALL = new Mlp(List.of(40, 16, 10), Activation.RELU);
  private static final Dataset TRAIN = GaussianBlobs.generate(300, 40, 10, 2.0, 11, 0);
  private static final Dataset VAL = GaussianBlobs.generate(100, 40, 10, 2.0, 11, 1);
  private static final Dataset TEST = GaussianBlobs.generate(100, 40, 10, 2.0, 11, 2);

  /**
   * Over 4 steps, from the meta-gradients fetched in the same run, the gate becomes
   * {@code psi - lr * mhat / (sqrt(vhat) + eps)} (Algorithm 1, as {@code AdamRule}), with m and v
   * carried in doubles. Tolerance 2e-7 absolute plus 1e-5 relative of the step
   * (float32 kernel against a double reference).
   */
  private static void gateUpdateMatchesAlgorithmOneAdam(GateFeatures.Mode mode) {
    double lr = 0.01;
    BlendedStepBuilder b = BlendedStepBuilder.defaults().gateInput(mode);
    try (TrainingGraph g = TrainingGraph.create(SMALL, b)) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(3, Map.of("meta_lr", lr));
      Session s = g.session();
      MetaStep<TFloat32> meta = ((BlendedStepBuilder.Built) g.step()).step().metaStep();
      List<Operand<TFloat32>> grads = meta.gateGradients();
      double[][] psi = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(s);
      double[][] m = new double[psi.length][];
      double[][] v = new double[psi.length][];
      for (int i = 0; i < psi.length; i++) {
        m[i] = new double[psi[i].length];
        v[i] = new double[psi[i].length];
      }
      double maxStep = 0;
      for (int t = 1; t <= 4; t++) {
        double[][] grad = new double[grads.size()][];
        try (TInt32 idx = TInt32.vectorOf(t, t + 10, t + 20, t + 30, t + 40);
            TInt32 mi = TInt32.vectorOf(t, t + 1, t + 2, t + 3, t + 4)) {
          Session.Runner r = s.runner().feed("train_step/batch_indices", idx).feed("meta_batch/indices", mi)
              .addTarget(((BlendedStepBuilder.Built) g.step()).step().target());
          grads.forEach(r::fetch);
          try (Result res = r.run()) {
            for (int i = 0; i < grad.length; i++) {
              grad[i] = FloatTensors.toDoubles(res.get(i));
            }
          }
        }
        double[][] after = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(s);
        for (int i = 0; i < psi.length; i++) {
          for (int k = 0; k < psi[i].length; k++) {
            double gk = grad[i][k];
            m[i][k] = 0.9 * m[i][k] + 0.1 * gk;
            v[i][k] = 0.999 * v[i][k] + 0.001 * gk * gk;
            double mhat = m[i][k] / (1 - Math.pow(0.9, t));
            double vhat = v[i][k] / (1 - Math.pow(0.999, t));
            double step = lr * mhat / (Math.sqrt(vhat) + 1e-8);
            double expected = psi[i][k] - step;
            maxStep = Math.max(maxStep, Math.abs(step));
            assertEquals(expected, after[i][k], 2e-7 + 1e-5 * Math.abs(step),
                mode + " gate parameter " + i + "[" + k + "] at meta step " + t);
          }
        }
        psi = after;
      }
      assertTrue(maxStep > 1e-3, "the gate moved (largest step " + maxStep + ")");
    }
  }

  @Test
  void fusedMetaAdamMatchesReferenceWithGradientStats() {
    gateUpdateMatchesAlgorithmOneAdam(GateFeatures.Mode.GRADIENT_STATS);
  }

  @Test
  void fusedMetaAdamMatchesReferenceWithFlatGradients() {
    gateUpdateMatchesAlgorithmOneAdam(GateFeatures.Mode.FLAT_GRADIENTS);
  }
}
