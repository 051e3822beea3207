package dev.tfblend.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import dev.tfblend.experiment.Benchmark;
import dev.tfblend.train.Optimizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tf-blend bench}: measures training throughput, graph build and evaluation time for every
 * registered optimizer, and the wall time and peak memory of a default {@code tune}
 * ({@link Benchmark}). Prints a table, or with {@code --json} one JSON object whose top level
 * carries {@code batch_size} (the first batch size) and {@code steps_per_second} (optimizer to
 * median steps/s at that batch size, the way {@code train} and {@code tune} run), plus {@code machine}, {@code runs} (every optimizer and batch
 * size), {@code peak_rss_bytes} and {@code tune}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    header = "Measure steps/s, graph build and evaluation time, and a default tune's cost.",
    description = {
      "Times every optimizer on MNIST-1D with the default MLP (median over timed epochs after"
          + " warm-up) at each batch size, then runs a default tune in a child JVM for its wall time"
          + " and peak resident memory. Wall-clock figures: the load averages are reported."
    })
public final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object instead of the table.")
  boolean json;

  @Option(names = "--batch-sizes", split = ",", paramLabel = "B", defaultValue = "32,100",
      description = "Batch sizes to time, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Integer> batchSizes;

  @Option(names = "--optimizers", split = ",", paramLabel = "NAME",
      description = "Optimizers to time, comma-separated (default: every registered one).")
  List<String> optimizers;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "5",
      description = "Timed epochs per optimizer and batch size; the median is reported (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "1",
      description = "Untimed epochs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--no-tune", description = "Skip the default tune.")
  boolean noTune;

  @Override
  public Integer call() throws Exception {
    for (int b : batchSizes) {
      if (b <= 0) {
        throw BadInputException.of("--batch-sizes must be positive, got %s", b);
      }
    }
    if (epochs < 1) {
      throw BadInputException.of("--epochs must be at least 1, got %s", epochs);
    }
    if (warmup < 1) {
      throw BadInputException.of("--warmup must be at least 1, got %s", warmup);
    }
    List<String> names = optimizers == null ? Optimizers.names() : optimizers;
    names.forEach(Optimizers::table);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Benchmark.Report r = Benchmark.run(
        new Benchmark.Settings(batchSizes, names, warmup, epochs, !noTune, (Path) null),
        line -> {
          err.println(line);
          err.flush();
        });
    if (json) {
      out.println(toJson(r));
    } else {
      printTable(out, r);
    }
    out.flush();
    return 0;
  }

  static String toJson(Benchmark.Report r) throws Exception {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    ObjectNode root = m.createObjectNode();
    root.set("machine", m.valueToTree(r.machine()));
    int first = r.figures().get(0).batchSize();
    root.put("batch_size", first);
    ObjectNode sps = root.putObject("steps_per_second");
    r.stepsPerSecond(first).forEach(sps::put);
    root.put("warmup_epochs", r.warmupEpochs());
    root.put("timed_epochs", r.timedEpochs());
    root.set("runs", m.valueToTree(r.figures()));
    root.put("peak_rss_bytes", r.peakRssBytes());
    root.set("tune", r.tune() == null ? m.nullNode() : m.valueToTree(r.tune()));
    return m.writeValueAsString(root);
  }

  private static void printTable(PrintWriter out, Benchmark.Report r) {
    Benchmark.Machine mc = r.machine();
    out.printf(Locale.ROOT, "%d cores, %s %s, Java %s (%s), TensorFlow Java %s, intra-op %d / inter-op %d threads%n",
        mc.cores(), mc.os(), mc.arch(), mc.javaVersion(), mc.jvm(), mc.tensorflowJavaVersion(),
        mc.intraOpThreads(), mc.interOpThreads());
    out.printf(Locale.ROOT, "load average (1 min): %.2f before, %.2f after%n%n", mc.loadAverageBefore(),
        mc.loadAverageAfter());
    out.printf(Locale.ROOT, "%-19s %6s %10s %10s %10s %10s %10s %10s %12s%n", "optimizer", "batch", "steps/s",
        "1/run", "epoch/run", "steps/cpu_s", "build_s", "first_s", "eval_ms/ep");
    for (Benchmark.OptimizerFigures f : r.figures()) {
      out.printf(Locale.ROOT, "%-19s %6d %10.0f %10.0f %10s %10.0f %10.3f %10.3f %12.2f%n", f.optimizer(),
          f.batchSize(), f.stepsPerSecond(), f.oneStepPerRunStepsPerSecond(),
          Double.isNaN(f.loopStepsPerSecond()) ? "-" : String.format(Locale.ROOT, "%.0f", f.loopStepsPerSecond()),
          f.stepsPerCpuSecond(), f.graphBuildSeconds(), f.firstStepSeconds(), f.evaluationSecondsPerEpoch() * 1e3);
    }
    out.printf(Locale.ROOT, "(steps/s: the way train and tune run; 1/run: one session.run per step;"
        + " epoch/run: an epoch's full batches per session.run, - where the optimizer has no loop)%n");
    out.printf(Locale.ROOT, "(median of %d timed epochs after %d warm-up; peak RSS of this JVM %d MB)%n",
        r.timedEpochs(), r.warmupEpochs(), r.peakRssBytes() >> 20);
    if (r.tune() != null) {
      out.printf(Locale.ROOT, "%ndefault tune: %.1f s wall (JVM starts included), peak RSS %d MB"
          + " (%d MB summed over its %d processes)%n", r.tune().wallSeconds(), r.tune().peakRssBytes() >> 20,
          r.tune().peakRssSumBytes() >> 20, r.tune().processes());
    }
  }
}
