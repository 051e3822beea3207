package dev.tfblend.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tfblend.model.FloatTensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The schedules of {@code scheduled-blend} (alpha hits {@code alpha_start} at the first update and
 * {@code alpha_end} at update {@code total_steps}, exactly) and {@code adam-cosine} (the rate starts
 * at {@code lr} and reaches 0 after {@code total_steps} updates).
 */
class ScheduleRulesTest {

  /** Evaluates {@code f(hyper, step)} in float32 for steps {@code steps}. */
  private static float[] eval(HyperparameterTable table, Map<String, Double> values,
      BiFunction<Hyperparameters<TFloat32>, Ops, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>>> f,
      double... steps) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Hyperparameters<TFloat32> h = Hyperparameters.create(tf.withSubScope("hyper"), TFloat32.class,
          table.operandDefaults());
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> at = f.apply(h, tf);
      Operand<?>[] outs = new Operand<?>[steps.length];
      for (int i = 0; i < steps.length; i++) {
        outs[i] = at.apply(tf.withSubScope("s" + i), tf.constant((float) steps[i]));
      }
      h.set(s, values);
      float[] r = new float[steps.length];
      for (int i = 0; i < steps.length; i++) {
        try (Tensor t = s.runner().fetch(outs[i]).run().get(0)) {
          r[i] = (float) FloatTensors.scalarValue(t);
        }
      }
      return r;
    }
  }

  private static float[] alphas(double start, double end, double cosine, double total, double... steps) {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("alpha_start", start);
    v.put("alpha_end", end);
    v.put("cosine", cosine);
    v.put("total_steps", total);
    return eval(ScheduledBlendRule.HYPERPARAMETERS, v, (h, tf) -> {
      ScheduledBlendRule<TFloat32> rule = ScheduledBlendRule.of(h);
      return rule::alpha;
    }, steps);
  }

  @Test
  void scheduledBlendHitsItsEndPointsExactly() {
    for (double cosine : new double[] {0, 1}) {
      float[] a = alphas(0.9, 0.13, cosine, 101, 1, 51, 101, 150);
      assertEquals(0.9f, a[0], 0.0f, "first update, cosine " + cosine);
      assertEquals(0.13f, a[2], 0.0f, "update total_steps, cosine " + cosine);
      assertEquals(0.13f, a[3], 0.0f, "after the run, cosine " + cosine);
      assertEquals((0.9f + 0.13f) / 2, a[1], 1e-6f, "half way, cosine " + cosine);
    }
    float[] adamToSgd = alphas(1, 0, 0, 11, 1, 2, 11);
    assertEquals(1.0f, adamToSgd[0], 0.0f);
    assertEquals(0.9f, adamToSgd[1], 1e-7f);
    assertEquals(0.0f, adamToSgd[2], 0.0f);
    // a cosine schedule leaves its start slowly: a quarter of the way it has moved 14.6%, not 25%
    float[] quarter = alphas(1, 0, 1, 101, 26);
    assertEquals(1 - (1 - Math.cos(Math.PI / 4)) / 2, quarter[0], 1e-6);
  }

  @Test
  void adamCosineDecaysTheRateToZeroOverTheRun() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("lr", 0.02);
    v.put("total_steps", 100.0);
    float[] lr = eval(AdamCosineRule.HYPERPARAMETERS, v, (h, tf) -> {
      AdamCosineRule<TFloat32> rule = AdamCosineRule.of(h);
      return rule::learningRate;
    }, 1, 51, 100, 101, 140);
    assertEquals(0.02f, lr[0], 0.0f, "the first update uses lr");
    assertEquals(0.01f, lr[1], 1e-8f, "half way: lr / 2");
    assertEquals(0.02 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, lr[2], 1e-8, "the last update still moves");
    assertEquals(0.0f, lr[3], 1e-9f, "zero after the run");
    assertEquals(0.0f, lr[4], 1e-9f, "and stays zero");
  }
}
