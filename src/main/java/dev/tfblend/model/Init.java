package dev.tfblend.model;

import com.google.common.base.Preconditions;
import java.util.SplittableRandom;

/**
 * How a variable's initial values are drawn, on the Java side, from a seeded generator.
 *
 * <p>Shapes follow the MLP convention: a kernel is {@code [fanIn, fanOut]}, a bias
 * {@code [fanOut]}. Implementations must draw exactly {@code product(shape)} values from
 * {@code rng} in row-major order and nothing else, so the same seed always gives the same values
 * on every JVM ({@link SplittableRandom}'s algorithm is specified).
 */
@FunctionalInterface
public interface Init {

  /** Draws the values of a variable of {@code shape}. */
  double[] sample(long[] shape, SplittableRandom rng);

  /** All zeros. */
  static Init zeros() {
    return constant(0.0);
  }

  /** Every value {@code c}. */
  static Init constant(double c) {
    return (shape, rng) -> {
      double[] v = new double[size(shape)];
      java.util.Arrays.fill(v, c);
      return v;
    };
  }

  /**
   * Glorot (Xavier) uniform: {@code U(-a, a)} with {@code a = sqrt(6 / (fanIn + fanOut))}
   * (Glorot and Bengio 2010). Suits tanh and sigmoid layers.
   */
  static Init glorotUniform() {
    return (shape, rng) -> {
      double a = Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
      return uniform(shape, rng, a);
    };
  }

  /**
   * He (Kaiming) normal: {@code N(0, 2 / fanIn)} (He et al. 2015). Suits ReLU layers.
   */
  static Init heNormal() {
    return (shape, rng) -> {
      double std = Math.sqrt(2.0 / fanIn(shape));
      double[] v = new double[size(shape)];
      for (int i = 0; i < v.length; i++) {
        v[i] = std * rng.nextGaussian();
      }
      return v;
    };
  }

  /**
   * {@code U(-a, a)} for a fixed bound {@code a >= 0}, drawn as {@code (2u - 1) a} with
   * {@code u = rng.nextDouble()} (the {@code torch-default} kernels and biases use
   * {@code a = 1/sqrt(fanIn)} of their layer).
   */
  static Init uniform(double a) {
    Preconditions.checkArgument(a >= 0 && Double.isFinite(a), "uniform bound must be finite and >= 0, got %s", a);
    return (shape, rng) -> uniform(shape, rng, a);
  }

  /** He (Kaiming) uniform: {@code U(-a, a)} with {@code a = sqrt(6 / fanIn)}. */
  static Init heUniform() {
    return (shape, rng) -> uniform(shape, rng, Math.sqrt(6.0 / fanIn(shape)));
  }

  /** Number of values of a variable of {@code shape}. */
  static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      Preconditions.checkArgument(d >= 0, "negative dimension in shape %s", java.util.Arrays.toString(shape));
      n *= d;
    }
    return Math.toIntExact(n);
  }

  private static long fanIn(long[] shape) {
    return shape.length == 0 ? 1 : shape[0];
  }

  private static long fanOut(long[] shape) {
    return shape.length < 2 ? fanIn(shape) : shape[shape.length - 1];
  }

  private static double[] uniform(long[] shape, SplittableRandom rng, double a) {
    double[] v = new double[size(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (2.0 * rng.nextDouble() - 1.0) * a;
    }
    return v;
  }
}
