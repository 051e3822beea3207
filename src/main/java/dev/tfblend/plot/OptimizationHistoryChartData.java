package dev.tfblend.plot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * What an optimization history plot shows, as Optuna's {@code plot_optimization_history} draws
 * it: the objective value of every completed trial and the best value so far.
 *
 * <p>Points are kept sorted by trial number; numbers must be distinct and non-negative. Only
 * points whose state is {@value #COMPLETE} (compared ignoring case) count: they must carry a
 * finite value. Other states (FAIL, PRUNED, RUNNING, ...) may carry any value, NaN included, and
 * are left out of the scatter and of the best-so-far line, as Optuna leaves them out.
 *
 * @param name what was optimized, shown in the title (e.g. {@code "Adam"})
 * @param points one per trial
 * @param direction whether lower or higher objective values are better
 */
public record OptimizationHistoryChartData(String name, List<Point> points, Direction direction) {

  /** The state name of a finished trial with a value (Optuna's {@code TrialState.COMPLETE}). */
  public static final String COMPLETE = "COMPLETE";

  /** Whether the study minimizes or maximizes its objective. */
  public enum Direction {
    MINIMIZE,
    MAXIMIZE
  }

  /**
   * One trial.
   *
   * @param number the trial number (Optuna numbers trials from 0)
   * @param value the objective value; NaN when the trial has none (failed, pruned, running)
   * @param state the trial state name, e.g. {@code COMPLETE}, {@code FAIL}, {@code PRUNED}
   */
  public record Point(int number, double value, String state) {
    public Point {
      if (state == null || state.isBlank()) {
        throw new IllegalArgumentException("trial " + number + ": state must not be blank");
      }
    }

    /** A completed trial with its objective value. */
    public static Point complete(int number, double value) {
      return new Point(number, value, COMPLETE);
    }

    /** A trial in any state; a null value becomes NaN. */
    public static Point of(int number, Double value, String state) {
      return new Point(number, value == null ? Double.NaN : value, state);
    }

    /** Whether this trial counts in the plot: state COMPLETE. */
    public boolean isComplete() {
      return COMPLETE.equalsIgnoreCase(state);
    }
  }

  public OptimizationHistoryChartData {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (points == null) {
      throw new IllegalArgumentException("points must not be null (use an empty list)");
    }
    if (direction == null) {
      throw new IllegalArgumentException("direction must not be null");
    }
    List<Point> sorted = new ArrayList<>(points.size());
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      if (p == null) {
        throw new IllegalArgumentException("points[" + i + "] must not be null");
      }
      if (p.number() < 0) {
        throw new IllegalArgumentException(
            "points[" + i + "].number must be >= 0, got " + p.number());
      }
      if (p.isComplete() && !Double.isFinite(p.value())) {
        throw new IllegalArgumentException(
            "points[" + i + "] (trial " + p.number() + "): state COMPLETE needs a finite value, got "
                + p.value());
      }
      sorted.add(p);
    }
    sorted.sort(Comparator.comparingInt(Point::number));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).number() == sorted.get(i - 1).number()) {
        throw new IllegalArgumentException(
            "points: trial number " + sorted.get(i).number() + " appears twice");
      }
    }
    points = Collections.unmodifiableList(sorted);
  }

  /** History of a minimized objective. */
  public static OptimizationHistoryChartData minimize(String name, List<Point> points) {
    return new OptimizationHistoryChartData(name, points, Direction.MINIMIZE);
  }

  /** The chart title: {@code "Optimization History Plot — <name>"}. */
  public String title() {
    return "Optimization History Plot \u2014 " + name;
  }

  /**
   * The best objective value among completed trials up to and including each point, aligned with
   * {@link #points()}: {@code bestSoFar()[i]} is the minimum (or maximum) over the completed
   * points {@code 0..i}, NaN while no trial has completed yet.
   */
  public double[] bestSoFar() {
    double[] best = new double[points.size()];
    double current = Double.NaN;
    for (int i = 0; i < best.length; i++) {
      Point p = points.get(i);
      if (p.isComplete() && (Double.isNaN(current) || isBetter(p.value(), current))) {
        current = p.value();
      }
      best[i] = current;
    }
    return best;
  }

  /** The best completed value, empty when no trial completed. */
  public OptionalDouble bestValue() {
    double[] best = bestSoFar();
    return best.length == 0 || Double.isNaN(best[best.length - 1])
        ? OptionalDouble.empty()
        : OptionalDouble.of(best[best.length - 1]);
  }

  /** The completed points, in trial order: what the scatter shows. */
  public List<Point> completed() {
    return points.stream().filter(Point::isComplete).toList();
  }

  /** How many trials are in each state (state names upper-cased), sorted by state name. */
  public Map<String, Integer> stateCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Point p : points) {
      counts.merge(p.state().toUpperCase(Locale.ROOT), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(counts);
  }

  /** A one-line summary such as {@code "5 trials: 4 COMPLETE, 1 FAIL"}. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(points.size()).append(points.size() == 1 ? " trial" : " trials");
    String sep = ": ";
    for (Map.Entry<String, Integer> e : stateCounts().entrySet()) {
      sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
      sep = ", ";
    }
    return sb.toString();
  }

  private boolean isBetter(double candidate, double incumbent) {
    return direction == Direction.MINIMIZE ? candidate < incumbent : candidate > incumbent;
  }
}
