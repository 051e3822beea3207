package dev.tfblend.experiment;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.plot.StudyPlots;
import dev.tfblend.report.HtmlReport;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

/**
 * The files a {@code tune} run writes into its run directory: {@code results.json},
 * {@code report.md}, {@code report.html} (the same report as one self-contained page), {@code
 * manifest.json}, the PNG charts ({@link TuneCharts}) and, per study, Optuna's views of it
 * ({@link StudyPlots}: intermediate values, parallel coordinate, slice, contour). Each file
 * appears complete or not at all. (The SavedModels go elsewhere: {@link FinalExports}; the
 * TensorBoard logs are written as runs end: {@link RunEvents}.)
 */
final class TuneOutputs {
  static final String RESULTS = "results.json";
  static final String REPORT = "report.md";
  static final String MANIFEST = "manifest.json";
  static final String HTML_REPORT = "report.html";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper READER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature(), true);

  private TuneOutputs() {}

  /**
   * Writes the run's files for {@code r} into {@code runDir}; returns the chart file names.
   *
   * @param trials the trials as stored of the studies whose Optuna views are still to draw, by
   *     study key (studies neither here nor in {@code drawn} get no views)
   * @param drawn the studies whose views are already being drawn ({@link #studyViews}), by study
   *     key: their file names are awaited instead of drawing them again
   */
  static List<String> write(TuneResults r, TuneConfig config, Map<String, List<FrozenTrial>> trials,
      Path runDir, Map<String, Future<List<String>>> drawn) {
    // the charts are independent files, drawn on as many threads as there are cores: each study's
    // views first (the contour matrix is the largest), the run's charts last
    List<Callable<List<String>>> tasks = new ArrayList<>();
    for (String key : r.optimizers().keySet()) {
      Future<List<String>> under = drawn.get(key);
      List<FrozenTrial> studyTrials = trials.get(key);
      if (under != null) {
        tasks.add(under::get);
      } else if (studyTrials != null) {
        tasks.add(() -> studyViews(key, studyTrials, runDir));
      }
    }
    tasks.add(() -> TuneCharts.write(r, config, runDir));
    List<List<String>> written = inParallel(tasks);
    List<String> pngs = new ArrayList<>(written.get(written.size() - 1));
    written.subList(0, written.size() - 1).forEach(pngs::addAll);
    String report = TuneReport.markdown(r, config, pngs);
    AtomicFile.write(runDir.resolve(REPORT), "--runs-dir", w -> w.write(report));
    HtmlReport.write("tf-blend tune: " + r.studyName(), report, runDir, runDir.resolve(HTML_REPORT));
    writeJson(runDir.resolve(MANIFEST), manifest(r, config));
    writeJson(runDir.resolve(RESULTS), r);
    return pngs;
  }

  /**
   * Draws Optuna's views of one study ({@link StudyPlots}) into {@code runDir}; returns their file
   * names.
   */
  static List<String> studyViews(String key, List<FrozenTrial> trials, Path runDir) {
    return StudyPlots.writeAll(key, StudyDirection.MINIMIZE, trials, runDir).stream()
        .map(png -> png.getFileName().toString()).toList();
  }

  /**
   * Runs {@code tasks} on up to one thread per core, started in their order, and returns their
   * results in that order; the first failure in that order is thrown as the task threw it.
   */
  static <T> List<T> inParallel(List<Callable<T>> tasks) {
    int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      List<T> out = new ArrayList<>();
      for (Callable<T> t : tasks) {
        out.add(call(t));
      }
      return out;
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, job -> {
      Thread t = new Thread(job, "charts-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> t : tasks) {
        futures.add(pool.submit(t));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() instanceof ExecutionException nested ? nested.getCause() : e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while writing the charts", e);
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T call(Callable<T> task) {
    try {
      return task.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> manifest(TuneResults r, TuneConfig config) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("command", "tune");
    manifest.put("study_name", r.studyName());
    manifest.put("seed", config.seed());
    manifest.put("final_seeds", LongStream.range(0, config.finalSeeds())
        .map(k -> config.seed() + 1000 + k).boxed().toList());
    manifest.put("storage", r.storage());
    manifest.put("studies", r.optimizers().keySet().stream().map(k -> r.studyName() + "-" + k).toList());
    manifest.put("config", r.config());
    // the trials run at once: TPE's proposals after its random startup depend on it
    manifest.put("jobs", config.effectiveJobs());
    manifest.put("data_resolved", TrainExperiment.resolvedData(config.data()));
    manifest.put("versions", BuildInfo.asMap());
    manifest.put("created", Instant.now().toString());
    return manifest;
  }

  /**
   * The results an earlier invocation of the run wrote to {@code file}, or null when there is none.
   *
   * @throws BadInputException when the file exists but cannot be read as results
   */
  static TuneResults read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return READER.readValue(file.toFile(), TuneResults.class);
    } catch (IOException e) {
      throw BadInputException.of("%s: cannot read the run's earlier results (%s); move the file away to start"
          + " them afresh", file, e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Writes {@code value} as indented JSON, whole or not at all. */
  static void writeJson(Path file, Object value) {
    AtomicFile.write(file, "--study", w -> JSON.writeValue(w, value));
  }
}
