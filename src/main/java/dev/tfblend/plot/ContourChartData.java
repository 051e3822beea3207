package dev.tfblend.plot;

import dev.tfblend.tune.StudyDirection;
import java.util.ArrayList;
import java.util.List;

/**
 * What a contour plot shows, as Optuna's {@code plot_contour} draws it: for each ordered pair of
 * parameters (sorted by name; with two parameters one panel, with more a matrix whose diagonal
 * is empty), the objective interpolated over the plane of the two parameters, with the
 * completed trials as points.
 *
 * <p>The surface is computed as Optuna's matplotlib backend computes it (which follows Plotly's
 * {@code interp2d}): a {@value #GRID_SIZE} x {@value #GRID_SIZE} grid spaced evenly over each
 * padded axis in display space (log10 for log axes), each trial's value put in its nearest
 * cell (a later trial overwrites an earlier one in the same cell), and every other cell
 * solved from the discrete Laplace equation {@code 4 z[x,y] = sum of its in-grid neighbours}
 * (zero-derivative edges), so the surface passes through the trials and is as smooth as
 * possible between them. A pair needs at least two distinct values on each axis, as in Optuna.
 *
 * @param name what was optimized, shown in the title
 * @param direction the study's direction (the colour scale is reversed when minimizing)
 * @param points the completed trials
 */
public record ContourChartData(String name, StudyDirection direction, TrialPoints points) {

  /** Grid points per axis (Optuna's {@code CONTOUR_POINT_NUM}). */
  public static final int GRID_SIZE = 100;

  /**
   * An interpolated surface.
   *
   * @param x grid positions along the x axis, in display space, ascending
   * @param y grid positions along the y axis, in display space, ascending
   * @param z {@code z[j][i]} is the surface at {@code (x[i], y[j])}
   */
  public record Grid(double[] x, double[] y, double[][] z) {
    /** The same surface with the axes swapped: {@code transpose().z()[i][j] == z()[j][i]}. */
    public Grid transpose() {
      double[][] t = new double[x.length][y.length];
      for (int j = 0; j < y.length; j++) {
        for (int i = 0; i < x.length; i++) {
          t[i][j] = z[j][i];
        }
      }
      return new Grid(y, x, t);
    }
  }

  /**
   * One panel's trials.
   *
   * @param xAxis the parameter on the horizontal axis
   * @param yAxis the parameter on the vertical axis
   * @param x the trials' positions on {@code xAxis}
   * @param y the trials' positions on {@code yAxis}
   * @param values the trials' objective values
   */
  public record Pair(ParamAxis xAxis, ParamAxis yAxis, double[] x, double[] y, double[] values) {
    /** Whether both axes have at least two distinct values, so a surface can be drawn. */
    public boolean drawable() {
      return distinct(x) >= 2 && distinct(y) >= 2;
    }

    private static long distinct(double[] v) {
      return java.util.Arrays.stream(v).distinct().count();
    }
  }

  public ContourChartData {
    ChartArgs.checkTrialChart(name, direction, points);
  }

  /** The chart title: {@code "Contour Plot — <name>"}. */
  public String title() {
    return "Contour Plot \u2014 " + name;
  }

  /** The parameters, sorted by name. */
  public List<ParamAxis> axes() {
    return points.axes();
  }

  /** Whether there is anything to draw: two or more parameters and a completed trial. */
  public boolean hasPanels() {
    return points.axes().size() >= 2 && points.size() > 0;
  }

