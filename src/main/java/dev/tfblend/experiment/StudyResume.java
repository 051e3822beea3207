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
 *   <li>A study's budget counts COMPLETE, PRUNED, and FAIL-with-a-reason trials, except failures
 *       whose parameters were queued again ({@link #countFinished}).
 *   <li>A trial left RUNNING by a dead process is failed and its parameters re-queued once its
 *       heartbeat is older than {@link #HEARTBEAT_GRACE} ({@link #awaitRunningTrials}).
 *   <li>A resumed study's sampler is seeded with the study seed mixed with the number of trials
 *       it holds ({@link #resumeSeed}), so it does not draw the first run's values again.
 * </ul>
 */
final class StudyResume {
  /** The config a study was created with, kept in the run directory to check resumed runs. */
  static final String STUDY_CONFIG = "tune-config.json";
  /** How often a running trial records that its process is alive. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
  /** How old a RUNNING trial's last heartbeat must be for the trial to count as left by a dead process. */
  static final Duration HEARTBEAT_GRACE = Duration.ofSeconds(6);
  /**
   * Fields that define what a study's trials measure: a resumed study must keep them, or old and
   * new trials would score different things (trials, final runs and the study list may change).
   */
  static final List<String> STUDY_FIELDS = List.of("seed", "epochs", "batchSize", "sampler", "pruner", "model", "data",
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
      before = JSON.readTree(saved.toFile());
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
   * The study's trials that count towards its budget: COMPLETE, PRUNED, and FAIL with a reason
   * unless a later trial retries its parameters (a stale or interrupted trial: its retry counts).
   */
  static int countFinished(Study study) {
    List<FrozenTrial> all = study.trials();
    Set<Integer> retried = new HashSet<>();
    for (FrozenTrial t : all) {
      if (t.systemAttrs().get(Study.RETRY_HISTORY) instanceof List<?> history) {
        history.forEach(n -> retried.add(((Number) n).intValue()));
      }
    }
    int n = 0;
    for (FrozenTrial t : all) {
      boolean counts = switch (t.state()) {
        case COMPLETE, PRUNED -> true;
        case FAIL -> t.systemAttrs().containsKey(Study.FAIL_REASON) && !retried.contains(t.number());
        default -> false;
      };
      if (counts) {
        n++;
      }
    }
    return n;
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
   * A RUNNING trial whose heartbeat is still fresh was left by a process killed a moment ago
   * (SIGKILL, a native crash: no shutdown hook ran) or is being run by a live one. Waits until
   * its heartbeat is older than the grace, then fails and re-queues it ({@link
   * Study#failStaleTrials}); gives up after one grace plus one interval (a live process keeps it).
   */
  static void awaitRunningTrials(Study study, String key, TuneProgress progress) {
    List<Integer> running = study.trials(EnumSet.of(TrialState.RUNNING)).stream().map(FrozenTrial::number).toList();
    if (running.isEmpty()) {
      return;
    }
    progress.notice(String.format(Locale.ROOT, "%s: trial number %s of %s is RUNNING with a recent heartbeat;"
        + " waiting up to %d s to see whether its process is gone", key, running, study.name(),
        HEARTBEAT_GRACE.plus(HEARTBEAT_INTERVAL).toSeconds()));
    long deadline = System.nanoTime() + HEARTBEAT_GRACE.plus(HEARTBEAT_INTERVAL).toNanos();
    while (System.nanoTime() < deadline && !study.trials(EnumSet.of(TrialState.RUNNING)).isEmpty()) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      study.failStaleTrials();
    }
  }
}
