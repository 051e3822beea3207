package dev.tfblend.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * {@link DynamicBlendedOptimizer} through the standard {@code applyGradients} path: alpha 1 and 0
 * reproduce the plain rules bit for bit (float32, several steps, params and slots), and the
 * optimizer trains a logistic regression a user builds.
 */
class DynamicBlendedOptimizerTest {
  private static final int STEPS = 6;
  private static final float[] THETA0 = {0.5f, -1.25f, 2.0f, 0.01f, -0.3f, 0.7f};
  private static final float[] C = {0.3f, 0.1f, -0.4f, 0.0f, 0.2f, -0.1f};

  /**
   * The gradient theta^3 - c of sum(theta^4/4 - c*theta), written out (both sides get the same
   * ops, so the comparison is bit for bit; addGradients is covered elsewhere).
   */
  private static Operand<TFloat32> grad(Ops tf, Operand<TFloat32> th) {
    return tf.math.sub(tf.math.mul(th, tf.math.mul(th, th)), tf.constant(C));
  }

  /**
   * Two copies of theta in one graph: one updated by the blend through applyGradients with
   * constant alpha, one by {@code reference} written directly. Returns, per step, {blend theta,
   * blend slots of the side compared..., reference theta, reference slots...}.
   */
  private static void compare(double alpha, int side,
      BiFunction<Ops, Operand<TFloat32>[], UpdateRule<TFloat32>> reference) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat32> blendTheta = ParameterSet.builder(tf.withSubScope("blend_model"), TFloat32.class)
          .add("theta", new long[] {THETA0.length}, (sh, r) -> toD(THETA0)).build();
      ParameterSet<TFloat32> refTheta = ParameterSet.builder(tf.withSubScope("ref_model"), TFloat32.class)
          .add("theta", new long[] {THETA0.length}, (sh, r) -> toD(THETA0)).build();
      DynamicBlendedOptimizer.Settings set = new DynamicBlendedOptimizer.Settings(0.05, 0.8, 0.95, 1e-3, 0.1, 0.9);
      DynamicBlendedOptimizer<TFloat32> opt =
          DynamicBlendedOptimizer.adamSgd(g, TFloat32.class, set, AlphaSource.constant(alpha));
      List<GradAndVar<? extends TType>> gv = List.of(new GradAndVar<>(
          grad(tf, blendTheta.value(0)).asOutput(), blendTheta.variable(0).asOutput()));
      Op blendStep = opt.applyGradients(gv, "blend_step");

      @SuppressWarnings("unchecked")
      Operand<TFloat32>[] hp = new Operand[] {
        tf.constant((float) set.adamLr()), tf.constant((float) set.beta1()), tf.constant((float) set.beta2()),
        tf.constant((float) set.eps()), tf.constant((float) set.sgdLr()), tf.constant((float) set.momentum())};
      UpdateRule<TFloat32> ref = reference.apply(tf, hp);
      ParameterSet.Builder<TFloat32> sb = ParameterSet.builder(tf.withSubScope("ref_slots"), TFloat32.class);
      ref.slotNames().forEach(n -> sb.add(n, new long[] {THETA0.length}, Init.zeros()));
      ParameterSet<TFloat32> refSlots = sb.build();
      ParameterSet<TFloat32> refStep = ParameterSet.builder(tf.withSubScope("ref"), TFloat32.class)
          .add("step", new long[0], Init.zeros()).build();
      Operand<TFloat32> th = refTheta.value(0);
      Operand<TFloat32> t = tf.math.add(refStep.value(0), tf.constant(1.0f));
      UpdateRule.Update<TFloat32> u = ref.update(tf, grad(tf, th), th, refSlots.values(), t);
      List<Op> deps = new ArrayList<>(u.nextSlots());
      deps.add(u.increment());
      deps.add(t);
      Ops after = tf.withControlDependencies(deps);
      List<Op> assigns = new ArrayList<>();
      assigns.add(after.assignAdd(refTheta.variable(0), u.increment()));
      for (int k = 0; k < refSlots.size(); k++) {
        assigns.add(after.assign(refSlots.variable(k), u.nextSlots().get(k)));
      }
      assigns.add(after.assign(refStep.variable(0), t));
      Op refUpdate = tf.withControlDependencies(assigns).noOp();

