package dev.tfblend.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * What {@code tune} writes to {@code results.json}: the config, each optimizer's study (trials,
 * best parameters and value) and final runs, and the published figures beside them. Field names
 * are the JSON keys (snake_case).
 *
 * @param config the resolved config
 * @param seed the study seed
 * @param studyName the run's name ({@code runs/<study_name>/})
 * @param storage where the studies are stored
 * @param optimizers per study name ({@code DynamicBlended}, {@code Adam}, {@code SGD}), in run order
 * @param published the published study's final validation losses
 * @param comparison paired comparisons of the blend against each baseline over the final seeds
 *     (empty when the blend or a baseline did not run)
 * @param wallSeconds the whole run
 * @param tensorflowLoadSeconds loading TensorFlow's native library (once per process, before any
 *     graph is built)
 * @param invocations every {@code tune} invocation of this run, oldest first, with the studies it
 *     ran; {@code optimizers} holds each study's latest results (a rerun of a subset keeps the others)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TuneResults(
    JsonNode config,
    long seed,
    @JsonProperty("study_name") String studyName,
    String storage,
    Map<String, OptimizerResult> optimizers,
    Map<String, Double> published,
    Map<String, PairedComparison> comparison,
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("tensorflow_load_seconds") double tensorflowLoadSeconds,
    List<Invocation> invocations) {

  /**
   * One {@code tune} invocation of the run.
   *
   * @param number 1 for the first invocation, then counting up
   * @param started when it started (ISO-8601, UTC)
   * @param optimizers the studies it ran, in run order
   */
  public record Invocation(int number, String started, List<String> optimizers) {}

  /**
   * One optimizer's study and final runs.
   *
   * @param optimizer the optimizer kind ({@code blended}, {@code adam}, {@code sgd})
   * @param bestParams the best COMPLETE trial's parameters (null when no trial completed)
   * @param bestValue its final validation loss
   * @param trials every trial of the study, in number order
   * @param finalRun the first final run (seed {@code seed + 1000})
   * @param finalRuns every final run, one per final seed
   * @param graphBuildSeconds time to build this optimizer's graph (once for all its trials)
   * @param meanTrialSeconds mean training time per trial run in this process
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OptimizerResult(
      String optimizer,
      @JsonProperty("best_params") Map<String, Object> bestParams,
      @JsonProperty("best_value") Double bestValue,
      List<TrialRecord> trials,
      @JsonProperty("final") FinalRun finalRun,
      @JsonProperty("final_runs") List<FinalRun> finalRuns,
      @JsonProperty("graph_build_seconds") double graphBuildSeconds,
      @JsonProperty("mean_trial_seconds") Double meanTrialSeconds) {}

  /** One trial as stored: number, state, value (null unless COMPLETE/PRUNED), params. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TrialRecord(int number, String state, Double value, Map<String, Object> params,
      @JsonProperty("fail_reason") String failReason) {}

  /**
   * One final run.
   *
   * @param seed its seed
   * @param params the hyperparameters it used (the defaults filled in)
   * @param epochs the curve, epoch 0 (before training) first
   * @param alpha per-epoch alpha statistics (blended runs only)
   * @param alphaPerStep alpha at every training step (blended runs only)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FinalRun(
      long seed,
      Map<String, Double> params,
      List<EpochFigures> epochs,
      @JsonProperty("test_loss") double testLoss,
      @JsonProperty("test_accuracy") double testAccuracy,
      @JsonProperty("steps_per_second") double stepsPerSecond,
      @JsonProperty("wall_seconds") double wallSeconds,
      @JsonProperty("stop_reason") String stopReason,
      List<AlphaEpoch> alpha,
      @JsonProperty("alpha_per_step") float[] alphaPerStep) {

    /** The last epoch's validation loss. */
    public double finalValLoss() {
      return epochs.get(epochs.size() - 1).valLoss();
    }

    /** The last epoch's validation accuracy. */
    public double finalValAccuracy() {
      return epochs.get(epochs.size() - 1).valAccuracy();
    }
  }

  /** One epoch of a curve. */
  public record EpochFigures(
      int epoch,
      @JsonProperty("train_loss") double trainLoss,
      @JsonProperty("val_loss") double valLoss,
      @JsonProperty("val_accuracy") double valAccuracy) {}

  /** Alpha over one epoch's steps. */
  public record AlphaEpoch(int epoch, double min, double mean, double max) {}

  /**
   * The blend's final validation loss minus a baseline's, paired by final seed.
   *
   * @param n number of seeds
   * @param meanDifference mean of (blend - baseline); negative means the blend is better
   * @param sdDifference sample standard deviation of the differences (null for n = 1)
   * @param tStatistic paired t statistic (null for n {@literal <} 2 or zero spread)
   * @param blendWins seeds where the blend had the lower loss
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PairedComparison(
      int n,
      @JsonProperty("mean_difference") double meanDifference,
      @JsonProperty("sd_difference") Double sdDifference,
      @JsonProperty("t_statistic") Double tStatistic,
      @JsonProperty("blend_wins") int blendWins) {}
}
