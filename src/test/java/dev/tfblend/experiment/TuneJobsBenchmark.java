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
 * What {@code tune --jobs} buys, as a user runs it: each row is one {@code tune} in a fresh JVM
 * (the default config, MNIST-1D, 10 epochs per trial) with one optimizer, {@code --trials N},
 * {@code --jobs J} and a fresh {@code --study}, timed from process start to exit (JVM start,
 * search, final run and outputs), with the CPU time it used (user + system, last sample, every
 * 200 ms), its peak resident set (VmHWM) and the 1-minute load average before and after. Then one long run ({@code --optimizers Adam --epochs 2 --trials 200} by
 * default) sampling the resident set (VmRSS) every 200 ms: its peak and the resident set after
 * 10%, 50%, 90% and 100% of the run, to see whether native memory stays flat over many trials.
 *
 * <p>Settings (system properties): {@code tfblend.bench.optimizers} (default
 * {@code DynamicBlended,Adam,SGD}), {@code tfblend.bench.trials} ({@code 5,20}), {@code
 * tfblend.bench.jobs} ({@code 1,2}), {@code tfblend.bench.rssTrials} ({@code 200}; 0 skips the
 * long run), {@code tfblend.bench.rssJobs} ({@code 1}). Prints, never asserts on time or memory.
 * Run with {@code mvn -B test -Pbench -Dtest=TuneJobsBenchmark}.
 */
@Tag("benchmark")
class TuneJobsBenchmark {
  @TempDir Path tmp;

  /** One child run: exit code, wall seconds, peak RSS and VmRSS samples (bytes). */
  private record Child(int exitCode, double wallSeconds, double cpuSeconds, long peakRss, long[] rssSamples,
      String output) {}

  @Test
  void printWallTimeAndMemoryOfTune() throws Exception {
    List<String> optimizers = list("tfblend.bench.optimizers", "DynamicBlended,Adam,SGD");
    List<String> trials = list("tfblend.bench.trials", "5,20");
    List<String> jobs = list("tfblend.bench.jobs", "1,2");
    System.out.printf(Locale.ROOT, "TUNE cores %d%n", Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "TUNE %-15s %6s %4s %8s %8s %8s %6s %6s%n", "optimizer", "trials", "jobs",
        "wall_s", "cpu_s", "peak_MB", "load0", "load1");
    int row = 0;
    for (String n : trials) {
      for (String opt : optimizers) {
        for (String j : jobs) {
          double load0 = load();
          Child c = tune(tmp.resolve("r" + row++), "--optimizers", opt, "--trials", n, "--jobs", j);
          assertEquals(0, c.exitCode(), c.output());
          System.out.printf(Locale.ROOT, "TUNE %-15s %6s %4s %8.1f %8.1f %8d %6.2f %6.2f%n", opt, n, j,
              c.wallSeconds(), c.cpuSeconds(), c.peakRss() >> 20, load0, load());
        }
      }
    }
    int rssTrials = Integer.parseInt(System.getProperty("tfblend.bench.rssTrials", "200"));
    if (rssTrials > 0) {
      String rssJobs = System.getProperty("tfblend.bench.rssJobs", "1");
      double load0 = load();
      Child c = tune(tmp.resolve("rss"), "--optimizers", "Adam", "--epochs", "2", "--trials",
          String.valueOf(rssTrials), "--jobs", rssJobs);
      assertEquals(0, c.exitCode(), c.output());
      long[] s = c.rssSamples();
      System.out.printf(Locale.ROOT, "RSS Adam, %d trials x 2 epochs, --jobs %s: %.1f s, peak %d MB; VmRSS at"
              + " 10%% %d MB, 50%% %d MB, 90%% %d MB, end %d MB (%d samples); load %.2f -> %.2f%n",
          rssTrials, rssJobs, c.wallSeconds(), c.peakRss() >> 20, at(s, 0.1) >> 20, at(s, 0.5) >> 20,
          at(s, 0.9) >> 20, at(s, 1.0) >> 20, s.length, load0, load());
    }
  }

  private static List<String> list(String property, String defaults) {
    return Arrays.asList(System.getProperty(property, defaults).split(","));
  }

  private static long at(long[] samples, double fraction) {
    if (samples.length == 0) {
      return 0;
    }
    return samples[Math.min(samples.length - 1, (int) Math.floor(fraction * (samples.length - 1)))];
  }

  private static double load() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  /** Runs {@code tf-blend tune ARGS --study bench --runs-dir DIR/runs ...} in a child JVM. */
  private static Child tune(Path dir, String... args) throws Exception {
    // TF_CPP_MIN_LOG_LEVEL is set, so the launcher does not relaunch: give this JVM the options
    // its relaunched JVM gets (Launcher.childJvmOptions), so the figures are those of a user's run
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "dev.tfblend.cli.Launcher", "tune", "--quiet",
        "--study", "bench", "--runs-dir", dir.resolve("runs").toString(),
        "--saved-models-dir", dir.resolve("saved-models").toString()));
    cmd.addAll(List.of(args));
    Path log = Files.createDirectories(dir).resolve("output.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
    long start = System.nanoTime();
    Process p = pb.start();
    Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
    Path stat = Path.of("/proc", String.valueOf(p.pid()), "stat");
    List<Long> samples = new ArrayList<>();
    long peak = 0;
    long ticks = 0;
    while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
      try {
        String[] f = Files.readString(stat).substring(Files.readString(stat).lastIndexOf(')') + 2).split(" ");
        ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmRSS:")) {
            samples.add(kib(line));
          } else if (line.startsWith("VmHWM:")) {
            peak = Math.max(peak, kib(line));
          }
        }
      } catch (IOException e) {
        // the process ended between the check and the read
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    // utime and stime are in clock ticks, 100 per second on Linux
    return new Child(p.exitValue(), wall, ticks / 100.0, peak, samples.stream().mapToLong(Long::longValue).toArray(),
        Files.readString(log, StandardCharsets.UTF_8));
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
  }
}
