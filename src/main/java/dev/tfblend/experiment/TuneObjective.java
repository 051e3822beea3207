package dev.tfblend.experiment;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Objective;
import dev.tfblend.tune.SearchSpace;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.Trial;
import dev.tfblend.tune.TrialPrunedException;
import dev.tfblend.tune.TrialState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One optimizer's tuning objective: trains a {@link TrainingGraph} of the study's {@link
 * TrialGraphs} (one per trial running at once and per structural values) with a trial's
 * hyperparameters on {@code trial_seeds} seeds and scores the mean of their last epochs'
 * validation losses.
 *
 * <p>Seeds ({@link #trialSeed}): with {@code trial_seed_mode} {@code shared} every trial of the
 * study trains on the same seeds, the first being the study seed, so every trial starts from the
 * same weights and sees the same batches and only the hyperparameters differ; with
 * {@code per-trial} each trial number has seeds of its own. Each seed re-initialises the model and
 * optimizer state and orders the batches. With more than one seed, the per-seed values are kept as
 * the trial's user attributes {@value #SEEDS_ATTR} and {@value #VALUES_ATTR}. The trial reports
 * the first seed's validation loss after every epoch (the pruner reads these) and is pruned when
 * the pruner says so. A trial whose loss becomes non-finite throws {@link NonFiniteLossException}
 * and ends as FAIL with that reason; the study goes on ({@link #CAUGHT} is the list of exception
 * types passed to the study's optimize). Any other exception fails the trial and ends the study,
 * as in Optuna.
 *
 * <p>{@link #sample} draws the trial's parameters (the whole search space) and fixes its progress
 * label, {@code trial i/N}; the study calls it under its sampling lock, one trial at a time in
 * trial-number order, so trials running at once draw what they draw one after another.
 * {@link #evaluate} may run on several threads at once, each trial on a graph leased to it alone;
 * {@link #label(int)} may be read by the study's listeners on any thread.
 */
final class TuneObjective implements Objective {
  /** The exception types whose trials end as FAIL while the study goes on: a diverged run. */
  static final List<Class<? extends Exception>> CAUGHT = List.of(NonFiniteLossException.class);
  /** User attribute: the seeds a trial was scored on (more than one seed only). */
  static final String SEEDS_ATTR = "trial_seeds";
  /** User attribute: the final validation loss on each of those seeds. */
  static final String VALUES_ATTR = "seed_values";

  private final String key;
  private final TuneConfig config;
  private final TrialGraphs graphs;
  private final SearchSpace space;
  private final Map<String, Double> fixed;
  private final Study study;
  private final TuneProgress progress;
  private final int batchesPerEpoch;
  private final Path events;
  private final List<Double> trialSeconds = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, String> labels = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param key the study's optimizer key (progress lines)
   * @param graphs the study's graphs; a trial leases one for its structural values
   * @param fixed the hyperparameters a trial does not draw (defaults filled in)
   * @param batchesPerEpoch training batches per epoch (for the run length some optimizers read)
   * @param events the study's TensorBoard directory: trial {@code n} is written to {@code
   *     trial-<n>/} (with several trial seeds {@code trial-<n>-seed-<seed>/} per seed) once it
   *     ends ({@link RunEvents})
   */
  TuneObjective(String key, TuneConfig config, TrialGraphs graphs, SearchSpace space, Map<String, Double> fixed,
      int batchesPerEpoch, Study study, TuneProgress progress, Path events) {
    this.events = events;
    this.batchesPerEpoch = batchesPerEpoch;
    this.key = key;
    this.config = config;
    this.graphs = graphs;
    this.space = space;
    this.fixed = fixed;
    this.study = study;
    this.progress = progress;
  }

  @Override
  public void sample(Trial trial) {
    // the study's count, not this process's: its finished trials and those running now (this one
    // included), in every process that shares it; taken when the trial starts, under the study's
    // sampling lock, so trials running at once get distinct ordinals
    int ordinal = study.storage().getTrialCount(study.studyId(),
        EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING));
    labels.put(trial.number(), "trial " + ordinal + "/" + config.trialsFor(key));
    study.storage().setTrialSystemAttr(trial.trialId(), SharedStudy.PROCESS_ATTR, SharedStudy.processName());
    space.suggest(trial);
  }

  @Override
  public double evaluate(Trial trial) {
    String what = label(trial.number());
    Map<String, Double> hp = new LinkedHashMap<>(fixed);
    // drawn in sample(): asking again returns the same values
    space.suggest(trial).forEach((k, v) -> hp.put(k, ((Number) v).doubleValue()));
    OptimizerStudy.putTotalSteps(hp, config.epochs(), batchesPerEpoch);
    Double best = study.findBestTrial().map(FrozenTrial::value).orElse(null);
    int n = config.trialSeeds();
    double[] values = new double[n];
    List<Long> seeds = new ArrayList<>();
    long start = System.nanoTime();
    try (TrialGraphs.Lease lease = graphs.acquire(hp)) {
      for (int s = 0; s < n; s++) {
        long seed = trialSeed(config.seed(), config.trialSeedMode(), trial.number(), s);
        seeds.add(seed);
        values[s] = train(lease.graph(), trial, hp, seed, s == 0,
            n == 1 ? what : what + " seed " + (s + 1) + "/" + n, best, (n - 1 - s) * config.epochs(),
            n == 1 ? "trial-" + trial.number() : "trial-" + trial.number() + "-seed-" + seed);
      }
    } finally {
      trialSeconds.add((System.nanoTime() - start) / 1e9);
    }
    if (n > 1) {
      trial.setUserAttr(SEEDS_ATTR, seeds);
      trial.setUserAttr(VALUES_ATTR, java.util.Arrays.stream(values).boxed().toList());
    }
    return java.util.Arrays.stream(values).average().orElseThrow();
  }

  /**
   * Trains one seed of a trial and returns its last epoch's validation loss; {@code report}: this
   * seed's epochs are reported to the pruner. {@code laterEpochs}: the epochs of the trial's
   * seeds still to come, taken off the progress plan when this one ends the trial. {@code run}:
   * the TensorBoard run this seed's training is written to once it ends.
   */
  private double train(TrainingGraph graph, Trial trial, Map<String, Double> hp, long seed, boolean report,
      String what, Double best, int laterEpochs, String run) {
    graph.reinitialize(seed, hp);
    int[] epochsRun = {0};
    List<Trainer.EpochRecord> seen = new ArrayList<>();
    Trainer.Result result = null;
    String note = null;
    try {
      result = Trainer.run(graph, new Trainer.Settings(config.epochs(), config.batchSize(), seed), rec -> {
        seen.add(rec);
        progress.epoch(key, what, rec.epoch(), config.epochs(), rec.valLoss(), best);
        epochsRun[0] = rec.epoch();
        if (report && rec.epoch() > 0) {
          trial.report(rec.valLoss(), rec.epoch());
          if (trial.shouldPrune()) {
            throw new TrialPrunedException("pruned at epoch " + rec.epoch());
          }
        }
      });
      if (result.stopReason() != null) {
        note = "stopped early: " + result.stopReason();
      }
    } catch (TrialPrunedException e) {
      note = e.getMessage();
      progress.unplan(config.epochs() - epochsRun[0] + laterEpochs);
      throw e;
    } finally {
      RunEvents.write(events.resolve(run), hp, seen, result == null ? Map.of() : result.stepOutputs(), note);
    }
    if (result.stopReason() != null) {
      progress.unplan(config.epochs() - epochsRun[0] + laterEpochs);
      throw new NonFiniteLossException(result.stopReason());
    }
    return result.epochs().get(result.epochs().size() - 1).valLoss();
  }

  /**
   * The seed of seed {@code s} (0-based) of trial {@code number} in a study with seed
   * {@code studySeed}: in {@code shared} mode the study seed for {@code s = 0} and a seed mixed
   * from the study seed and {@code s} after it (the same for every trial); in {@code per-trial}
   * mode a seed mixed from the study seed, the trial number and {@code s}. Mixed seeds lie in
   * [0, 2^31) (SplitMix64's finaliser).
   */
  static long trialSeed(long studySeed, String mode, int number, int s) {
    if (mode.equals("shared")) {
      return s == 0 ? studySeed : mix(mix(studySeed) + s);
    }
    return mix(mix(mix(studySeed) ^ 0x5DEECE66DL) + number * 0x9E3779B97F4A7C15L + s);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) & 0x7fffffffL;
  }

  /**
   * The progress label of trial {@code number} ({@code trial i/N}: i counts the study's finished
   * and running trials in every process when it started), or {@code trial #<number>} for a trial
   * this objective did not start.
   */
  String label(int number) {
    return labels.getOrDefault(number, "trial #" + number);
  }

  /** Mean training time of the trials this objective ran, or null when it ran none. */
  Double meanTrialSeconds() {
    OptionalDouble mean;
    synchronized (trialSeconds) {
      mean = trialSeconds.stream().mapToDouble(Double::doubleValue).average();
    }
    return mean.isPresent() ? mean.getAsDouble() : null;
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
