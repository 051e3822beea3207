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
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.SearchSpace;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialSlots;
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
import java.util.Set;

/**
 * One optimizer's part of a {@code tune} run, in three phases: {@link #open} (its study under
 * {@code <run>-<key>}, created or loaded, checked against the config stored in it, and its
 * graph), {@link #tune} (trials until the study, across every process sharing it, holds the
 * budget of finished trials), {@link #finish} (final runs with the best parameters and the
 * SavedModels of the first; only the process that claimed the final runs calls it).
 *
 * <p>Trials run {@code jobs} at a time ({@link TuneConfig#effectiveJobs()}; with more than one the
 * TPE sampler uses Optuna's constant liar). Graphs come from the study's {@link TrialGraphs}: one
 * per trial running at once and per value of the structural hyperparameters the search draws
 * (for example the blend's {@code unroll}), built on first use and reused by later trials and the
 * final runs; a study whose search draws no structural value builds its one graph in {@link
 * #open}. {@link #close} closes them all. Final runs run one after another; final run {@code k}
 * (0-based) uses seed {@code seed + 1000 + k}, so final runs are paired by seed across optimizers.
 */
final class OptimizerStudy implements AutoCloseable {
  /** The hyperparameter through which the gradient-stats gate feature reads the run's length. */
  private static final String TOTAL_STEPS = "total_steps";
  private static final List<String> PUBLISHED_ORDER = List.of("DynamicBlended", "Adam", "SGD");

  private final String key;
  private final TuneConfig config;
  private final TuneConfig.OptimizerSearch search;
  private final SearchSpace space;
  private final Map<String, Double> fixed;
  private final Mlp mlp;
  private final TrialGraphs graphs;
  private final int batchesPerEpoch;
  private final Study study;
  private final TuneProgress progress;
  private final Path events;
  private TuneObjective objective;
  private Double meanTrialSeconds;
  private boolean closed;

  private OptimizerStudy(String key, TuneConfig config, Validated valid, Mlp mlp,
      TrialGraphs graphs, int batchesPerEpoch, Study study, TuneProgress progress, Path events) {
    this.events = events;
    this.key = key;
    this.config = config;
    this.search = config.search().get(key);
    this.space = valid.space();
    this.fixed = valid.fixed();
    this.mlp = mlp;
    this.graphs = graphs;
    this.batchesPerEpoch = batchesPerEpoch;
    this.study = study;
    this.progress = progress;
  }

  /**
   * Opens optimizer {@code key}'s study (creating it with the config stored in it, or checking
   * the config against the stored one) and, unless its search draws structural values, builds
   * its graph. Runs no trial.
   *
   * @param events this study's TensorBoard directory ({@code trial-<n>/} per trial, {@code
   *     final-seed-<seed>/} per final run)
   * @throws BadInputException when the study was created with a config whose trials measure
   *     something else
   */
  static OptimizerStudy open(String key, TuneConfig config, Mlp mlp, DataSplits data, TrialStorage storage,
      String runName, TuneProgress progress, StudyResume.Heartbeat heartbeat, Path events) {
    TuneConfig.OptimizerSearch search = config.search().get(key);
    Validated valid = validate(key, config);
    String studyName = runName + "-" + key;
    OptionalLong existingId = storage.findStudyIdByName(studyName);
    int existing = existingId.isEmpty() ? 0
        : storage.getTrialCount(existingId.getAsLong(), EnumSet.allOf(TrialState.class));
    long studyId = storage.loadOrCreateStudy(studyName, StudyDirection.MINIMIZE);
    // processes that open the study together see the same trial count: each takes its own
    // index, so that they do not draw the same parameters (the first one draws as a lone run)
    int worker = SharedStudy.workerIndex(storage, studyId);
    Study study = Study.createOrLoad(studyName, storage, StudyDirection.MINIMIZE,
        sampler(config.sampler(), SharedStudy.workerSeed(
            StudyResume.resumeSeed(samplerSeed(config.seed(), key), existing), worker), config.effectiveJobs() > 1),
        pruner(config.pruner()));
    SharedStudy.checkOrStoreConfig(storage, study, key, config, runName);
    SharedStudy.describe(storage, study, key, search.optimizer(), config);
    study.setWarningListener(progress::notice);
    study.enableHeartbeat(heartbeat.interval(), heartbeat.grace(), true);
    BlendOptions blendOptions = search.gateInput() == null && search.gateOutput() == null ? BlendOptions.defaults()
        : BlendOptions.of(search.gateInput() == null ? GateFeatures.Mode.FLAT_GRADIENTS
            : GateFeatures.Mode.parse(search.gateInput()),
            search.gateOutput() == null ? GateOutput.GLOBAL : GateOutput.parse(search.gateOutput()));
    int batchesPerEpoch = Batches.numBatches(data.train().size(), config.batchSize());
    Map<String, Double> fixed = valid.fixed();
    TrialGraphs graphs = new TrialGraphs(Optimizers.table(search.optimizer()), structural -> {
      Map<String, Double> values = new LinkedHashMap<>(fixed);
      values.putAll(structural);
      return buildGraph(mlp, data, Optimizers.stepBuilder(search.optimizer(), values, blendOptions));
    }, TrialGraphs.DEFAULT_PER_SLOT);
    if (valid.structuralSearched().isEmpty()) {
      long buildStart = System.nanoTime();
      TrainingGraph graph = buildGraph(mlp, data, Optimizers.stepBuilder(search.optimizer(), fixed, blendOptions));
      graphs.add(fixed, graph, (System.nanoTime() - buildStart) / 1e9);
    }
    return new OptimizerStudy(key, config, valid, mlp, graphs, batchesPerEpoch, study, progress, events);
  }

