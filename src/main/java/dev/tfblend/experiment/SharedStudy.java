package dev.tfblend.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.SearchSpace;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What the processes that share a {@code tune} run's studies agree on through the storage, so
 * that a process on any machine, with any {@code --runs-dir}, is held to the same study.
 *
 * <ul>
 *   <li>The resolved config lives in each study's system attribute {@value #CONFIG_ATTR},
 *       written once when the study is created (compare-and-set from absent, so of processes
 *       starting together one writes it); every process checks its own config against it and is
 *       refused (exit 2) when a field that changes what trials measure differs ({@link
 *       #STUDY_FIELDS}, and the study's search).
 *   <li>User attributes, for optuna-dashboard and Python readers: {@code optimizer}, {@code
 *       config_summary}, {@code budget} and, once the final runs are done, {@code final_metrics}.
 *   <li>Trials whose params lie outside the study's search space (added by another tool) are
 *       left out of the best trial, with one warning naming them ({@link #bestTrial}).
 *   <li>The final runs are claimed with {@link dev.tfblend.tune.StudyClaim} under {@link
 *       #finalClaimKey} on the run's anchor study ({@link #anchor}).
 * </ul>
 */
final class SharedStudy {
  /** Study system attribute holding the resolved config the study was created with. */
  static final String CONFIG_ATTR = "tfblend:config";
  /** Prefix of the study system attribute of the claim on the final runs and outputs. */
  static final String FINAL_CLAIM = "tfblend:final_runs";
  /**
   * Fields that define what a study's trials measure: every process must agree on them, or old
   * and new trials would score different things (trials, final runs and the study list may
   * differ).
   */
  static final List<String> STUDY_FIELDS = List.of("seed", "epochs", "batch_size", "sampler", "pruner", "model", "data");

  private static final ObjectMapper JSON = new ObjectMapper();

  private SharedStudy() {}

  /** Trial system attribute naming the process that ran the trial ({@link #processName}). */
  static final String PROCESS_ATTR = "tfblend:process";

  private static final String PROCESS = newProcessName();

  /** This process's name, unique across machines: {@code host:pid:random}. */
  static String processName() {
    return PROCESS;
  }

  private static String newProcessName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return host + ":" + ProcessHandle.current().pid() + ":"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Study system attribute counting the processes that opened the study. */
  static final String WORKERS_ATTR = "tfblend:workers";

  /**
   * This process's index among those that opened the study (0 for the first), taken atomically
   * from the study attribute {@value #WORKERS_ATTR}.
   */
  static int workerIndex(TrialStorage storage, long studyId) {
    while (true) {
      Object seen = storage.getStudySystemAttrs(studyId).get(WORKERS_ATTR);
      int index = seen instanceof Number n ? n.intValue() : 0;
      if (storage.compareAndSetStudySystemAttr(studyId, WORKERS_ATTR, seen, index + 1)) {
        return index;
      }
    }
  }

  /**
   * The sampler seed of worker {@code index}: {@code seed} itself for the first (a lone run draws
   * what it always drew), else {@code seed} mixed with the index.
   */
  static long workerSeed(long seed, int index) {
    return index == 0 ? seed : seed + 0xD1B54A32D192ED03L * index;
  }

  /**
   * The claim on the final runs of one launch: {@value #FINAL_CLAIM} with what the final runs
   * depend on besides the stored trials (budget, studies, final seeds and epochs), so that the
   * processes of one launch share a claim while a later run that asks for something else (more
   * trials, more seeds, a subset) gets its own.
   */
  static String finalClaimKey(TuneConfig config) {
    String what = String.format(Locale.ROOT, "trials=%s;studies=%s;finalSeeds=%d;finalEpochs=%d;repeats=%d",
        config.budgetRule(), config.optimizers().stream().sorted().toList(), config.finalSeeds(), config.finalEpochs(),
        config.repeats());
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256")
          .digest(what.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return FINAL_CLAIM + ":" + java.util.HexFormat.of().formatHex(h, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** The study that carries the run's final-runs claim: the first of the run's study names in sort order. */
  static String anchor(String runName, List<String> optimizers) {
    return optimizers.stream().map(k -> runName + "-" + k).sorted().findFirst()
        .orElseThrow(() -> new IllegalArgumentException("a run has at least one study"));
  }

  /**
   * Stores {@code config} in a new study, or checks it against the config the study holds.
   *
   * @throws BadInputException naming the study and each field that differs
   */
  static void checkOrStoreConfig(TrialStorage storage, Study study, String key, TuneConfig config, String runName) {
    JsonNode now = canonical(TuneConfigLoader.toJson(config));
    Object nowValue = JSON.convertValue(now, Object.class);
    if (storage.compareAndSetStudySystemAttr(study.studyId(), CONFIG_ATTR, null, nowValue)) {
      return;
    }
    JsonNode before = TuneConfigLoader.snakeKeys(
        JSON.valueToTree(storage.getStudySystemAttrs(study.studyId()).get(CONFIG_ATTR)));
    List<String> changed = new ArrayList<>();
    for (String f : STUDY_FIELDS) {
      if (!before.path(f).equals(now.path(f))) {
        changed.add(f + " " + before.path(f) + " -> " + now.path(f));
      }
    }
    JsonNode was = before.path("search").path(key);
    if (!was.isMissingNode() && !was.equals(now.path("search").path(key))) {
      changed.add("search." + key);
    }
    if (!changed.isEmpty()) {
      throw BadInputException.of("--study %s: study %s in the storage was created with another config (%s);"
          + " its trials would not be comparable. Run with the same settings, or start a new study with"
          + " another --study name", runName, study.name(), String.join("; ", changed));
    }
  }

  /** Through text, so numbers compare as they were stored (a long seed reads back as an int). */
  private static JsonNode canonical(JsonNode node) {
    try {
      return JSON.readTree(JSON.writeValueAsString(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the user attributes a dashboard shows for study {@code key}: optimizer, config summary, budget. */
  static void describe(TrialStorage storage, Study study, String key, String optimizer, TuneConfig config) {
    storage.setStudyUserAttr(study.studyId(), "optimizer", optimizer);
    storage.setStudyUserAttr(study.studyId(), "budget", config.trialsFor(key));
    storage.setStudyUserAttr(study.studyId(), "config_summary", String.format(Locale.ROOT,
        "%s: %d finished trials x %d epochs, batch %d, seed %d, sampler %s, pruner %s, model %s, data %s",
        optimizer, config.trialsFor(key), config.epochs(), config.batchSize(), config.seed(), config.sampler(),
        config.pruner(), config.model().layers(), config.data().source()));
  }

  /** Writes the final run's figures to the study's user attribute {@code final_metrics}. */
  static void recordFinal(TrialStorage storage, Study study, TuneResults.FinalRun run) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seed", run.seed());
    m.put("val_loss", run.finalValLoss());
    m.put("val_accuracy", run.finalValAccuracy());
    m.put("test_loss", run.testLoss());
    m.put("test_accuracy", run.testAccuracy());
    storage.setStudyUserAttr(study.studyId(), "final_metrics", m);
  }

  /**
   * The best COMPLETE trial among those in {@code space}; trials outside it are named in one
   * warning through {@code warn}.
   */
  static FrozenTrial bestTrial(Study study, SearchSpace space, java.util.function.Consumer<String> warn) {
    List<Integer> foreign = study.trials(EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED)).stream()
        .filter(t -> !space.admits(t)).map(FrozenTrial::number).toList();
    if (!foreign.isEmpty()) {
      warn.accept(String.format(Locale.ROOT, "%s: trial number%s %s lie%s outside the search space %s"
          + " (added by another tool?) and %s ignored for the best trial", study.name(),
          foreign.size() == 1 ? "" : "s", foreign, foreign.size() == 1 ? "s" : "", space.toJson(),
          foreign.size() == 1 ? "is" : "are"));
    }
    return study.findBestTrial(space::admits).orElse(null);
  }
}