      blendTheta.initialize(s, 0);
      refTheta.initialize(s, 0);
      refSlots.initialize(s, 0);
      refStep.initialize(s, 0);
      List<String> blendSlotNames = opt.rule().slotNames();
      String prefix = side == 0 ? "a/" : "b/";
      for (int step = 1; step <= STEPS; step++) {
        s.runner().addTarget(blendStep).addTarget(refUpdate).run().close();
        assertArrayEquals(refTheta.read(s)[0], blendTheta.read(s)[0], "theta at step " + step);
        double[][] rs = refSlots.read(s);
        for (int k = 0; k < ref.slotNames().size(); k++) {
          String slotName = prefix + ref.slotNames().get(k);
          assertTrue(blendSlotNames.contains(slotName), slotName);
          Variable<TFloat32> slot = opt.getSlot(blendTheta.variable(0).asOutput(), slotName).orElseThrow();
          try (Result r = s.runner().fetch(slot).run()) {
            assertArrayEquals(rs[k], FloatTensors.toDoubles(r.get(0)), slotName + " at step " + step);
          }
        }
        try (Result r = s.runner().fetch(opt.stepCounter()).run()) {
          assertEquals(step, FloatTensors.scalarValue(r.get(0)));
        }
      }
    }
  }

  private static double[] toD(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void blendWithAlphaOneMatchesAdamBitForBit() {
    compare(1.0, 0, (tf, hp) -> AdamRule.of(hp[0], hp[1], hp[2], hp[3]));
  }

  @Test
  void blendWithAlphaZeroMatchesMomentumBitForBit() {
    compare(0.0, 1, (tf, hp) -> MomentumRule.of(hp[4], hp[5], null, false));
  }

  @Test
  void trainsAUsersLogisticRegression() {
    int n = 200;
    int d = 3;
    float[] w = {1.5f, -2.0f, 0.5f};
    SplittableRandom rng = new SplittableRandom(11);
    float[] xs = new float[n * d];
    float[] ys = new float[n];
    for (int i = 0; i < n; i++) {
      double z = 0.3;
      for (int j = 0; j < d; j++) {
        xs[i * d + j] = (float) rng.nextGaussian();
        z += w[j] * xs[i * d + j];
      }
      ys[i] = z > 0 ? 1f : 0f;
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // the user's own model: variables with graph initialisers, nothing from dev.tfblend.model
      Variable<TFloat32> weights = tf.withName("w").variable(tf.zeros(tf.constant(new long[] {d, 1}), TFloat32.class));
      Variable<TFloat32> bias = tf.withName("b").variable(tf.zeros(tf.constant(new long[] {1}), TFloat32.class));
      Operand<TFloat32> x = tf.reshape(tf.constant(xs), tf.constant(new long[] {n, d}));
      Operand<TFloat32> y = tf.reshape(tf.constant(ys), tf.constant(new long[] {n, 1}));
      Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(x, tf.identity(weights)), tf.identity(bias));
      // log(1 + exp(-|z|)) + max(z, 0) - z*y: numerically stable logistic loss
      Operand<TFloat32> perRow = tf.math.add(tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, y)),
          tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
      Operand<TFloat32> loss = tf.math.mean(perRow, tf.constant(new int[] {0, 1}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {weights.asOutput(), bias.asOutput()});
      DynamicBlendedOptimizer<TFloat32> opt = DynamicBlendedOptimizer.adamSgd(g, TFloat32.class,
          DynamicBlendedOptimizer.Settings.defaults(), AlphaSource.constant(0.5));
      @SuppressWarnings("unchecked")
      List<GradAndVar<? extends TType>> gv = List.of(
          new GradAndVar<>((Output<TFloat32>) grads[0], weights.asOutput()),
          new GradAndVar<>((Output<TFloat32>) grads[1], bias.asOutput()));
      Op train = opt.applyGradients(gv, "train");
      Operand<TFloat32> acc = tf.math.mean(tf.dtypes.cast(tf.math.equal(
          tf.math.greater(logits, tf.constant(0f)), tf.math.greater(y, tf.constant(0.5f))), TFloat32.class),
          tf.constant(new int[] {0, 1}));
      double first;
      try (Result r = s.runner().fetch(loss).run()) {
        first = FloatTensors.scalarValue(r.get(0));
      }
      for (int i = 0; i < 300; i++) {
        s.run(train);
      }
      try (Result r = s.runner().fetch(loss).fetch(acc).run()) {
        double last = FloatTensors.scalarValue(r.get(0));
        double accuracy = FloatTensors.scalarValue(r.get(1));
        assertEquals(Math.log(2), first, 1e-6);
        assertTrue(last < 0.25, "loss after 300 steps " + last);
        assertTrue(accuracy > 0.95, "accuracy " + accuracy);
      }
      // reset zeroes the optimizer's state
      opt.reset(s);
      try (Result r = s.runner().fetch(opt.stepCounter()).fetch(opt.getSlot(weights.asOutput(), "a/m").orElseThrow()).run()) {
        assertEquals(0.0, FloatTensors.scalarValue(r.get(0)));
        assertArrayEquals(new double[d], FloatTensors.toDoubles(r.get(1)));
      }
    }
  }

  @Test
  void createSlotsIsIdempotentAcrossTwoApplyCalls() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> v = tf.withName("v").variable(tf.constant(new float[] {1f, 2f}));
      Operand<TFloat32> l = tf.reduceSum(tf.math.square(tf.identity(v)), tf.constant(0));
      Output<?>[] gr = g.addGradients(l.asOutput(), new Output<?>[] {v.asOutput()});
      DynamicBlendedOptimizer<TFloat32> opt = DynamicBlendedOptimizer.adamSgd(g, TFloat32.class,
          DynamicBlendedOptimizer.Settings.defaults(), AlphaSource.constant(1.0));
      @SuppressWarnings("unchecked")
      List<GradAndVar<? extends TType>> gv = List.of(new GradAndVar<>((Output<TFloat32>) gr[0], v.asOutput()));
      opt.applyGradients(gv, "one");
      Variable<TFloat32> m = opt.getSlot(v.asOutput(), "a/m").orElseThrow();
      opt.applyGradients(gv, "two");
      assertEquals(m.op().name(), opt.getSlot(v.asOutput(), "a/m").orElseThrow().op().name());
      assertEquals("blended/slots/v/a/m", m.op().name());
    }
  }

  @Test
  void rejectsNonFiniteHyperparametersNamingThem() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> new DynamicBlendedOptimizer.Settings(Double.NaN, 0.9, 0.999, 1e-8, 0.05, 0.9));
    assertTrue(e.getMessage().contains("adam_lr"), e.getMessage());
    e = assertThrows(BadInputException.class,
        () -> new DynamicBlendedOptimizer.Settings(1e-3, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY, 0.9));
    assertTrue(e.getMessage().contains("sgd_lr") && e.getMessage().contains("finite"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> AlphaSource.constant(1.5));
    assertTrue(e.getMessage().contains("alpha"), e.getMessage());
  }

  @Test
  void constantAlphaHasShapeOfAScalar() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = AlphaSource.<TFloat32>constant(0.25).alpha(tf,
          new BlendContext<>(TFloat32.class, List.of(), List.of(), List.of(), List.of(), tf.constant(1f)));
      assertEquals(Shape.scalar(), a.shape());
    }
  }
}
