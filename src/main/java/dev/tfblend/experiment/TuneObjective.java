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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One optimizer's tuning objective: trains the shared {@link TrainingGraph} with a trial's
 * hyperparameters from the study seed and scores the last epoch's validation loss.
 *
 * <p>Each trial re-initialises the model and optimizer state from the study seed, so every trial
 * starts from the same weights and sees the same batches; only the hyperparameters differ. The
 * trial reports its validation loss after every epoch (the pruner reads these) and is pruned when
 * the pruner says so. A trial whose loss becomes non-finite throws {@link NonFiniteLossException}
 * and ends as FAIL with that reason.
 *
 * <p>Used from the thread that runs {@link Study#optimize}; {@link #label()} may be read by the
 * study's listeners on that thread.
 */
final class TuneObjective implements Objective {
  private final String key;
  private final TuneConfig config;
  private final TrainingGraph graph;
  private final SearchSpace space;
  private final Map<String, Double> fixed;
  private final Study study;
  private final TuneProgress progress;
  private final Trainer.Settings settings;
  private final int batchesPerEpoch;
  private final List<Double> trialSeconds = new ArrayList<>();
  private int ordinal;
  private String label;

  /**
   * @param key the study's optimizer key (progress lines)
   * @param fixed the hyperparameters a trial does not draw (defaults filled in)
   * @param batchesPerEpoch training batches per epoch (for the run length some optimizers read)
   * @param finishedBefore trials of the study that already count (numbering of the progress lines)
   */
  TuneObjective(String key, TuneConfig config, TrainingGraph graph, SearchSpace space, Map<String, Double> fixed,
      int batchesPerEpoch, Study study, TuneProgress progress, int finishedBefore) {
    this.batchesPerEpoch = batchesPerEpoch;
    this.key = key;
    this.config = config;
    this.graph = graph;
    this.space = space;
    this.fixed = fixed;
    this.study = study;
    this.progress = progress;
    this.settings = new Trainer.Settings(config.epochs(), config.batchSize(), config.seed());
    this.ordinal = finishedBefore;
  }

  @Override
  public double evaluate(Trial trial) {
    label = "trial " + (++ordinal) + "/" + config.trialsFor(key);
    String what = label;
    Map<String, Double> hp = new LinkedHashMap<>(fixed);
    space.suggest(trial).forEach((k, v) -> hp.put(k, ((Number) v).doubleValue()));
    OptimizerStudy.putTotalSteps(hp, config.epochs(), batchesPerEpoch);
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
  }

  /** The progress label of the trial running or last run ({@code trial i/N}), or null before the first. */
  String label() {
    return label;
  }

  /** Mean training time of the trials this objective ran, or null when it ran none. */
  Double meanTrialSeconds() {
    OptionalDouble mean = trialSeconds.stream().mapToDouble(Double::doubleValue).average();
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
