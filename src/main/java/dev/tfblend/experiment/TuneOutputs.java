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
   * @param trials each study's trials as stored, by study key (studies missing here get no
   *     Optuna views)
   */
  static List<String> write(TuneResults r, TuneConfig config, Map<String, List<FrozenTrial>> trials,
      Path runDir) {
    List<String> pngs = new ArrayList<>(TuneCharts.write(r, config, runDir));
    for (String key : r.optimizers().keySet()) {
      List<FrozenTrial> studyTrials = trials.get(key);
      if (studyTrials != null) {
        for (Path png : StudyPlots.writeAll(key, StudyDirection.MINIMIZE, studyTrials, runDir)) {
          pngs.add(png.getFileName().toString());
        }
      }
    }
    String report = TuneReport.markdown(r, config, pngs);
    AtomicFile.write(runDir.resolve(REPORT), "--runs-dir", w -> w.write(report));
    HtmlReport.write("tf-blend tune: " + r.studyName(), report, runDir, runDir.resolve(HTML_REPORT));
    writeJson(runDir.resolve(MANIFEST), manifest(r, config));
    writeJson(runDir.resolve(RESULTS), r);
    return pngs;
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
