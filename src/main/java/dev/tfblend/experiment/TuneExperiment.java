package dev.tfblend.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.model.Mlp;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.data.Batches;
import dev.tfblend.train.AlphaTrace;
import dev.tfblend.train.BlendOptions;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.StepBuilder;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.SearchSpace;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialPrunedException;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.MedianPruner;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.pruner.Pruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.sampler.Sampler;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The study as the user runs it ({@code tf-blend tune}): for each optimizer a tuning study, then
 * final runs with the best parameters, then results, plots, a report and SavedModels.
 *
 * <p>Per optimizer, one {@link TrainingGraph} is built and reused by all its trials and final
 * runs: each trial re-initialises the model and optimizer state from the study seed and feeds
 * the trial's hyperparameters, so every trial of a study starts from the same weights and sees
 * the same batches; only the hyperparameters differ. A trial reports its validation loss after
 * every epoch (the pruner reads these) and scores the last one. A trial whose loss becomes
 * non-finite ends as FAIL with its reason, and the study goes on.
 *
 * <p>Final run {@code k} (0-based) of every optimizer uses seed {@code seed + 1000 + k}, so final
 * runs are paired by seed across optimizers.
 *
 * <p>Resuming: the studies live in {@code runs/<name>/study.db} (or the given storage). Running
 * again with the same name counts each study's finished trials (COMPLETE, PRUNED, and FAIL with
 * a reason, except failures whose parameters were queued again), fails trials a dead process
 * left RUNNING and re-queues their parameters, and runs only the trials still missing. A resumed
 * study's sampler is seeded with the study seed mixed with the number of trials already in the
 * study, so the resumed trials do not draw the parameters the first run drew again.
 *
 * <p>Interrupting (Ctrl-C, SIGTERM): a shutdown hook {@linkplain Study#interrupt() interrupts}
 * the study being tuned, so its running trial ends as FAIL with reason {@value
 * Study#INTERRUPTED} and its parameters are queued again, and prints how to resume. A resume
 * right after the interrupt then runs that trial first; it need not wait for the heartbeat grace.
 */
public final class TuneExperiment {
  /** The published study's final validation losses. */
  public static final Map<String, Double> PUBLISHED = published();

  private static final String TOTAL_STEPS = "total_steps";
  /** The config a study was created with, kept beside it to check resumed runs. */
  static final String STUDY_CONFIG = "tune-config.json";
  private static final List<String> PUBLISHED_ORDER = List.of("DynamicBlended", "Adam", "SGD");

  /**
   * Where and how to run.
   *
   * @param studyName the run's name, or {@code null} for a new {@code tune-<timestamp>} name
   * @param storage a storage spec ({@code sqlite:PATH}, {@code postgresql://...}), or
   *     {@code null} for {@code sqlite:runs/<name>/study.db}
   * @param runsRoot where run directories go ({@code runs})
   * @param savedModelsRoot where SavedModels go ({@code saved-models})
   * @param out progress and notices
   * @param interactive whether {@code out} is a terminal (progress redraws one line)
   * @param quiet print only notices and the summary
   */
  public record Options(String studyName, String storage, Path runsRoot, Path savedModelsRoot,
      PrintWriter out, boolean interactive, boolean quiet) {}

  /** How often a running trial records that its process is alive. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
  /** How old a RUNNING trial's last heartbeat must be for the trial to count as left by a dead process. */
  static final Duration HEARTBEAT_GRACE = Duration.ofSeconds(6);

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private TuneExperiment() {}

  private static Map<String, Double> published() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("DynamicBlended", 0.7656);
    m.put("Adam", 1.0807);
    m.put("SGD", 0.8775);
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Runs the whole study and writes its outputs; returns what {@code results.json} holds. */
  public static TuneResults run(TuneConfig config, Options options) {
    long t0 = System.nanoTime();
    String name = options.studyName() != null ? options.studyName() : newName(options.runsRoot());
    checkName(name);
    Path runDir = options.runsRoot().resolve(name);
    checkSameStudy(config, runDir.resolve(STUDY_CONFIG), name);
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw BadInputException.of("cannot create run directory %s: %s", runDir, e.getMessage());
    }
    writeJson(runDir.resolve(STUDY_CONFIG), TuneConfigLoader.toJson(config));
    String storageSpec = options.storage() != null ? options.storage()
        : "sqlite:" + runDir.resolve("study.db");
    TuneProgress progress = new TuneProgress(options.out(), options.interactive(), options.quiet());
    progress.info("tune " + name + ": " + config.optimizers().size() + " studies of " + config.trials()
        + " trials x " + config.epochs() + " epochs, storage " + storageSpec);

    // load the native library before any timing, so graph build times exclude it
    long tfStart = System.nanoTime();
    org.tensorflow.TensorFlow.version();
    double tfLoadSeconds = (System.nanoTime() - tfStart) / 1e9;
    DataSplits data = DataSources.load(config.data());
    Mlp mlp = config.model().toMlp();
    Map<String, TuneResults.OptimizerResult> results = new LinkedHashMap<>();
    AtomicReference<Study> tuning = new AtomicReference<>();
    Thread hook = new Thread(() -> onInterrupt(tuning.get(), name, storageSpec, progress), "tune-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try (TrialStorage storage = Storages.open(storageSpec)) {
      for (String key : config.optimizers()) {
        results.put(key, runOptimizer(key, config, samplerSeed(config.seed(), key), mlp, data, storage, name, progress,
            options.savedModelsRoot().resolve(name), tuning));
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs (or ran)
      }
    }
    TuneResults r = new TuneResults(TuneConfigLoader.toJson(config), config.seed(), name, storageSpec,
        results, PUBLISHED, Comparisons.paired(results), (System.nanoTime() - t0) / 1e9, tfLoadSeconds);
    writeOutputs(r, config, runDir, progress);
    return r;
  }

  /** The shutdown hook's work: ends the running trial of {@code study} (if any) and says how to resume. */
  private static void onInterrupt(Study study, String name, String storageSpec, TuneProgress progress) {
    String ended = "";
    if (study != null) {
      try {
        List<Integer> numbers = study.interrupt();
        if (!numbers.isEmpty()) {
          ended = String.format(Locale.ROOT, " study %s, trial number %d ended as FAIL (%s) and is"
              + " queued again;", study.name(), numbers.get(0), Study.INTERRUPTED);
        }
      } catch (RuntimeException e) {
        ended = " the running trial could not be marked (" + e.getMessage() + ");";
      }
    }
    progress.notice("interrupted:" + ended + " finished trials are kept in " + storageSpec
        + ". Run again with --study " + name + " to finish the study.");
  }

  private static TuneResults.OptimizerResult runOptimizer(String key, TuneConfig config, long samplerSeed,
      Mlp mlp, DataSplits data, TrialStorage storage, String runName, TuneProgress progress,
      Path savedModelDir, AtomicReference<Study> tuning) {
    TuneConfig.OptimizerSearch search = config.search().get(key);
    SearchSpace space = SearchSpace.fromJson(search.space(), "search." + key + ".space");
    Map<String, Double> fixed = new LinkedHashMap<>(Optimizers.effective(search.optimizer(), search.fixed()));
    for (String p : space.distributions().keySet()) {
      if (!fixed.containsKey(p)) {
        throw BadInputException.of("search.%s.space.%s is not a hyperparameter of %s (known: %s)",
            key, p, search.optimizer(), String.join(", ", fixed.keySet()));
      }
    }
    long buildStart = System.nanoTime();
    BlendOptions blendOptions = search.gateInput() == null ? BlendOptions.defaults()
        : new BlendOptions(GateFeatures.Mode.parse(search.gateInput()), null, false);
    // the gradient-stats progress feature reads the run's length: set per run (trials and final
    // runs may have different epoch counts); other optimizers have no such key
    boolean hasTotalSteps = fixed.containsKey(TOTAL_STEPS);
    int batchesPerEpoch = Batches.numBatches(data.train().size(), config.batchSize());
    StepBuilder builder = Optimizers.stepBuilder(search.optimizer(), fixed, blendOptions);
    try (TrainingGraph graph = TrainingGraph.create(mlp, builder)) {
      graph.loadData(data.train(), data.validation(), data.test());
      double buildSeconds = (System.nanoTime() - buildStart) / 1e9;

      String studyName = runName + "-" + key;
      OptionalLong existingId = storage.findStudyIdByName(studyName);
      int existing = existingId.isEmpty() ? 0
          : storage.getTrialCount(existingId.getAsLong(), EnumSet.allOf(TrialState.class));
      Study study = Study.createOrLoad(studyName, storage, StudyDirection.MINIMIZE,
          sampler(config.sampler(), resumeSeed(samplerSeed, existing)), pruner(config.pruner()));
      study.setWarningListener(progress::notice);
      study.enableHeartbeat(HEARTBEAT_INTERVAL, HEARTBEAT_GRACE, true);
      study.failStaleTrials();
      awaitRunningTrials(study, key, progress);
      int done = countFinished(study);
      int remaining = config.trials() - done;
      int[] ordinal = {done};
      String[] current = {null};
      // a trial's outcome is printed once it is stored: what the user saw before a Ctrl-C is kept
      study.addListener((s, t) -> progress.finished(key, current[0], outcome(t)));
      List<Double> trialSeconds = new ArrayList<>();
      if (done > 0) {
        progress.info(String.format(Locale.ROOT, "%s: resuming study %s with %d finished trials; %d to run",
            key, study.name(), done, Math.max(0, remaining)));
      }
      if (remaining > 0) {
        progress.plan((long) remaining * config.epochs() + (long) config.finalSeeds() * config.finalEpochs());
        Trainer.Settings settings = new Trainer.Settings(config.epochs(), config.batchSize(), config.seed());
        tuning.set(study);
        study.optimize(trial -> {
          String what = "trial " + (++ordinal[0]) + "/" + config.trials();
          current[0] = what;
          Map<String, Object> suggested = space.suggest(trial);
          Map<String, Double> hp = new LinkedHashMap<>(fixed);
          suggested.forEach((k, v) -> hp.put(k, ((Number) v).doubleValue()));
          if (hasTotalSteps) {
            hp.put(TOTAL_STEPS, (double) config.epochs() * batchesPerEpoch);
          }
          Double best = study.findBestTrial().map(FrozenTrial::value).orElse(null);
          long start = System.nanoTime();
          graph.reinitialize(config.seed(), hp);
          int[] epochsRun = {0};
          Trainer.Result result;
          try {
            result = Trainer.run(graph, settings, rec -> {
              progress.epoch(key, what, rec.epoch(), config.epochs(), rec.valLoss(), best);
              epochsRun[0] = rec.epoch();
              if (rec.epoch() > 0) {
                trial.report(rec.valLoss(), rec.epoch());
                if (trial.shouldPrune()) {
                  throw new TrialPrunedException("pruned at epoch " + rec.epoch());
                }
              }
            });
          } catch (TrialPrunedException e) {
            progress.unplan(config.epochs() - epochsRun[0]);
            throw e;
          } finally {
            trialSeconds.add((System.nanoTime() - start) / 1e9);
          }
          if (result.stopReason() != null) {
            progress.unplan(config.epochs() - epochsRun[0]);
            throw new NonFiniteLossException(result.stopReason());
          }
          return result.epochs().get(result.epochs().size() - 1).valLoss();
        }, remaining, null);
        tuning.set(null);
        if (study.isInterrupted()) {
          awaitHalt();
        }
      } else {
        progress.plan((long) config.finalSeeds() * config.finalEpochs());
      }

      List<FrozenTrial> trials = study.trials();
      List<TuneResults.TrialRecord> records = new ArrayList<>();
      for (FrozenTrial t : trials) {
        Object reason = t.systemAttrs().get(Study.FAIL_REASON);
        records.add(new TuneResults.TrialRecord(t.number(), t.state().name(), t.value(), t.params(),
            reason == null ? null : reason.toString()));
      }
      FrozenTrial best = study.findBestTrial().orElse(null);
      List<TuneResults.FinalRun> finals = new ArrayList<>();
      if (best == null) {
        progress.notice(key + ": no trial completed; no final run");
      } else {
        Map<String, Double> hp = new LinkedHashMap<>(fixed);
        best.params().forEach((k, v) -> hp.put(k, ((Number) v).doubleValue()));
        if (hasTotalSteps) {
          hp.put(TOTAL_STEPS, (double) config.finalEpochs() * batchesPerEpoch);
        }
        for (int k = 0; k < config.finalSeeds(); k++) {
          long seed = config.seed() + 1000 + k;
          finals.add(finalRun(key, graph, config, hp, seed, progress, k));
          if (k == 0) {
            FinalExports.export(graph, builder, mlp, runName, key, search.optimizer(), hp, seed, config,
                savedModelDir.resolve(key), savedModelDir.resolve("gate"));
          }
        }
      }
      Double meanTrial = trialSeconds.isEmpty() ? null
          : trialSeconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      return new TuneResults.OptimizerResult(search.optimizer(),
          best == null ? null : best.params(), best == null ? null : best.value(), records,
          finals.isEmpty() ? null : finals.get(0), finals, buildSeconds, meanTrial);
    }
  }

  private static TuneResults.FinalRun finalRun(String key, TrainingGraph graph, TuneConfig config,
      Map<String, Double> hp, long seed, TuneProgress progress, int k) {
    String what = config.finalSeeds() == 1 ? "final run" : "final " + (k + 1) + "/" + config.finalSeeds();
    graph.reinitialize(seed, hp);
    Trainer.Result r = Trainer.run(graph, new Trainer.Settings(config.finalEpochs(), config.batchSize(), seed),
        rec -> progress.epoch(key, what, rec.epoch(), config.finalEpochs(), rec.valLoss(), null));
    List<TuneResults.EpochFigures> epochs = new ArrayList<>();
    for (Trainer.EpochRecord e : r.epochs()) {
      epochs.add(new TuneResults.EpochFigures(e.epoch(), e.trainLoss(), e.valLoss(), e.valAccuracy()));
    }
    List<TuneResults.AlphaEpoch> alphaEpochs = null;
    float[] alphaSteps = null;
    if (AlphaTrace.present(r)) {
      AlphaTrace trace = AlphaTrace.of(r);
      alphaEpochs = trace.epochs().stream()
          .map(e -> new TuneResults.AlphaEpoch(e.epoch(), e.min(), e.mean(), e.max()))
          .toList();
      double[] perStep = trace.perStep();
      alphaSteps = new float[perStep.length];
      for (int i = 0; i < perStep.length; i++) {
        alphaSteps[i] = (float) perStep[i];
      }
    }
    TuneResults.EpochFigures last = epochs.get(epochs.size() - 1);
    progress.finished(key, what, String.format(Locale.ROOT,
        "val_loss %.4f  val_acc %.3f  test_loss %.4f  test_acc %.3f%s", last.valLoss(), last.valAccuracy(),
        r.testLoss(), r.testAccuracy(), r.stopReason() == null ? "" : "  (" + r.stopReason() + ")"));
    return new TuneResults.FinalRun(seed, hp, epochs, r.testLoss(), r.testAccuracy(), r.stepsPerSecond(),
        r.wallSeconds(), r.stopReason(), alphaEpochs, alphaSteps);
  }

  /**
   * A RUNNING trial whose heartbeat is still fresh was left by a process killed a moment ago
   * (SIGKILL, a native crash: no shutdown hook ran) or is being run by a live one. Waits until
   * its heartbeat is older than the grace, then fails and re-queues it ({@link
   * Study#failStaleTrials}); gives up after one grace plus one interval (a live process keeps it).
   */
  private static void awaitRunningTrials(Study study, String key, TuneProgress progress) {
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

  /**
   * Only the shutdown hook interrupts a study, so the JVM is exiting: stay quiet (no final run,
   * no error message) until it halts.
   */
  private static void awaitHalt() {
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // keep waiting: the halt ends this thread
      }
    }
  }

  /**
   * The study's trials that count towards its budget: COMPLETE, PRUNED, and FAIL with a reason
   * unless a later trial retries its parameters (a stale or interrupted trial: its retry counts).
   */
  static int countFinished(Study study) {
    List<FrozenTrial> all = study.trials();
    java.util.Set<Integer> retried = new java.util.HashSet<>();
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
   * The sampler seed of a study that already holds {@code existingTrials} trials: the study seed
   * for a new study (so a fresh run proposes what Optuna proposes with that seed), else the seed
   * mixed with the count, so a resumed run does not replay the first run's random draws.
   */
  static long resumeSeed(long seed, int existingTrials) {
    return existingTrials == 0 ? seed : seed + 0x9E3779B97F4A7C15L * existingTrials;
  }

  /**
   * The sampler seed of study {@code key}: the study seed plus the key's place among the
   * published studies (DynamicBlended 0, Adam 1, SGD 2; other names a fixed offset from their
   * name), so a study draws the same values whichever subset or order of studies runs.
   */
  static long samplerSeed(long seed, String key) {
    int i = PUBLISHED_ORDER.indexOf(key);
    return seed + (i >= 0 ? i : PUBLISHED_ORDER.size() + Math.floorMod(key.hashCode(), 1000));
  }

  static Sampler sampler(String name, long seed) {
    return switch (name) {
      case "tpe" -> new TpeSampler(seed);
      case "tpe-multivariate" -> new TpeSampler(TpeSampler.Config.defaults(seed).withMultivariate(true));
      case "random" -> new RandomSampler(seed);
      default -> throw BadInputException.of("sampler must be one of %s, got %s", TuneConfig.SAMPLERS, name);
    };
  }

  static Pruner pruner(String name) {
    return switch (name) {
      case "none" -> new NopPruner();
      case "median" -> new MedianPruner();
      default -> throw BadInputException.of("pruner must be one of %s, got %s", TuneConfig.PRUNERS, name);
    };
  }

  /** The progress line's summary of a finished trial. */
  private static String outcome(FrozenTrial t) {
    return switch (t.state()) {
      case COMPLETE -> String.format(Locale.ROOT, "val_loss %.4f  params %s", t.value(), formatParams(t.params()));
      case PRUNED -> "PRUNED at epoch " + (t.intermediateValues().isEmpty() ? 0 : t.intermediateValues().lastKey());
      default -> "FAIL: " + t.systemAttrs().getOrDefault(Study.FAIL_REASON, t.state());
    };
  }

  private static String formatParams(Map<String, Object> params) {
    StringBuilder sb = new StringBuilder("{");
    params.forEach((k, v) -> {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(k).append('=').append(v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v);
    });
    return sb.append('}').toString();
  }

  private static String newName(Path runsRoot) {
    String base = "tune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String name = base;
    for (int i = 2; Files.exists(runsRoot.resolve(name)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  private static void checkName(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw BadInputException.of("--study %s: use letters, digits, '.', '_' and '-' (at most 100)", name);
    }
  }

  private static void writeOutputs(TuneResults r, TuneConfig config, Path runDir, TuneProgress progress) {
    // each chart is written to a temporary file and renamed (ChartWriter), so none is half-written
    List<String> pngs = TuneCharts.write(r, config, runDir);
    String report = TuneReport.markdown(r, config, pngs);
    AtomicFile.write(runDir.resolve("report.md"), "--runs-dir", w -> w.write(report));
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("command", "tune");
    manifest.put("study_name", r.studyName());
    manifest.put("seed", config.seed());
    manifest.put("final_seeds", java.util.stream.LongStream.range(0, config.finalSeeds())
        .map(k -> config.seed() + 1000 + k).boxed().toList());
    manifest.put("storage", r.storage());
    manifest.put("studies", config.optimizers().stream().map(k -> r.studyName() + "-" + k).toList());
    manifest.put("config", r.config());
    manifest.put("data_resolved", TrainExperiment.resolvedData(config.data()));
    manifest.put("versions", BuildInfo.asMap());
    manifest.put("created", java.time.Instant.now().toString());
    writeJson(runDir.resolve("manifest.json"), manifest);
    writeJson(runDir.resolve("results.json"), r);
    progress.info("wrote " + runDir + "/{results.json, report.md, manifest.json, " + String.join(", ", pngs) + "}");
  }

  /**
   * Fields that define what a study's trials measure: a resumed study must keep them, or old and
   * new trials would score different things (trials, final runs and the study list may change).
   */
  private static final List<String> STUDY_FIELDS =
      List.of("seed", "epochs", "batchSize", "sampler", "pruner", "model", "data");

  /**
   * Refuses to resume {@code name} with a config whose trials would not be comparable with the
   * ones it holds: the fields of {@link #STUDY_FIELDS} and the search of every study both runs
   * share must be equal. A run directory without {@code tune-config.json} is a new study.
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
      if (!before.path(f).equals(now.path(f))) {
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

  private static void writeJson(Path file, Object value) {
    AtomicFile.write(file, "--study", w -> JSON.writeValue(w, value));
  }

  /** Thrown by a trial whose training loss became non-finite; the trial ends as FAIL. */
  static final class NonFiniteLossException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NonFiniteLossException(String reason) {
      super(reason);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
