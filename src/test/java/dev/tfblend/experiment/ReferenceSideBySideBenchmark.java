package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default study timed side by side with its PyTorch + Optuna reference,
 * {@code src/bench/python/reference_study.py} (the same data, split sizes, model, batch, trials,
 * epochs, search spaces and one-step meta-learned gate; see the script's docstring).
 *
 * <p>Writes MNIST-1D with {@code java -jar target/tf-blend.jar dataset --out DIR}, then runs,
 * alternately and one at a time, (a) {@code java -jar target/tf-blend.jar tune -q} in a fresh
 * directory, as a user types it (no {@code TF_CPP_MIN_LOG_LEVEL}, so the launcher's relaunch is
 * timed too), and (b) {@code $TFBLEND_PYTHON src/bench/python/reference_study.py --data DIR}
 * ({@code /usr/bin/python3} when the variable is unset), N rounds each; the order within a round
 * alternates (tf-blend first in even rounds). Each run's wall time is taken from process start to
 * exit; where {@code /usr/bin/time} exists it also gives the CPU time (user + system, children
 * included) and the peak resident set of the largest process. Prints every run with the
 * 1-minute load average before and after it, the outputs (result tables) of the first round, the
 * medians and the ratio tf-blend / reference of the median wall times. Prints, never asserts on
 * time; a run that exits non-zero fails the benchmark.
 *
 * <p>Needs {@code target/tf-blend.jar} ({@code mvn -B -q package -DskipTests}); when it is
 * missing, or the python cannot {@code import torch, optuna} (Debian: {@code apt-get install
 * python3-torch python3-optuna}), it prints why and returns.
 *
 * <p>Settings (system properties): {@code tfblend.bench.rounds} (default 3), {@code
 * tfblend.bench.tuneArgs} (extra {@code tune} arguments, space-separated, e.g. {@code --jobs 1}),
 * {@code tfblend.bench.referenceArgs} (extra script arguments, e.g. {@code --threads 2}). Run with
 * {@code mvn -B test -Pbench -Dtest=ReferenceSideBySideBenchmark}.
 */
@Tag("benchmark")
class ReferenceSideBySideBenchmark {
  private static final Path JAR = Path.of("target", "tf-blend.jar").toAbsolutePath();
  private static final Path SCRIPT = Path.of("src", "bench", "python", "reference_study.py").toAbsolutePath();
  private static final Path TIME = Path.of("/usr/bin/time");
  private static final long LIMIT_MINUTES = 30;

  @TempDir Path tmp;

  /** One timed run: exit code, wall and CPU seconds (NaN without /usr/bin/time), peak RSS in KiB (-1 without). */
  private record Run(int exitCode, double wallSeconds, double cpuSeconds, long peakKib, double load0, double load1,
      String output) {}

  @Test
  void printWallTimesSideBySide() throws Exception {
    int rounds = Integer.parseInt(System.getProperty("tfblend.bench.rounds", "3"));
    if (rounds < 1) {
      throw new IllegalArgumentException("tfblend.bench.rounds must be at least 1, got " + rounds);
    }
    List<String> tuneArgs = args("tfblend.bench.tuneArgs");
    List<String> referenceArgs = args("tfblend.bench.referenceArgs");
    String env = System.getenv("TFBLEND_PYTHON");
    String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    if (!Files.isRegularFile(JAR)) {
      System.out.println("REFERENCE skipped: " + JAR + " is missing (mvn -B -q package -DskipTests builds it)");
      return;
    }
    String missing = pythonProblem(python);
    if (missing != null) {
      System.out.println("REFERENCE skipped: " + python + " cannot import torch and optuna (set TFBLEND_PYTHON,"
          + " or apt-get install python3-torch python3-optuna): " + missing);
      return;
    }
    Path data = tmp.resolve("data");
    Run dataset = time(tmp, List.of(java(), "-jar", JAR.toString(), "dataset", "--out", data.toString()));
    assertEquals(0, dataset.exitCode(), dataset.output());

    List<String> tune = new ArrayList<>(List.of(java(), "-jar", JAR.toString(), "tune", "-q"));
    tune.addAll(tuneArgs);
    List<String> reference = new ArrayList<>(List.of(python, SCRIPT.toString(), "--data", data.toString()));
    reference.addAll(referenceArgs);
    System.out.printf(Locale.ROOT, "REFERENCE cores %d, %d rounds%n  tf-blend:  %s%n  reference: %s%n",
        Runtime.getRuntime().availableProcessors(), rounds, String.join(" ", tune), String.join(" ", reference));
    System.out.printf(Locale.ROOT, "REFERENCE %5s %-9s %8s %8s %8s %6s %6s%n", "round", "run", "wall_s", "cpu_s",
        "peak_MB", "load0", "load1");
    double[] ours = new double[rounds];
    double[] theirs = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      Path dir = Files.createDirectories(tmp.resolve("round-" + r));
      for (int k = 0; k < 2; k++) {
        boolean tfBlend = (k == 0) == (r % 2 == 0);
        Run run = tfBlend ? time(dir, tune) : time(dir, reference);
        assertEquals(0, run.exitCode(), run.output());
        (tfBlend ? ours : theirs)[r] = run.wallSeconds();
        System.out.printf(Locale.ROOT, "REFERENCE %5d %-9s %8.1f %8.1f %8s %6.2f %6.2f%n", r,
            tfBlend ? "tf-blend" : "reference", run.wallSeconds(), run.cpuSeconds(),
            run.peakKib() < 0 ? "-" : String.valueOf(run.peakKib() >> 10), run.load0(), run.load1());
        if (r == 0) {
          System.out.println((tfBlend ? "tf-blend" : "reference") + " output:\n" + run.output().strip());
        }
      }
    }
    double a = median(ours);
    double b = median(theirs);
    System.out.printf(Locale.ROOT, "REFERENCE median wall: tf-blend %.1f s, reference %.1f s; ratio tf-blend/reference"
        + " %.3f (the target is at most 0.2)%n", a, b, a / b);
  }

  private static List<String> args(String property) {
    String v = System.getProperty(property, "").strip();
    return v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+"));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Null when {@code python} imports torch and optuna, else what went wrong. */
  private static String pythonProblem(String python) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(python, "-c", "import torch, optuna").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return "the import did not finish in 2 minutes";
      }
      return p.exitValue() == 0 ? null : out.lines().reduce((x, y) -> y).orElse("exit " + p.exitValue());
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** Runs {@code cmd} in {@code dir}, through {@code /usr/bin/time} where it exists. */
  private static Run time(Path dir, List<String> cmd) throws Exception {
    Path log = dir.resolve("output.txt");
    Path times = dir.resolve("time.txt");
    boolean gnuTime = Files.isExecutable(TIME);
    List<String> full = new ArrayList<>();
    if (gnuTime) {
      full.addAll(List.of(TIME.toString(), "-o", times.toString(), "-f", "%e %U %S %M"));
    }
    full.addAll(cmd);
    ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // as a user's shell runs it: the launcher quiets TensorFlow by relaunching, and that is timed
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    double load0 = load();
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("did not finish in " + LIMIT_MINUTES + " minutes: " + cmd);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double load1 = load();
    double cpu = Double.NaN;
    long peak = -1;
    if (gnuTime && Files.isRegularFile(times)) {
      // the last line: a command killed by a signal gets a "Command terminated" line before it
      List<String> lines = Files.readAllLines(times);
      String[] f = lines.isEmpty() ? new String[0] : lines.get(lines.size() - 1).strip().split(" ");
      if (f.length == 4) {
        cpu = Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
        peak = Long.parseLong(f[3]);
      }
    }
    return new Run(p.exitValue(), wall, cpu, peak, load0, load1, Files.readString(log, StandardCharsets.UTF_8));
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static double load() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }
}
