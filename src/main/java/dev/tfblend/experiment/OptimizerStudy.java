package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.data.Batches;
import dev.tfblend.data.DataSplits;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.model.Mlp;
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
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.MedianPruner;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.pruner.Pruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.sampler.Sampler;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.TrialStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One optimizer's part of a {@code tune} run: its study (created or resumed under
 * {@code <run>-<key>}), the trials still missing, then the final runs with the best parameters
 * and the SavedModels of the first final run.
 *
 * <p>One {@link TrainingGraph} is built per optimizer and reused by its trials and final runs.
 * Final run {@code k} (0-based) uses seed {@code seed + 1000 + k}, so final runs are paired by
 * seed across optimizers.
 */
final class OptimizerStudy {
  /** The hyperparameter through which the gradient-stats gate feature reads the run's length. */
  private static final String TOTAL_STEPS = "total_steps";
  private static final List<String> PUBLISHED_ORDER = List.of("DynamicBlended", "Adam", "SGD");

  private OptimizerStudy() {}

  /**
   * Tunes and final-trains optimizer {@code key} of {@code config}.
   *
   * @param runName the run's name (study {@code <runName>-<key>}, SavedModel manifests)
   * @param savedModelDir where this run's SavedModels go ({@code <key>/}, and {@code gate/} for a blend)
   * @param tuning holds the study while its trials run, for the interrupt hook
   */
  static TuneResults.OptimizerResult run(String key, TuneConfig config, Mlp mlp, DataSplits data,
      TrialStorage storage, String runName, TuneProgress progress, Path savedModelDir,
      AtomicReference<Study> tuning) {
    TuneConfig.OptimizerSearch search = config.search().get(key);
    Validated valid = validate(key, config);
    SearchSpace space = valid.space();
    Map<String, Double> fixed = valid.fixed();
    long buildStart = System.nanoTime();
    BlendOptions blendOptions = search.gateInput() == null && search.gateOutput() == null ? BlendOptions.defaults()
        : BlendOptions.of(search.gateInput() == null ? GateFeatures.Mode.FLAT_GRADIENTS
            : GateFeatures.Mode.parse(search.gateInput()),
            search.gateOutput() == null ? GateOutput.GLOBAL : GateOutput.parse(search.gateOutput()));
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
          sampler(config.sampler(), StudyResume.resumeSeed(samplerSeed(config.seed(), key), existing)),
          pruner(config.pruner()));
      study.setWarningListener(progress::notice);
      study.enableHeartbeat(StudyResume.HEARTBEAT_INTERVAL, StudyResume.HEARTBEAT_GRACE, true);
      study.failStaleTrials();
      StudyResume.awaitRunningTrials(study, key, progress);
      int done = StudyResume.countFinished(study);
      int remaining = config.trialsFor(key) - done;
      TuneObjective objective = new TuneObjective(key, config, graph, space, fixed, batchesPerEpoch, study,
          progress, done);
      // a trial's outcome is printed once it is stored: what the user saw before a Ctrl-C is kept
      study.addListener((s, t) -> progress.finished(key, objective.label(), outcome(t)));
      if (done > 0) {
        progress.info(String.format(Locale.ROOT, "%s: resuming study %s with %d finished trials; %d to run",
            key, study.name(), done, Math.max(0, remaining)));
      }
      if (remaining > 0) {
        progress.plan((long) remaining * config.epochs() + (long) config.finalSeeds() * config.finalEpochs());
        tuning.set(study);
        study.optimize(objective, remaining, null);
        tuning.set(null);
        if (study.isInterrupted()) {
          awaitHalt();
        }
      } else {
        progress.plan((long) config.finalSeeds() * config.finalEpochs());
      }

      List<TuneResults.TrialRecord> records = new ArrayList<>();
      for (FrozenTrial t : study.trials()) {
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
        putTotalSteps(hp, config.finalEpochs(), batchesPerEpoch);
        for (int k = 0; k < config.finalSeeds(); k++) {
          long seed = config.seed() + 1000 + k;
          finals.add(finalRun(key, graph, config, hp, seed, progress, k));
          if (k == 0) {
            FinalExports.export(graph, mlp, runName, key, search.optimizer(), hp, seed, config,
                savedModelDir.resolve(key), savedModelDir.resolve("gate"));
          }
        }
      }
      return new TuneResults.OptimizerResult(search.optimizer(),
          best == null ? null : best.params(), best == null ? null : best.value(), records,
          finals.isEmpty() ? null : finals.get(0), finals, buildSeconds, objective.meanTrialSeconds());
    }
  }

  /** A study's search space and the hyperparameters its trials do not draw (defaults filled in). */
  record Validated(SearchSpace space, Map<String, Double> fixed) {}

  /**
   * Checks study {@code key}'s search: its space parses and names only hyperparameters of its
   * optimizer. Runs before anything is written.
   *
   * @throws BadInputException naming the {@code search.<key>} field that is wrong
   */
  static Validated validate(String key, TuneConfig config) {
    TuneConfig.OptimizerSearch search = config.search().get(key);
    if (search == null) {
      throw BadInputException.of("optimizers: %s has no entry in search", key);
    }
    SearchSpace space = SearchSpace.fromJson(search.space(), "search." + key + ".space");
    Map<String, Double> fixed = new LinkedHashMap<>(Optimizers.effective(search.optimizer(), search.fixed()));
    for (String p : space.distributions().keySet()) {
      if (!fixed.containsKey(p)) {
        throw BadInputException.of("search.%s.space.%s is not a hyperparameter of %s (known: %s)",
            key, p, search.optimizer(), String.join(", ", fixed.keySet()));
      }
    }
    return new Validated(space, fixed);
  }

  /**
   * Sets the run length ({@code total_steps}) for a run of {@code epochs} epochs when the
   * optimizer has that hyperparameter (the gradient-stats gate's progress feature); trials and
   * final runs may differ in length.
   */
  static void putTotalSteps(Map<String, Double> hp, int epochs, int batchesPerEpoch) {
    if (hp.containsKey(TOTAL_STEPS)) {
      hp.put(TOTAL_STEPS, (double) epochs * batchesPerEpoch);
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
}
