package dev.tfblend.tune.sampler;

import dev.tfblend.tune.Objective;
import dev.tfblend.tune.Trial;

/** Standard test functions of the sampler benchmark, as objectives over {@code suggestFloat}. */
final class TestFunctions {
  private TestFunctions() {}

  /** Branin on x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887. */
  static final Objective BRANIN =
      t -> {
        double x1 = t.suggestFloat("x1", -5, 10);
        double x2 = t.suggestFloat("x2", 0, 15);
        return branin(x1, x2);
      };

  static double branin(double x1, double x2) {
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double s = 10;
    double tt = 1 / (8 * Math.PI);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + s * (1 - tt) * Math.cos(x1) + s;
  }

  private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
  private static final double[][] A = {
    {10, 3, 17, 3.5, 1.7, 8},
    {0.05, 10, 17, 0.1, 8, 14},
    {3, 3.5, 1.7, 10, 17, 8},
    {17, 8, 0.05, 10, 0.1, 14}
  };
  private static final double[][] P = {
    {1312, 1696, 5569, 124, 8283, 5886},
    {2329, 4135, 8307, 3736, 1004, 9991},
    {2348, 1451, 3522, 2883, 3047, 6650},
    {4047, 8828, 8732, 5743, 1091, 381}
  };

  /** Hartmann-6 on [0, 1]^6; minimum -3.32237. */
  static final Objective HARTMANN6 =
      t -> {
        double[] x = new double[6];
        for (int j = 0; j < 6; j++) {
          x[j] = t.suggestFloat("x" + j, 0, 1);
        }
        return hartmann6(x);
      };

  static double hartmann6(double[] x) {
    double f = 0;
    for (int i = 0; i < 4; i++) {
      double s = 0;
      for (int j = 0; j < 6; j++) {
        double d = x[j] - P[i][j] * 1e-4;
        s += A[i][j] * d * d;
      }
      f -= ALPHA[i] * Math.exp(-s);
    }
    return f;
  }

  /** 5-D sphere on [-5, 5]^5; minimum 0. */
  static final Objective SPHERE5 =
      t -> {
        double f = 0;
        for (int j = 0; j < 5; j++) {
          double v = t.suggestFloat("x" + j, -5, 5);
          f += v * v;
        }
        return f;
      };

  /** Cheap 2-D quadratic on [-10, 10]^2 with its minimum 0 at (2, -3). */
  static double quadratic(Trial t) {
    double x = t.suggestFloat("x", -10, 10);
    double y = t.suggestFloat("y", -10, 10);
    return (x - 2) * (x - 2) + (y + 3) * (y + 3);
  }
}
