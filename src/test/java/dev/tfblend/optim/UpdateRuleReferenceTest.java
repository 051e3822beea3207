package dev.tfblend.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.junit.jupiter.api.Test;

/**
 * Each rule, applied for several steps in a graph, against a plain-Java double reference, on
 * parameters and slots. The gradient is a fixed nonlinear function of theta ({@code g = theta^3
 * - c}) so slots see changing gradients. Float64 throughout; tolerance 1e-12 relative.
 */
class UpdateRuleReferenceTest {
  private static final double[] THETA0 = {0.5, -1.25, 2.0, 0.01};
  private static final double[] C = {0.3, 0.1, -0.4, 0.0};
  private static final int STEPS = 5;

  /** Runs {@code rule} in a graph for STEPS steps; returns per step [theta, slot0, slot1...]. */
  private static List<double[][]> runGraph(
      Function<Hyperparameters<TFloat64>, UpdateRule<TFloat64>> ruleFactory, Map<String, Double> hyper) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat64> theta = ParameterSet.builder(tf.withSubScope("model"), TFloat64.class)
          .add("theta", new long[] {THETA0.length}, (shape, rng) -> THETA0.clone()).build();
      Hyperparameters<TFloat64> h = Hyperparameters.create(tf.withSubScope("hyper"), TFloat64.class,
          new LinkedHashMap<>(hyper));
      UpdateRule<TFloat64> rule = ruleFactory.apply(h);
      ParameterSet.Builder<TFloat64> sb = ParameterSet.builder(tf.withSubScope("slots"), TFloat64.class);
      for (String n : rule.slotNames()) {
        sb.add(n, new long[] {THETA0.length}, Init.zeros());
      }
      ParameterSet<TFloat64> slots = sb.build();
      ParameterSet<TFloat64> step = ParameterSet.builder(tf.withSubScope("opt"), TFloat64.class)
          .add("step", new long[0], Init.zeros()).build();
      Operand<TFloat64> th = theta.value(0);
      Operand<TFloat64> grad = tf.math.sub(tf.math.mul(th, tf.math.mul(th, th)), tf.constant(C));
      Operand<TFloat64> t = tf.math.add(step.value(0), tf.constant(1.0));
      UpdateRule.Update<TFloat64> u = rule.update(tf, grad, th, slots.values(), t);
      List<Op> deps = new ArrayList<>();
      deps.add(u.increment());
      deps.addAll(u.nextSlots());
      deps.add(t);
      Ops after = tf.withControlDependencies(deps);
      List<Op> assigns = new ArrayList<>();
      assigns.add(after.assignAdd(theta.variable(0), u.increment()));
      for (int k = 0; k < slots.size(); k++) {
        assigns.add(after.assign(slots.variable(k), u.nextSlots().get(k)));
      }
      assigns.add(after.assign(step.variable(0), t));
      Op train = tf.withControlDependencies(assigns).noOp();

      theta.initialize(s, 0);
      slots.initialize(s, 0);
      step.initialize(s, 0);
      h.set(s, Map.of());
      List<double[][]> out = new ArrayList<>();
      for (int i = 0; i < STEPS; i++) {
        s.runner().addTarget(train).run().close();
        double[][] row = new double[1 + slots.size()][];
        row[0] = theta.read(s)[0];
        double[][] sv = slots.read(s);
        System.arraycopy(sv, 0, row, 1, sv.length);
        out.add(row);
      }
      return out;
    }
  }

  private static double[] grad(double[] th) {
    double[] g = new double[th.length];
    for (int i = 0; i < th.length; i++) {
      g[i] = th[i] * th[i] * th[i] - C[i];
    }
    return g;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      double tol = 1e-12 * Math.max(1.0, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
    }
  }

  @Test
  void adamMatchesAlgorithmOneOverFiveSteps() {
    double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-3;
    Map<String, Double> hp = new LinkedHashMap<>();
    hp.put("lr", lr);
    hp.put("beta1", b1);
    hp.put("beta2", b2);
    hp.put("eps", eps);
    List<double[][]> graph = runGraph(h -> AdamRule.of(h.get("lr"), h.get("beta1"), h.get("beta2"), h.get("eps")), hp);
    double[] th = THETA0.clone();
    double[] m = new double[th.length];
    double[] v = new double[th.length];
    for (int t = 1; t <= STEPS; t++) {
      double[] g = grad(th);
      for (int i = 0; i < th.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double mhat = m[i] / (1 - Math.pow(b1, t));
        double vhat = v[i] / (1 - Math.pow(b2, t));
        th[i] += -lr * mhat / (Math.sqrt(vhat) + eps);
      }
      double[][] row = graph.get(t - 1);
      assertClose(th, row[0], "theta step " + t);
      assertClose(m, row[1], "m step " + t);
      assertClose(v, row[2], "v step " + t);
    }
  }

  private static void checkMomentum(boolean nesterov, double wd) {
    double lr = 0.1, mu = 0.9;
    Map<String, Double> hp = new LinkedHashMap<>();
    hp.put("lr", lr);
    hp.put("momentum", mu);
    hp.put("weight_decay", wd);
    List<double[][]> graph = runGraph(h -> MomentumRule.of(h.get("lr"), h.get("momentum"), h.get("weight_decay"), nesterov), hp);
    double[] th = THETA0.clone();
    double[] buf = new double[th.length];
    for (int t = 1; t <= STEPS; t++) {
      double[] g = grad(th);
      for (int i = 0; i < th.length; i++) {
        double gi = g[i] + wd * th[i];
        buf[i] = mu * buf[i] + gi;
        double d = nesterov ? gi + mu * buf[i] : buf[i];
        th[i] -= lr * d;
      }
      double[][] row = graph.get(t - 1);
      assertClose(th, row[0], "theta step " + t);
      assertClose(buf, row[1], "momentum step " + t);
    }
  }

  @Test
  void momentumMatchesPyTorchSemantics() {
    checkMomentum(false, 0.0);
  }

  @Test
  void nesterovMomentumMatchesPyTorchSemantics() {
    checkMomentum(true, 0.0);
  }

  @Test
  void momentumWithWeightDecayMatchesPyTorchSemantics() {
    checkMomentum(false, 0.01);
    checkMomentum(true, 0.01);
  }

  @Test
  void scalarTensorsRoundTrip() {
    try (TFloat64 t = FloatTensors.scalar(TFloat64.class, 2.5)) {
      assertEquals(2.5, FloatTensors.scalarValue(t));
    }
  }
}