  /** The trials of the panel with parameter {@code xi} across and {@code yi} up. */
  public Pair pair(int xi, int yi) {
    if (xi == yi) {
      throw new IllegalArgumentException("a contour panel needs two different parameters");
    }
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      double px = points.position(i, xi);
      double py = points.position(i, yi);
      if (!Double.isNaN(px) && !Double.isNaN(py)) {
        rows.add(new double[] {px, py, points.value(i)});
      }
    }
    double[] x = new double[rows.size()];
    double[] y = new double[rows.size()];
    double[] v = new double[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      x[r] = rows.get(r)[0];
      y[r] = rows.get(r)[1];
      v[r] = rows.get(r)[2];
    }
    return new Pair(points.axes().get(xi), points.axes().get(yi), x, y, v);
  }

  /** The interpolated surface of a panel, over its padded axes. */
  public static Grid grid(Pair pair, int size) {
    if (!pair.drawable()) {
      throw new IllegalArgumentException(
          "contour " + pair.xAxis().name() + " x " + pair.yAxis().name()
              + " needs at least two distinct values on each axis");
    }
    double[] gx = linspace(displayRange(pair.xAxis()), size);
    double[] gy = linspace(displayRange(pair.yAxis()), size);
    double[][] z = new double[size][size];
    boolean[][] known = new boolean[size][size];
    double sum = 0;
    for (int t = 0; t < pair.values().length; t++) {
      int i = nearest(gx, pair.xAxis().toDisplay(pair.x()[t]));
      int j = nearest(gy, pair.yAxis().toDisplay(pair.y()[t]));
      z[j][i] = pair.values()[t];
      known[j][i] = true;
    }
    int count = 0;
    for (int j = 0; j < size; j++) {
      for (int i = 0; i < size; i++) {
        if (known[j][i]) {
          sum += z[j][i];
          count++;
        }
      }
    }
    double mean = sum / count;
    for (int j = 0; j < size; j++) {
      for (int i = 0; i < size; i++) {
        if (!known[j][i]) {
          z[j][i] = mean;
        }
      }
    }
    solveLaplace(z, known, 1e-10);
    return new Grid(gx, gy, z);
  }

  /**
   * Solves the Laplace equation on the unknown cells, the known cells held fixed: the system
   * {@code deg(c) z[c] - sum of its unknown neighbours = sum of its known neighbours} is the
   * grid's graph Laplacian restricted to the unknown cells, symmetric and positive definite
   * when at least one cell is known, so conjugate gradients solve it, preconditioned with its
   * modified incomplete Cholesky factor (about 75 iterations on a 100 x 100 grid instead of about
   * 560; Optuna uses a sparse direct solver; the solution is the same). Stops when the residual's
   * norm is below {@code tolerance} times the right-hand side's (or that of the known values).
   */
  private static void solveLaplace(double[][] z, boolean[][] known, double tolerance) {
    int n = z.length;
    int m = z[0].length;
    double[] x = new double[n * m];
    double[] b = new double[n * m];
    boolean[] free = new boolean[n * m];
    double scale = 0;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        int c = j * m + i;
        free[c] = !known[j][i];
        x[c] = z[j][i];
        if (known[j][i]) {
          scale = Math.max(scale, Math.abs(z[j][i]));
        }
      }
    }
    for (int c = 0; c < b.length; c++) {
      if (!free[c]) {
        continue;
      }
      int j = c / m;
      int i = c % m;
      double s = 0;
      if (i > 0 && !free[c - 1]) {
        s += x[c - 1];
      }
      if (i < m - 1 && !free[c + 1]) {
        s += x[c + 1];
      }
      if (j > 0 && !free[c - m]) {
        s += x[c - m];
      }
      if (j < n - 1 && !free[c + m]) {
        s += x[c + m];
      }
      b[c] = s;
    }
    double[] ax = new double[x.length];
    apply(x, free, n, m, ax);
    double[] r = new double[x.length];
    double rr = 0;
    double bb = 0;
    for (int c = 0; c < x.length; c++) {
      if (free[c]) {
        r[c] = b[c] - ax[c];
        rr += r[c] * r[c];
        bb += b[c] * b[c];
      }
    }
    double stop = Math.pow(tolerance, 2) * Math.max(bb, scale * scale);
    double[] precon = micPreconditioner(free, n, m);
    double[] q = new double[x.length];
    double[] zr = new double[x.length];
    precondition(r, free, n, m, precon, q, zr);
    double[] p = zr.clone();
    double rz = dot(r, zr);
    double[] ap = new double[x.length];
    for (int it = 0; it < 10 * x.length && rr > stop; it++) {
      apply(p, free, n, m, ap);
      double alpha = rz / dot(p, ap);
      double next = 0;
      for (int c = 0; c < x.length; c++) {
        if (free[c]) {
          x[c] += alpha * p[c];
          r[c] -= alpha * ap[c];
          next += r[c] * r[c];
        }
      }
      rr = next;
      if (rr <= stop) {
        break;
      }
      precondition(r, free, n, m, precon, q, zr);
      double rzNext = dot(r, zr);
      double beta = rzNext / rz;
      rz = rzNext;
      for (int c = 0; c < x.length; c++) {
        if (free[c]) {
          p[c] = zr[c] + beta * p[c];
        }
      }
    }
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        z[j][i] = x[j * m + i];
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int c = 0; c < a.length; c++) {
      s += a[c] * b[c];
    }
    return s;
  }

  /**
   * The modified incomplete Cholesky factor MIC(0) of the restricted Laplacian, as the inverse
   * square roots of its diagonal ({@code 0} for fixed cells): {@code A ~ L L^T} with {@code L}'s
   * off-diagonal entries those of {@code A}. Used as the conjugate gradients' preconditioner it
   * cuts the iterations several times over on these grids; the solution solves the same system
   * to the same tolerance.
   */
  private static double[] micPreconditioner(boolean[] free, int n, int m) {
    final double tau = 0.97;
    final double sigma = 0.25;
    double[] precon = new double[n * m];
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        int c = j * m + i;
        if (!free[c]) {
          continue;
        }
        double diag = (i > 0 ? 1 : 0) + (i < m - 1 ? 1 : 0) + (j > 0 ? 1 : 0) + (j < n - 1 ? 1 : 0);
        double e = diag;
        if (i > 0 && free[c - 1]) {
          // A's entry to the west neighbour is -1; that neighbour's entries east (to c) and north
          double west = precon[c - 1];
          double westUp = j < n - 1 && free[c - 1 + m] ? -1 : 0;
          e -= west * west + tau * (-1) * westUp * west * west;
        }
        if (j > 0 && free[c - m]) {
          double south = precon[c - m];
          double southRight = i < m - 1 && free[c - m + 1] ? -1 : 0;
          e -= south * south + tau * (-1) * southRight * south * south;
        }
        if (e < sigma * diag) {
          e = diag;
        }
        precon[c] = 1 / Math.sqrt(e);
      }
    }
    return precon;
  }

  /** {@code z = (L L^T)^-1 r} with {@code L} from {@link #micPreconditioner}; {@code q} is scratch. */
  private static void precondition(double[] r, boolean[] free, int n, int m, double[] precon, double[] q,
      double[] z) {
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        int c = j * m + i;
        if (!free[c]) {
          q[c] = 0;
          continue;
        }
        double t = r[c];
        if (i > 0 && free[c - 1]) {
          t += precon[c - 1] * q[c - 1];
        }
        if (j > 0 && free[c - m]) {
          t += precon[c - m] * q[c - m];
        }
        q[c] = t * precon[c];
      }
    }
    for (int j = n - 1; j >= 0; j--) {
      for (int i = m - 1; i >= 0; i--) {
        int c = j * m + i;
        if (!free[c]) {
          z[c] = 0;
          continue;
        }
        double t = q[c];
        if (i < m - 1 && free[c + 1]) {
          t += precon[c] * z[c + 1];
        }
        if (j < n - 1 && free[c + m]) {
          t += precon[c] * z[c + m];
        }
        z[c] = t * precon[c];
      }
    }
  }

  /** {@code out = A v} for the restricted Laplacian (entries of fixed cells are 0). */
  private static void apply(double[] v, boolean[] free, int n, int m, double[] out) {
    for (int c = 0; c < v.length; c++) {
      if (!free[c]) {
        out[c] = 0;
        continue;
      }
      int j = c / m;
      int i = c % m;
      int deg = 0;
      double s = 0;
      if (i > 0) {
        deg++;
        s += free[c - 1] ? v[c - 1] : 0;
      }
      if (i < m - 1) {
        deg++;
        s += free[c + 1] ? v[c + 1] : 0;
      }
      if (j > 0) {
        deg++;
        s += free[c - m] ? v[c - m] : 0;
      }
      if (j < n - 1) {
        deg++;
        s += free[c + m] ? v[c + m] : 0;
      }
      out[c] = deg * v[c] - s;
    }
  }

  /** The padded range of an axis in display space (categories: index range, padded). */
  static double[] displayRange(ParamAxis axis) {
    double[] r = axis.paddedRange();
    return new double[] {axis.toDisplay(r[0]), axis.toDisplay(r[1])};
  }

  private static double[] linspace(double[] range, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = range[0] + (range[1] - range[0]) * i / (n - 1);
    }
    return v;
  }

  private static int nearest(double[] grid, double v) {
    int best = 0;
    for (int i = 1; i < grid.length; i++) {
      if (Math.abs(grid[i] - v) < Math.abs(grid[best] - v)) {
        best = i;
      }
    }
    return best;
  }
}
