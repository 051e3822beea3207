package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.storage.StudySummary;
import dev.tfblend.tune.storage.TrialStorage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tf-blend best-trial --study NAME --storage URL}: prints a study's best trial as JSON,
 * like {@code optuna best-trial -f json}: {@code study}, {@code direction}, {@code number},
 * {@code state}, {@code value}, {@code datetime_start}, {@code datetime_complete}, {@code
 * duration_seconds}, {@code params}, {@code intermediate_values} (step to value), {@code
 * user_attrs}. Reads only. Exit 2 for an unknown study (the message lists the studies), a
 * study with no completed trial, or a storage that does not exist.
 */
@Command(name = "best-trial", mixinStandardHelpOptions = true,
    header = "Print the best trial of a study as JSON.",
    description = "Print the best completed trial of a study as JSON, like "
        + "'optuna best-trial -f json'.")
public final class BestTrialCommand implements Callable<Integer> {
  @CommandLine.Mixin StudyStorageOptions storage;

  @Option(names = "--study", required = true, paramLabel = "NAME", description = "Study name.")
  String study;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> json;
    try (TrialStorage s = storage.open()) {
      OptionalLong id = s.findStudyIdByName(study);
      if (id.isEmpty()) {
        List<String> names = s.getAllStudies().stream().map(StudySummary::studyName).toList();
        throw new BadInputException(
            "--study " + study + ": no such study in " + storage.storage + " (studies: " + names + ")");
      }
      StudyDirection direction = s.getStudyDirection(id.getAsLong());
      FrozenTrial best = StudyStorageAccess.bestTrial(s.getAllTrials(id.getAsLong()), direction)
          .orElseThrow(() -> new BadInputException(
              "--study " + study + ": the study has no completed trial"));
      json = toJson(study, direction, best);
    }
    storage.printJson(json);
    return 0;
  }

  static Map<String, Object> toJson(String study, StudyDirection direction, FrozenTrial t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("study", study);
    m.put("direction", direction.name());
    m.put("number", t.number());
    m.put("state", t.state().name());
    m.put("value", t.value());
    m.put("datetime_start", t.datetimeStart() == null ? null : t.datetimeStart().toString());
    m.put("datetime_complete",
        t.datetimeComplete() == null ? null : t.datetimeComplete().toString());
    m.put("duration_seconds", t.datetimeStart() == null || t.datetimeComplete() == null ? null
        : Duration.between(t.datetimeStart(), t.datetimeComplete()).toMillis() / 1000.0);
    m.put("params", t.params());
    Map<String, Double> iv = new LinkedHashMap<>();
    t.intermediateValues().forEach((k, v) -> iv.put(String.valueOf(k), v));
    m.put("intermediate_values", iv);
    m.put("user_attrs", t.userAttrs());
    return m;
  }
}
