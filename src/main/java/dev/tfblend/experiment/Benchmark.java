package dev.tfblend.experiment;

import com.google.common.base.Preconditions;
import dev.tfblend.BuildInfo;
import dev.tfblend.data.Batches;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What {@code tf-blend bench} measures: the machine, then for each batch size and each
 * registered optimizer ({@link Optimizers#names()}) on the default MNIST-1D splits and the default
 * MLP, the graph build time, the median training throughput over several timed epochs after
 * warm-up epochs, and the time of the per-epoch evaluation ({@link Trainer#EPOCH_SPLITS}); then,
 * optionally, the wall time and peak resident memory of a default {@code tune} in a child process.
 *
 * <p>The graph build time is {@link TrainingGraph#create} after one untimed build (TensorFlow's
 * native library loads then). An epoch is the batches
 * {@link Batches#epochBatches}{@code (n, batchSize, 0, epoch)}, timed both ways {@link Trainer} can
 * run it: one {@link TrainingGraph#trainStep} per batch, and, for an optimizer with a loop
 * ({@link TrainingGraph#hasLoop()}), the epoch's full batches in one
 * {@link TrainingGraph#trainSteps} run (a last, smaller batch on its own); steps/s is the epoch's
 * steps over its wall time. Each way starts from a fresh {@link TrainingGraph#reinitialize} with
 * one untimed first run. Figures are wall-clock, so they depend on what else the machine runs: the
 * report carries the load averages before and after.
 */
public final class Benchmark {
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private Benchmark() {}

  /**
   * What to measure.
   *
   * @param batchSizes batch sizes to time (each positive)
   * @param optimizers registered optimizer names to time
   * @param warmupEpochs untimed epochs before the timed ones (at least 1: the first step prepares
   *     the graph)
   * @param timedEpochs timed epochs; the median is reported
   * @param tune whether to run the default {@code tune} in a child process
   * @param workDir where the child {@code tune} writes (its runs and SavedModels), or {@code null}
   *     for a temporary directory that is removed afterwards
   */
  public record Settings(List<Integer> batchSizes, List<String> optimizers, int warmupEpochs,
      int timedEpochs, boolean tune, Path workDir) {
    public Settings {
      Preconditions.checkArgument(!batchSizes.isEmpty(), "no batch sizes");
      batchSizes.forEach(b -> Preconditions.checkArgument(b > 0, "batch size must be positive, got %s", b));
      Preconditions.checkArgument(!optimizers.isEmpty(), "no optimizers");
      optimizers.forEach(Optimizers::table);
      Preconditions.checkArgument(warmupEpochs >= 1, "warm-up epochs must be at least 1, got %s", warmupEpochs);
      Preconditions.checkArgument(timedEpochs >= 1, "timed epochs must be at least 1, got %s", timedEpochs);
      batchSizes = List.copyOf(batchSizes);
      optimizers = List.copyOf(optimizers);
    }

    /** Batch 32 and 100, every registered optimizer, 1 warm-up and 5 timed epochs, with the tune. */
    public static Settings defaults() {
      return new Settings(List.of(32, 100), Optimizers.names(), 1, 5, true, null);
    }
  }

  /**
   * The machine and the runtime.
   *
   * @param loadAverageBefore the 1-minute load average when the benchmark started (-1 if unknown)
   * @param loadAverageAfter the 1-minute load average when it ended
   */
  public record Machine(int cores, String os, String arch, String javaVersion, String jvm,
      String tensorflowJavaVersion, int intraOpThreads, int interOpThreads,
      double loadAverageBefore, double loadAverageAfter) {}

  /**
   * One optimizer at one batch size.
   *
   * @param stepsPerSecond median over the timed epochs of (steps / epoch wall time), the way
   *     {@code train} and {@code tune} run (a whole epoch per run where the optimizer has a loop,
   *     else one step per run)
   * @param stepsPerSecondPerEpoch each timed epoch's figure, in order, that same way
   * @param stepsPerCpuSecond all timed steps over the process CPU time they took (all threads),
   *     that same way; what a step costs, less sensitive than wall time to other processes on the
   *     machine (NaN when the CPU clock did not advance)
   * @param oneStepPerRunStepsPerSecond the median steps/s with one {@code session.run} per step
   * @param loopStepsPerSecond the median steps/s with a whole epoch per {@code session.run}, NaN
   *     for an optimizer without a loop
   * @param graphBuildSeconds building the graph and opening its session
   * @param firstStepSeconds the first train step (TensorFlow prepares the step's subgraph), one
   *     step per run
   * @param evaluationSecondsPerEpoch median time of the per-epoch evaluation (train and validation
   *     splits)
   */
  public record OptimizerFigures(String optimizer, int batchSize, int stepsPerEpoch, double stepsPerSecond,
      double[] stepsPerSecondPerEpoch, double stepsPerCpuSecond, double oneStepPerRunStepsPerSecond,
      double loopStepsPerSecond, double graphBuildSeconds, double firstStepSeconds,
      double evaluationSecondsPerEpoch) {}

  /** The timed epochs of one way of running them. */
  private record Timing(double[] rates, double[] evals, double stepsPerCpuSecond, int stepsPerEpoch) {}

  /**
   * The default {@code tune} in a child JVM ({@code tune --quiet} into a scratch directory), started
 * without {@code TF_CPP_MIN_LOG_LEVEL}, {@code TFBLEND_VERBOSE} and {@code TFBLEND_CHILD} so that it
 * takes the default path (the launcher relaunches itself).
   *
   * @param wallSeconds from starting the child JVM to its exit
   * @param peakRssBytes the largest {@code VmHWM} of one process among the child and its
   *     descendants (the relaunched JVM that trains), sampled every 20 ms while they run
   * @param peakRssSumBytes the sum of those processes' {@code VmHWM} (the launcher included)
   * @param processes how many processes were seen
   */
  public record TuneFigures(List<String> command, double wallSeconds, long peakRssBytes, long peakRssSumBytes,
      int processes) {}

  /**
   * The whole report.
   *
   * @param peakRssBytes this JVM's {@code VmHWM} at the end of the training measurements (-1 where
   *     {@code /proc} is not available)
   * @param tune {@code null} when not measured
   */
  public record Report(Machine machine, int warmupEpochs, int timedEpochs, List<OptimizerFigures> figures,
      long peakRssBytes, TuneFigures tune) {

    /** The figures of {@code batchSize}, optimizer name to median steps/s, in measurement order. */
    public Map<String, Double> stepsPerSecond(int batchSize) {
      Map<String, Double> out = new LinkedHashMap<>();
      figures.stream().filter(f -> f.batchSize() == batchSize)
          .forEach(f -> out.put(f.optimizer(), f.stepsPerSecond()));
      return out;
    }
  }

  /** Listens to progress (one line per finished measurement). */
  @FunctionalInterface
  public interface Progress {
    void line(String text);
  }

  /** Runs the measurements of {@code s} in this JVM (and the child {@code tune} if asked). */
  public static Report run(Settings s, Progress progress) {
    double loadBefore = loadAverage();
    DataSplits data = DataSplits.mnist1dDefault();
    // one untimed build first: loading TensorFlow's native library and its one-time set-up are
    // not part of any optimizer's build time
    TrainingGraph.create(Mlp.defaults(), Optimizers.stepBuilder(s.optimizers().get(0), Map.of())).close();
    List<OptimizerFigures> figures = new ArrayList<>();
    for (int batch : s.batchSizes()) {
      for (String name : s.optimizers()) {
        OptimizerFigures f = measure(name, batch, data, s.warmupEpochs(), s.timedEpochs());
        progress.line(String.format(java.util.Locale.ROOT,
            "%-10s batch %3d: %8.0f steps/s (median of %d epochs; one step per run %.0f, epoch per run %.0f),"
                + " %8.0f steps per CPU-second, build %.3f s, eval %.2f ms/epoch",
            name, batch, f.stepsPerSecond(), s.timedEpochs(), f.oneStepPerRunStepsPerSecond(),
            f.loopStepsPerSecond(), f.stepsPerCpuSecond(), f.graphBuildSeconds(),
            f.evaluationSecondsPerEpoch() * 1e3));
        figures.add(f);
      }
    }
    long ownPeak = peakRss(ProcessHandle.current().pid());
    TuneFigures tune = null;
    if (s.tune()) {
      tune = measureTune(s.workDir());
      progress.line(String.format(java.util.Locale.ROOT,
          "default tune: %.1f s wall, peak RSS %d MB (%d MB over its %d processes)",
          tune.wallSeconds(), tune.peakRssBytes() >> 20, tune.peakRssSumBytes() >> 20, tune.processes()));
    }
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    Machine m = new Machine(Runtime.getRuntime().availableProcessors(), os.getName() + " " + os.getVersion(),
        os.getArch(), System.getProperty("java.version"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
        BuildInfo.tensorflowVersion(), TrainingGraph.INTRA_OP_THREADS, TrainingGraph.INTER_OP_THREADS,
        loadBefore, loadAverage());
    return new Report(m, s.warmupEpochs(), s.timedEpochs(), List.copyOf(figures), ownPeak, tune);
  }

  private static OptimizerFigures measure(String name, int batch, DataSplits data, int warmup, int timed) {
    long t0 = System.nanoTime();
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), Optimizers.stepBuilder(name, Map.of()))) {
      double build = (System.nanoTime() - t0) / 1e9;
      g.loadData(data);
      g.reinitialize(0, Map.of());
      int n = g.size(TrainingGraph.Split.TRAIN);
      List<int[]> first = Batches.epochBatches(n, batch, 0, 1);
      long f0 = System.nanoTime();
      g.trainStep(first.get(0));
      double firstStep = (System.nanoTime() - f0) / 1e9;
      Timing one = time(g, n, batch, warmup, timed, false);
      Timing loop = null;
      if (g.hasLoop()) {
        g.reinitialize(0, Map.of());
        g.trainSteps(first.subList(0, 1));
        loop = time(g, n, batch, warmup, timed, true);
      }
      Timing used = loop == null ? one : loop;
      return new OptimizerFigures(name, batch, used.stepsPerEpoch(), median(used.rates()), used.rates(),
          used.stepsPerCpuSecond(), median(one.rates()), loop == null ? Double.NaN : median(loop.rates()), build,
          firstStep, median(used.evals()));
    }
  }

  /** Times {@code warmup + timed} epochs, one step per run or (with {@code loop}) the full batches per run. */
  private static Timing time(TrainingGraph g, int n, int batch, int warmup, int timed, boolean loop) {
    double[] rates = new double[timed];
    double[] evals = new double[timed];
    int steps = 0;
    long timedSteps = 0;
    double cpuSeconds = 0;
    for (int e = 1; e <= warmup + timed; e++) {
      List<int[]> batches = Batches.epochBatches(n, batch, 0, e);
      int full = batches.size();
      if (loop) {
        while (full > 0 && batches.get(full - 1).length != batch) {
          full--;
        }
      } else {
        full = 0;
      }
      long c0 = CPU.getProcessCpuTime();
      long e0 = System.nanoTime();
      if (full > 0) {
        g.trainSteps(batches.subList(0, full));
      }
      for (int[] b : batches.subList(full, batches.size())) {
        g.trainStep(b);
      }
      long e1 = System.nanoTime();
      long c1 = CPU.getProcessCpuTime();
      g.evaluate(Trainer.EPOCH_SPLITS);
      long e2 = System.nanoTime();
      if (e > warmup) {
        rates[e - warmup - 1] = batches.size() / ((e1 - e0) / 1e9);
        cpuSeconds += (c1 - c0) / 1e9;
        timedSteps += batches.size();
        evals[e - warmup - 1] = (e2 - e1) / 1e9;
      }
      steps = batches.size();
    }
    return new Timing(rates, evals, cpuSeconds > 0 ? timedSteps / cpuSeconds : Double.NaN, steps);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int k = v.length / 2;
    return v.length % 2 == 1 ? v[k] : (v[k - 1] + v[k]) / 2;
  }

  private static TuneFigures measureTune(Path workDir) {
    Path dir;
    boolean temporary = workDir == null;
    try {
      dir = temporary ? Files.createTempDirectory("tf-blend-bench") : Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the benchmark's work directory", e);
    }
    String java = ProcessHandle.current().info().command().orElse(
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.tfblend.cli.Launcher", "tune", "--quiet", "--study", "bench",
        "--runs-dir", dir.resolve("runs").toString(), "--saved-models-dir", dir.resolve("saved-models").toString());
    Path log = dir.resolve("tune.log");
    try {
      long t0 = System.nanoTime();
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      // the default path, as a user without these variables runs it (the launcher relaunches)
      pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
      pb.environment().remove("TFBLEND_VERBOSE");
      pb.environment().remove("TFBLEND_CHILD");
      Process p = pb.start();
      Map<Long, Long> peaks = new LinkedHashMap<>();
      while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
        peaks.merge(p.pid(), peakRss(p.pid()), Math::max);
        for (ProcessHandle d : p.descendants().toList()) {
          peaks.merge(d.pid(), peakRss(d.pid()), Math::max);
        }
      }
      long peak = peaks.values().stream().mapToLong(Long::longValue).max().orElse(-1);
      long sum = peaks.values().stream().mapToLong(v -> Math.max(0, v)).sum();
      double wall = (System.nanoTime() - t0) / 1e9;
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the benchmark's tune exited with " + p.exitValue() + "; its output:\n"
            + tail(log));
      }
      return new TuneFigures(cmd.subList(3, cmd.size()), wall, peak, sum, peaks.size());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run the benchmark's tune", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the benchmark's tune ran", e);
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the benchmark's work directory " + dir, e);
    }
  }

  /** {@code VmHWM} of process {@code pid} in bytes, or -1 when it cannot be read (gone, no /proc). */
  static long peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static double loadAverage() {
    return Optional.of(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
        .filter(v -> v >= 0).orElse(-1.0);
  }
}
