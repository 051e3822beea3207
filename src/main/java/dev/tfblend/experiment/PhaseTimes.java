package dev.tfblend.experiment;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Wall time per phase of one {@code tune} run, printed as one line on standard error when the
 * environment sets {@code TFBLEND_TIMINGS=1}: how long the process took to get to the run (from
 * the JVM's start, or the launcher JVM's when it relaunched this one), then each phase {@link #end} names, in
 * the order first named (a phase ended several times, as with {@code --repeats}, sums its parts),
 * and the total since the first process started.
 *
 * <p>Used from the run's thread only.
 */
final class PhaseTimes {
  /** Environment variable that turns the line on. */
  static final String ENV = "TFBLEND_TIMINGS";
  /** Environment variable the launcher gives its relaunched JVM: when the launcher's JVM started. */
  static final String LAUNCH_MILLIS_ENV = "TFBLEND_LAUNCH_MILLIS";

  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private final long startMillis;
  private final long runStart;
  private long last;

  private PhaseTimes() {
    startMillis = processStartMillis();
    runStart = System.nanoTime();
    last = runStart;
  }

  /** A clock started now, at the start of the run. */
  static PhaseTimes start() {
    return new PhaseTimes();
  }

  /** Ends phase {@code name}: the time since the previous end (or the run's start) is added to it. */
  void end(String name) {
    long now = System.nanoTime();
    nanos.merge(name, now - last, Long::sum);
    last = now;
  }

  /** Whether {@code TFBLEND_TIMINGS} asks for the line. */
  static boolean wanted() {
    String v = System.getenv(ENV);
    return v != null && !v.isEmpty() && !v.equals("0");
  }

  /**
   * The line: {@code timings: launch 0.31 s, tensorflow load 0.62 s, ..., total 9.80 s}; launch is
   * the time from the first JVM's start (the launcher's when it relaunched this one) to the run's
   * start.
   */
  String line() {
    long now = System.nanoTime();
    double launch = Math.max(0, System.currentTimeMillis() - startMillis - (now - runStart) / 1e6) / 1e3;
    StringJoiner j = new StringJoiner(", ", "timings: ", "");
    j.add(String.format(Locale.ROOT, "launch %.2f s", launch));
    nanos.forEach((k, v) -> j.add(String.format(Locale.ROOT, "%s %.2f s", k, v / 1e9)));
    j.add(String.format(Locale.ROOT, "total %.2f s", launch + (now - runStart) / 1e9));
    return j.toString();
  }

  /**
   * When this JVM started, or the launcher's JVM that started it ({@code TFBLEND_LAUNCH_MILLIS}),
   * in epoch milliseconds.
   */
  private static long processStartMillis() {
    String launcher = System.getenv(LAUNCH_MILLIS_ENV);
    if (launcher != null) {
      try {
        return Long.parseLong(launcher);
      } catch (NumberFormatException e) {
        // not set by our launcher
      }
    }
    return ManagementFactory.getRuntimeMXBean().getStartTime();
  }
}
