package dev.tfblend.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.TrialState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules for running a {@code tune} study again under the same name.
 *
 * <ul>
 *   <li>The config must measure the same thing ({@link #checkSameStudy}): the fields of
 *       {@link #STUDY_FIELDS} and the search of every study both runs share are equal.
 *   <li>A study's budget counts COMPLETE and PRUNED trials of every process that shares it
 *       ({@link #countFinished}).
 *   <li>A trial left RUNNING by a dead process is failed and its parameters re-queued once its
 *       heartbeat is older than the grace ({@link Heartbeat}).
 *   <li>A resumed study's sampler is seeded with the study seed mixed with the number of trials
 *       it holds ({@link #resumeSeed}), so it does not draw the first run's values again.
 * </ul>
 */
final class StudyResume {
  /** The config a study was created with, kept in the run directory to check resumed runs. */
  static final String STUDY_CONFIG = "tune-config.json";
  /**
   * Fields that define what a study's trials measure: a resumed study must keep them, or old and
   * new trials would score different things (trials, final runs and the study list may change).
   */
  static final List<String> STUDY_FIELDS = List.of("seed", "epochs", "batch_size", "sampler", "pruner", "model", "data",
      "trial_seeds", "trial_seed_mode");

  private static final ObjectMapper JSON = new ObjectMapper();

  private StudyResume() {}

  /**
   * Whether {@code value} is the default of field {@code f}, which configs saved before the
   * field existed lack ({@code trial_seeds} 1, {@code trial_seed_mode} shared).
   */
  private static boolean isDefault(String f, JsonNode value) {
    return switch (f) {
      case "trial_seeds" -> value.isInt() && value.asInt() == 1;
      case "trial_seed_mode" -> "shared".equals(value.asText());
      default -> false;
    };
  }

  /**
   * Refuses to resume {@code name} with a config whose trials would not be comparable with the
   * ones it holds. A run directory without {@code saved} is a new study.
   *
   * @throws BadInputException naming the study and the fields that changed
   */
  static void checkSameStudy(TuneConfig config, Path saved, String name) {
    if (!Files.isRegularFile(saved)) {
      return;
    }
    JsonNode before;
    try {
      before = TuneConfigLoader.snakeKeys(JSON.readTree(saved.toFile()));
    } catch (IOException e) {
      throw BadInputException.of("%s: cannot read the config of study %s (%s)", saved, name, e.getMessage());
    }
    JsonNode now;
    try {
      // through text, so numbers compare as they were stored (a long seed reads back as an int)
      now = JSON.readTree(JSON.writeValueAsString(TuneConfigLoader.toJson(config)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    List<String> changed = new ArrayList<>();
    for (String f : STUDY_FIELDS) {
      if (!before.path(f).equals(now.path(f)) && !(before.path(f).isMissingNode() && isDefault(f, now.path(f)))) {
        changed.add(f + " " + before.path(f) + " -> " + now.path(f));
      }
    }
    for (String key : config.optimizers()) {
      JsonNode was = before.path("search").path(key);
      if (!was.isMissingNode() && !was.equals(now.path("search").path(key))) {
        changed.add("search." + key);
      }
    }
    if (!changed.isEmpty()) {
      throw BadInputException.of("--study %s was tuned with another config (%s); its trials would not be "
          + "comparable. Rerun with the same settings, or start a new study with another --study name",
          name, String.join("; ", changed));
    }
  }

  /**
   * The study's trials that count towards its budget, in every process that shares it: COMPLETE
   * and PRUNED ({@link Study#BUDGET_STATES}). FAIL trials do not count: a trial whose process
   * died or was interrupted is queued again and its retry counts; a trial whose loss diverged
   * gives way to another.
   */
  static int countFinished(Study study) {
    return study.storage().getTrialCount(study.studyId(), Study.BUDGET_STATES);
  }

  /**
   * The sampler seed of a study that already holds {@code existingTrials} trials: {@code seed}
   * for a new study (so a fresh run proposes what Optuna proposes with that seed), else the seed
   * mixed with the count.
   */
  static long resumeSeed(long seed, int existingTrials) {
    return existingTrials == 0 ? seed : seed + 0x9E3779B97F4A7C15L * existingTrials;
  }

  /**
   * How running trials show they are alive: a heartbeat every {@code interval}; a RUNNING trial
   * whose last beat is older than {@code grace} was left by a dead process and is failed and
   * queued again. {@code poll} is how often a process waiting for others' trials looks again.
   */
  record Heartbeat(Duration interval, Duration grace) {
    /** The defaults: a beat every 2 s, grace 3 x interval. */
    static final Heartbeat DEFAULT = of(Duration.ofSeconds(2), null);

    /**
     * A heartbeat of {@code interval} with {@code grace} (null: 3 x interval).
     *
     * @throws BadInputException unless 0 &lt; interval &lt; grace
     */
    static Heartbeat of(Duration interval, Duration grace) {
      Duration g = grace == null ? interval.multipliedBy(3) : grace;
      if (interval.isNegative() || interval.isZero()) {
        throw BadInputException.of("--heartbeat must be positive, got %s s", interval.toMillis() / 1000.0);
      }
      if (g.compareTo(interval) <= 0) {
        throw BadInputException.of("--heartbeat-grace (%s s) must be longer than --heartbeat (%s s)",
            g.toMillis() / 1000.0, interval.toMillis() / 1000.0);
      }
      return new Heartbeat(interval, g);
    }

    Duration poll() {
      return interval.dividedBy(4).isZero() ? Duration.ofMillis(1) : interval.dividedBy(4);
    }
  }
}