  /** A graph for {@code builder} with the data loaded (closed again when loading fails). */
  private static TrainingGraph buildGraph(Mlp mlp, DataSplits data, StepBuilder builder) {
    TrainingGraph graph = TrainingGraph.create(mlp, builder);
    try {
      graph.loadData(data.train(), data.validation(), data.test());
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
    return graph;
  }

  Study study() {
    return study;
  }

  /** The study's graphs (one per trial running at once and per structural values). */
  TrialGraphs graphs() {
    return graphs;
  }

  String key() {
    return key;
  }

  /** The study's trials that count towards its budget (COMPLETE, PRUNED), in every process. */
  int finished() {
    return StudyResume.countFinished(study);
  }

  /**
   * Runs trials until the study holds {@code config.trialsFor(key)} finished trials, counting those of
   * every process that shares it, and waits for other processes' running trials (failing and
   * re-running those whose process died).
   *
   * @param tuning holds the study while its trials run, for the interrupt hook
   * @param slots the limit on trials running at once that this study shares with the others of
   *     the run, or null for none beyond its own {@code jobs}
   * @param priority the study's priority for a free slot (lower first)
   */
  void tune(Set<Study> tuning, StudyResume.Heartbeat heartbeat, TrialSlots slots, int priority) {
    int done = finished();
    objective = new TuneObjective(key, config, graphs, space, fixed, batchesPerEpoch, study, progress, events);
    // a trial's outcome is printed once it is stored: what the user saw before a Ctrl-C is kept
    TuneObjective labels = objective;
    study.addListener((s, t) -> progress.finished(key, labels.label(t.number()), outcome(t)));
    int remaining = config.trialsFor(key) - done;
    if (done > 0) {
      progress.info(String.format(Locale.ROOT, "%s: resuming study %s with %d finished trials; %d to run",
          key, study.name(), done, Math.max(0, remaining)));
    }
    if (remaining <= 0) {
      return;
    }
    progress.plan((long) remaining * config.epochs() * config.trialSeeds());
    tuning.add(study);
    // no more workers than trials to run: each worker builds its own graph
    int jobs = Math.min(config.effectiveJobs(), remaining);
    study.optimizeShared(objective, config.trialsFor(key), heartbeat.poll(), running -> progress.notice(String.format(
        Locale.ROOT, "%s: the rest of the budget is taken by running trial%s %s (other processes); waiting for"
            + " them (a trial whose process died is failed and run again once its heartbeat is %d s old)",
        key, running.size() == 1 ? "" : "s", running, heartbeat.grace().toSeconds())), TuneObjective.CAUGHT, jobs,
        slots, priority);
    tuning.remove(study);
    if (study.isInterrupted()) {
      awaitHalt();
    }
  }

  /**
   * Final runs with the best trial's parameters (trials outside the search space left out, with
   * a warning), SavedModels of the first unless it diverged (its loss became non-finite: then a
   * notice and no SavedModel), and the study's {@code final_metrics} attribute.
   *
   * @param runName the run's name (SavedModel manifests)
   * @param savedModelDir where this run's SavedModels go ({@code <key>/}, and {@code gate/} for a
   *     blend), or null to export none
   */
  TuneResults.OptimizerResult finish(String runName, Path savedModelDir) {
    progress.plan((long) config.finalSeeds() * config.finalEpochs());
    List<TuneResults.TrialRecord> records = new ArrayList<>();
    for (FrozenTrial t : study.trials()) {
      Object reason = t.systemAttrs().get(Study.FAIL_REASON);
      records.add(new TuneResults.TrialRecord(t.number(), t.state().name(), t.value(), t.params(),
          reason == null ? null : reason.toString(), seedValues(t)));
    }
    FrozenTrial best = SharedStudy.bestTrial(study, space, progress::notice);
    List<TuneResults.FinalRun> finals = new ArrayList<>();
    if (best == null) {
      progress.notice(key + ": no trial completed; no final run");
    } else {
      Map<String, Double> hp = new LinkedHashMap<>(fixed);
      best.params().forEach((k, v) -> hp.put(k, ((Number) v).doubleValue()));
      putTotalSteps(hp, config.finalEpochs(), batchesPerEpoch);
      try (TrialGraphs.Lease lease = graphs.acquire(hp)) {
        TrainingGraph graph = lease.graph();
        for (int k = 0; k < config.finalSeeds(); k++) {
          long seed = config.seed() + 1000 + k;
          TuneResults.FinalRun run = finalRun(key, graph, config, hp, seed, progress, k, events);
          finals.add(run);
          if (k == 0 && savedModelDir != null && run.stopReason() != null) {
            // a diverged model is not a model: results.json keeps the run and its stop_reason
            progress.notice(String.format(Locale.ROOT, "%s: the final run diverged (%s); no SavedModel exported",
                key, run.stopReason()));
          } else if (k == 0 && savedModelDir != null) {
            FinalExports.export(graph, mlp, runName, key, search.optimizer(), hp, seed, config,
                savedModelDir.resolve(key), savedModelDir.resolve("gate"));
          }
        }
      }
      SharedStudy.recordFinal(study.storage(), study, finals.get(0));
    }
    return new TuneResults.OptimizerResult(search.optimizer(),
        best == null ? null : best.params(), best == null ? null : best.value(), records,
        finals.isEmpty() ? null : finals.get(0), finals, graphs.firstBuildSeconds() == null ? 0 : graphs.firstBuildSeconds(),
        objective != null ? objective.meanTrialSeconds() : meanTrialSeconds);
  }

  /**
   * Takes the trial timings of {@code searched}, the same study opened earlier in this process
   * whose trials ran there, for {@link #finish}'s {@code mean_trial_seconds}.
   */
  void takeTimingsOf(OptimizerStudy searched) {
    meanTrialSeconds = searched.objective != null ? searched.objective.meanTrialSeconds()
        : searched.meanTrialSeconds;
  }

  /** Closes the study's graphs; closing again does nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      graphs.close();
    }
  }

  /**
   * A study's search space, the hyperparameters its trials do not draw (defaults filled in), and
   * the structural hyperparameters its space draws (each value gets a graph of its own).
   */
  record Validated(SearchSpace space, Map<String, Double> fixed, List<String> structuralSearched) {}

  /**
   * Checks study {@code key}'s search: its space parses and names only hyperparameters of its
   * optimizer, and a structural hyperparameter (one that selects the graph) is drawn only from a
   * finite set of values: an int distribution or categorical choices (the config's range check
   * already holds the values in its domain). Runs before anything is written.
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
    List<String> structural = new ArrayList<>();
    for (String p : space.distributions().keySet()) {
      if (!fixed.containsKey(p)) {
        throw BadInputException.of("search.%s.space.%s is not a hyperparameter of %s (known: %s)",
            key, p, search.optimizer(), String.join(", ", fixed.keySet()));
      }
      if (Optimizers.table(search.optimizer()).get(p).structural()) {
        Distribution d = space.distributions().get(p);
        boolean finite = d instanceof IntDistribution || d instanceof CategoricalDistribution
            || (d instanceof FloatDistribution f && f.step() != null);
        if (!finite) {
          throw BadInputException.of("search.%s.space.%s selects the graph (one graph per value): search it as an int"
              + " or categorical, e.g. {\"type\": \"int\", \"low\": 1, \"high\": 3}", key, p);
        }
        structural.add(p);
      }
    }
    return new Validated(space, fixed, List.copyOf(structural));
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
      Map<String, Double> hp, long seed, TuneProgress progress, int k, Path events) {
    String what = config.finalSeeds() == 1 ? "final run" : "final " + (k + 1) + "/" + config.finalSeeds();
    graph.reinitialize(seed, hp);
    Trainer.Result r = Trainer.run(graph, new Trainer.Settings(config.finalEpochs(), config.batchSize(), seed),
        rec -> progress.epoch(key, what, rec.epoch(), config.finalEpochs(), rec.valLoss(), null));
    RunEvents.write(events.resolve("final-seed-" + seed), hp, r.epochs(), r.stepOutputs(),
        r.stopReason() == null ? null : "stopped early: " + r.stopReason());
    List<TuneResults.EpochFigures> epochs = new ArrayList<>();
    for (Trainer.EpochRecord e : r.epochs()) {
      epochs.add(new TuneResults.EpochFigures(e.epoch(), e.trainLoss(),
          Double.isNaN(e.meanBatchLoss()) ? null : e.meanBatchLoss(), e.valLoss(), e.valAccuracy()));
    }
    List<TuneResults.AlphaEpoch> alphaEpochs = null;
    float[] alphaSteps = null;
    TuneResults.GateMovement gate = null;
    Map<String, float[]> norms = null;
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
      double[] adam = r.stepOutputs().get(AlphaTrace.ADAM_NORM);
      double[] sgd = r.stepOutputs().get(AlphaTrace.SGD_NORM);
      if (adam != null && sgd != null) {
        norms = new LinkedHashMap<>();
        norms.put("adam", toFloats(adam));
        norms.put("sgd", toFloats(sgd));
      }
      if (alphaSteps.length > 0) {
        gate = TuneResults.GateMovement.of(alphaSteps, (int) r.epochs().get(r.epochs().size() - 1).steps(), norms);
      }
    }
    TuneResults.EpochFigures last = epochs.get(epochs.size() - 1);
    progress.finished(key, what, String.format(Locale.ROOT,
        "val_loss %.4f  val_acc %.3f  test_loss %.4f  test_acc %.3f%s", last.valLoss(), last.valAccuracy(),
        r.testLoss(), r.testAccuracy(), r.stopReason() == null ? "" : "  (" + r.stopReason() + ")"));
    Map<String, Double> state = graph.step().sharedState(graph.session());
    return new TuneResults.FinalRun(seed, hp, epochs, r.testLoss(), r.testAccuracy(), r.stepsPerSecond(),
        r.wallSeconds(), r.stopReason(), alphaEpochs, alphaSteps, norms, gate, state.isEmpty() ? null : state);
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
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

  /**
   * The study's sampler; {@code concurrent}: trials run at once, so TPE treats the running ones
   * as the worst (Optuna's constant liar).
   */
  static Sampler sampler(String name, long seed, boolean concurrent) {
    return switch (name) {
      case "tpe" -> new TpeSampler(TpeSampler.Config.defaults(seed).withConstantLiar(concurrent));
      case "tpe-multivariate" -> new TpeSampler(
          TpeSampler.Config.defaults(seed).withMultivariate(true).withConstantLiar(concurrent));
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

  /** The per-seed values of a trial scored on several seeds, or null. */
  @SuppressWarnings("unchecked")
  private static List<Double> seedValues(FrozenTrial t) {
    Object v = t.userAttrs().get(TuneObjective.VALUES_ATTR);
    if (!(v instanceof List<?> list)) {
      return null;
    }
    List<Double> out = new ArrayList<>();
    for (Object o : list) {
      out.add(o instanceof Number n ? n.doubleValue() : null);
    }
    return out;
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
