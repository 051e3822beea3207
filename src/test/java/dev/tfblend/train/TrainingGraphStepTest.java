package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The whole train step of a {@link TrainingGraph} (batch gather, loss, gradients, rule, ordered
 * assigns, step counter) against Java Adam and momentum updates driven by gradients computed in
 * a separate graph at the same parameters, over four steps. Float32 in the graph, double in Java:
 * tolerance 2e-5 absolute plus 1e-4 relative.
 */
class TrainingGraphStepTest {
  private static final Mlp MLP = new Mlp(List.of(40, 16, 10), Activation.TANH);
  private static final Dataset DATA = GaussianBlobs.generate(64, 40, 10, 1.0, 3, 0);
  private static final int[][] BATCHES = {{0, 5, 9, 13}, {2, 7, 11}, {20, 21, 22, 23, 24}, {1, 3}};

  /** Gradients of the mean batch cross-entropy at {@code theta}, from an independent graph. */
  private static double[][] gradients(double[][] theta, int[] rows) {
    float[][] x = new float[rows.length][];
    float[][] y = new float[rows.length][10];
    for (int i = 0; i < rows.length; i++) {
      x[i] = new float[40];
      for (int j = 0; j < 40; j++) {
        x[i][j] = (float) DATA.x()[rows[i]][j];
      }
      y[i][DATA.y()[rows[i]]] = 1f;
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat32> p = MLP.parameters(tf, TFloat32.class);
      Operand<TFloat32> loss = Mlp.crossEntropy(tf, MLP.logits(tf, p, tf.constant(x)), tf.constant(y));
      List<Operand<TFloat32>> grads = p.gradients(g, loss);
      p.assign(s, theta);
      Session.Runner r = s.runner();
      grads.forEach(r::fetch);
      double[][] out = new double[grads.size()][];
      try (Result res = r.run()) {
        for (int i = 0; i < out.length; i++) {
          out[i] = FloatTensors.toDoubles(res.get(i));
        }
      }
      return out;
    }
  }

  private interface JavaRule {
    void step(double[][] theta, double[][] g, int t);
  }

  private static void check(StepBuilder builder, Map<String, Double> hp, JavaRule rule) {
    try (TrainingGraph tg = TrainingGraph.create(MLP, builder)) {
      tg.loadData(DATA, DATA, DATA);
      tg.reinitialize(8, hp);
      double[][] expected = tg.parameterValues();
      for (int t = 1; t <= BATCHES.length; t++) {
        double[][] g = gradients(expected, BATCHES[t - 1]);
        tg.trainStep(BATCHES[t - 1]);
        rule.step(expected, g, t);
        double[][] actual = tg.parameterValues();
        for (int i = 0; i < expected.length; i++) {
          for (int k = 0; k < expected[i].length; k++) {
            assertEquals(expected[i][k], actual[i][k], 2e-5 + 1e-4 * Math.abs(expected[i][k]),
                builder.name() + " step " + t + " param " + i + "[" + k + "]");
          }
        }
        // continue from the graph's values so float32 rounding does not accumulate
        expected = actual;
      }
    }
  }

  @Test
  void adamTrainStepMatchesJavaAdam() {
    double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double[][][] mv = new double[2][][];
    check(Optimizers.stepBuilder("adam", Map.of()), Map.of("lr", lr), (theta, g, t) -> {
      if (mv[0] == null) {
        mv[0] = new double[theta.length][];
        mv[1] = new double[theta.length][];
        for (int i = 0; i < theta.length; i++) {
          mv[0][i] = new double[theta[i].length];
          mv[1][i] = new double[theta[i].length];
        }
      }
      for (int i = 0; i < theta.length; i++) {
        for (int k = 0; k < theta[i].length; k++) {
          mv[0][i][k] = b1 * mv[0][i][k] + (1 - b1) * g[i][k];
          mv[1][i][k] = b2 * mv[1][i][k] + (1 - b2) * g[i][k] * g[i][k];
          double mhat = mv[0][i][k] / (1 - Math.pow(b1, t));
          double vhat = mv[1][i][k] / (1 - Math.pow(b2, t));
          theta[i][k] -= lr * mhat / (Math.sqrt(vhat) + eps);
        }
      }
    });
  }

  @Test
  void nesterovMomentumTrainStepMatchesJava() {
    double lr = 0.1, mu = 0.8, wd = 0.01;
    double[][][] buf = new double[1][][];
    check(Optimizers.stepBuilder("sgd", Map.of("nesterov", 1.0)), Map.of("lr", lr, "momentum", mu, "weight_decay", wd), (theta, g, t) -> {
      if (buf[0] == null) {
        buf[0] = new double[theta.length][];
        for (int i = 0; i < theta.length; i++) {
          buf[0][i] = new double[theta[i].length];
        }
      }
      for (int i = 0; i < theta.length; i++) {
        for (int k = 0; k < theta[i].length; k++) {
          double gi = g[i][k] + wd * theta[i][k];
          buf[0][i][k] = mu * buf[0][i][k] + gi;
          theta[i][k] -= lr * (gi + mu * buf[0][i][k]);
        }
      }
    });
  }
}
