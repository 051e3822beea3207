package dev.tfblend.experiment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.tfblend.stats.PairedComparison;
import dev.tfblend.stats.Summary;
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
 * @param optimizers per study name ({@code DynamicBlended}, {@code Adam}, {@code SGD}), in run
 *     order: the first repeat's studies
 * @param validation the rows that scored the trials ({@code holdout}, {@code test}, {@code train})
 * @param validationLabel how figures on those rows are labelled ({@code "test used for selection"},
 *     {@code "not held out"}); null for {@code holdout}
 * @param published the published study's final validation losses, only when this run's config is
 *     the published study's ({@link PublishedStudy}); otherwise null
 * @param publishedReference {@code null} when {@code published} is given, otherwise why there is no
 *     published reference
 * @param repeats one entry per whole study (search and final runs), repeat 0 first
 * @param units what the summaries and paired comparisons count: {@code repeats} (each repeat's
 *     figure is the mean over its final seeds) when more than one repeat ran, otherwise
 *     {@code final_seeds}
 * @param summary per optimizer and metric ({@code test_loss}, {@code test_accuracy},
 *     {@code val_loss}): mean, sd and 95% interval over the units
 * @param paired per pair of optimizers (config order) and metric: the paired comparison over the
 *     units both have; test loss is the primary endpoint
 * @param wallSeconds the whole run
 * @param tensorflowLoadSeconds loading TensorFlow's native library (once per process, before any
 *     graph is built)
 * @param invocations every {@code tune} invocation of this run, oldest first, with the studies it
 *     ran; {@code optimizers} holds each study's latest results (a rerun of a subset keeps the others)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = "blend_comparisons", allowGetters = true)
public record TuneResults(
    JsonNode config,
    long seed,
    @JsonProperty("study_name") String studyName,
    String storage,
    Map<String, OptimizerResult> optimizers,
    String validation,
    @JsonProperty("validation_label") String validationLabel,
    Map<String, Double> published,
    @JsonProperty("published_reference") String publishedReference,
    List<Repeat> repeats,
    String units,
    Map<String, Map<String, Summary>> summary,
    List<PairedComparison> paired,
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("tensorflow_load_seconds") double tensorflowLoadSeconds,
    List<Invocation> invocations) {

  /**
   * The blend against each other optimizer on test loss, as the report's verdict states it
   * ({@link ControlsVerdict}): {@code units} and {@code n}, the {@code level} and {@code
   * correction}, per comparison ({@code comparisons}) the other optimizer, the mean difference
   * (blend minus other) and its {@code ci95}, {@code blend_lower} (units in which the blend's loss
   * is lower), {@code d_z}, {@code wilcoxon_p}, {@code wilcoxon_p_holm}, {@code sign_p} and {@code
   * significant} (Holm-adjusted Wilcoxon p below the level), then {@code not_compared} and the
   * verdict {@code sentence}. Omitted when the run has no verdict (no blend, or fewer than two
   * units). Written for programs; recomputed from the repeats, never read back. Non-finite figures
   * are null.
   */
  @JsonProperty("blend_comparisons")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public Map<String, Object> blendComparisons() {
    ControlsVerdict.Verdict v = repeats == null || optimizers == null ? null : ControlsVerdict.of(this);
    if (v == null) {
      return null;
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("units", v.units());
    out.put("n", v.n());
    out.put("level", ControlsVerdict.ALPHA);
    out.put("correction", "holm");
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    for (ControlsVerdict.Comparison c : v.comparisons()) {
      PairedComparison p = c.paired();
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      row.put("other", c.other());
      row.put("mean_diff", finite(p.meanDiff()));
      row.put("ci95", p.ci95() == null ? null : java.util.Arrays.asList(finite(p.ci95().lo()), finite(p.ci95().hi())));
      row.put("blend_lower", p.aBetter());
      row.put("d_z", c.dz() == null ? null : finite(c.dz()));
      row.put("wilcoxon_p", p.wilcoxonP());
      row.put("wilcoxon_p_holm", finite(c.holmP()));
      row.put("sign_p", p.signP());
      row.put("significant", c.significant());
      rows.add(row);
    }
    out.put("comparisons", rows);
    out.put("not_compared", v.notCompared());
    out.put("sentence", v.sentence());
    return out;
  }

  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }

  /** The metrics summarised and compared, the primary endpoint first. */
  public static final List<String> METRICS = List.of("test_loss", "test_accuracy", "val_loss");

  /**
   * One whole study: its seed and, per optimizer, the search's outcome and the first final run.
   *
   * @param repeat 0-based
   * @param seed the study seed of this repeat ({@code seed + repeat})
   * @param studyName the name its studies carry ({@code <study_name>-<optimizer>} for one repeat,
   *     {@code <study_name>-r<repeat>-<optimizer>} for several)
   * @param optimizers per optimizer
   */
  public record Repeat(int repeat, long seed, @JsonProperty("study_name") String studyName,
      Map<String, RepeatResult> optimizers) {}

  /**
   * One optimizer in one repeat.
   *
   * @param bestParams the best trial's parameters (null when no trial completed)
   * @param bestValue its value (mean final validation loss over the trial seeds)
   * @param finalRun the first final run
   * @param finalRuns every final run of the repeat (one per final seed)
   * @param winnersCurse the final runs' mean final validation loss minus {@code best_value}
   * @param trialSd the sample standard deviation of the COMPLETE trials' values (the spread
   *     between trials), null with fewer than two
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RepeatResult(
      @JsonProperty("best_params") Map<String, Object> bestParams,
      @JsonProperty("best_value") Double bestValue,
      @JsonProperty("final") FinalRun finalRun,
      @JsonProperty("final_runs") List<FinalRun> finalRuns,
      @JsonProperty("winners_curse") Double winnersCurse,
      @JsonProperty("trial_sd") Double trialSd) {

    /** {@code o}'s figures as one repeat's entry. */
    static RepeatResult of(OptimizerResult o) {
      Double curse = null;
      if (o.bestValue() != null && o.finalRuns() != null && !o.finalRuns().isEmpty()) {
        curse = o.finalRuns().stream().mapToDouble(FinalRun::finalValLoss).average().orElseThrow() - o.bestValue();
      }
      double[] values = o.trials().stream().filter(t -> t.state().equals("COMPLETE") && t.value() != null)
          .mapToDouble(TrialRecord::value).toArray();
      Double sd = values.length < 2 ? null : Summary.of(values).sd();
      return new RepeatResult(o.bestParams(), o.bestValue(), o.finalRun(), o.finalRuns(), curse, sd);
    }
  }

  /**
   * One {@code tune} invocation of the run.
   *
   * @param number 1 for the first invocation, then counting up
   * @param started when it started (ISO-8601, UTC)
   * @param optimizers the studies it ran, in run order
   * @param jobs the trials it ran at once per study ({@code --jobs}; TPE's proposals after its
   *     random startup depend on it); null in results written before it was recorded
   */
  public record Invocation(int number, String started, List<String> optimizers, Integer jobs) {}

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

  /**
   * One trial as stored: number, state, value (null unless COMPLETE/PRUNED), params, and with
   * {@code trial_seeds > 1} the final validation loss on each seed (the value is their mean).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TrialRecord(int number, String state, Double value, Map<String, Object> params,
      @JsonProperty("fail_reason") String failReason, @JsonProperty("seed_values") List<Double> seedValues) {}

  /**
   * One final run.
   *
   * @param seed its seed
   * @param params the hyperparameters it used (the defaults filled in; whole numbers written as
   *     JSON integers)
   * @param epochs the curve, epoch 0 (before training) first
   * @param alpha per-epoch alpha statistics (blended runs only)
   * @param alphaPerStep alpha at every training step (blended runs only)
   * @param updateNormsPerStep per step, the global L2 norms of both candidate updates,
   *     {@code adam} and {@code sgd} (blended runs only; alpha weighs the first)
   * @param gate how alpha moved over the run (blended runs only)
   * @param optimizerState the optimizer's state shared across parameters at the end of the run,
   *     by name, for optimizers that keep one (for {@code swats}: {@code sgd_phase} 0 Adam or 1
   *     SGD, {@code lambda}, {@code sgd_lr} and {@code switch_step}, the step whose switching
   *     criterion held, SGD updating from the next step on, 0 if it never switched); null for others
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FinalRun(
      long seed,
      @JsonSerialize(contentUsing = JsonParams.WholeNumbers.class) Map<String, Double> params,
      List<EpochFigures> epochs,
      @JsonProperty("test_loss") double testLoss,
      @JsonProperty("test_accuracy") double testAccuracy,
      @JsonProperty("steps_per_second") double stepsPerSecond,
      @JsonProperty("wall_seconds") double wallSeconds,
      @JsonProperty("stop_reason") String stopReason,
      List<AlphaEpoch> alpha,
      @JsonProperty("alpha_per_step") float[] alphaPerStep,
      @JsonProperty("update_norms_per_step") Map<String, float[]> updateNormsPerStep,
      GateMovement gate,
      @JsonProperty("optimizer_state") @JsonSerialize(contentUsing = JsonParams.WholeNumbers.class)
      Map<String, Double> optimizerState) {

    /** The shared-state key of the step at which {@code swats} switched to SGD (0: never). */
    public static final String SWITCH_STEP = "switch_step";

    /** A final run of an optimizer without shared state ({@code optimizer_state} null). */
    public FinalRun(long seed, Map<String, Double> params, List<EpochFigures> epochs, double testLoss,
        double testAccuracy, double stepsPerSecond, double wallSeconds, String stopReason, List<AlphaEpoch> alpha,
        float[] alphaPerStep, Map<String, float[]> updateNormsPerStep, GateMovement gate) {
      this(seed, params, epochs, testLoss, testAccuracy, stepsPerSecond, wallSeconds, stopReason, alpha, alphaPerStep,
          updateNormsPerStep, gate, null);
    }

    /**
     * For a run of an optimizer that switches once ({@code swats}): the step whose switching
     * criterion held (SGD from the next step on), 0 when it never switched; null when the run
     * recorded no switch step.
     */
    @JsonIgnore
    public Long switchStep() {
      Double s = optimizerState == null ? null : optimizerState.get(SWITCH_STEP);
      return s == null || !Double.isFinite(s) ? null : Math.round(s);
    }

    /** The last epoch's validation loss. */
    public double finalValLoss() {
      return epochs.get(epochs.size() - 1).valLoss();
    }

    /** The last epoch's validation accuracy. */
    public double finalValAccuracy() {
      return epochs.get(epochs.size() - 1).valAccuracy();
    }
  }

  /**
   * One epoch of a curve: {@code train_loss} is the loss over the whole training split at the
   * epoch's end, {@code train_batch_loss} the mean of the epoch's batch losses (each before its
   * step; null for epoch 0).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EpochFigures(
      int epoch,
      @JsonProperty("train_loss") double trainLoss,
      @JsonProperty("train_batch_loss") Double trainBatchLoss,
      @JsonProperty("val_loss") double valLoss,
      @JsonProperty("val_accuracy") double valAccuracy) {}

  /** Alpha over one epoch's steps. */
  public record AlphaEpoch(int epoch, double min, double mean, double max) {}

  /**
   * Whether the blend's gate moved over a run: alpha at the first step ({@code start}), its
   * range, its mean over the last epoch ({@code end}); {@code moved} when some step's alpha is
   * more than {@value #MOVED} from {@code start}; {@code toward} the update alpha moved toward
   * ({@code adam} when {@code end} exceeds {@code start}, else {@code sgd}), null when it did not move;
   * {@code median_norm_ratio} the median over steps of {@code ||adam update|| / ||sgd update||}
   * (null without the norms).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GateMovement(double start, double min, double max, double end, boolean moved, String toward,
      @JsonProperty("median_norm_ratio") Double medianNormRatio) {
    /** How far from its start alpha must get for the gate to count as moved. */
    public static final double MOVED = 0.05;

    /** The movement of {@code alpha} (one value per step), the last {@code lastEpochSteps} being the last epoch. */
    public static GateMovement of(float[] alpha, int lastEpochSteps) {
      return of(alpha, lastEpochSteps, null);
    }

    /**
     * As {@link #of(float[], int)}, with the median over steps of {@code ||adam|| / ||sgd||}
     * (finite ratios only) when {@code norms} holds both per-step norms.
     */
    public static GateMovement of(float[] alpha, int lastEpochSteps, Map<String, float[]> norms) {
      Double ratio = null;
      if (norms != null && norms.get("adam") != null && norms.get("sgd") != null) {
        float[] a = norms.get("adam");
        float[] b = norms.get("sgd");
        double[] r = new double[Math.min(a.length, b.length)];
        int n = 0;
        for (int i = 0; i < r.length; i++) {
          double q = (double) a[i] / b[i];
          if (Double.isFinite(q)) {
            r[n++] = q;
          }
        }
        if (n > 0) {
          double[] kept = java.util.Arrays.copyOf(r, n);
          java.util.Arrays.sort(kept);
          ratio = n % 2 == 1 ? kept[n / 2] : (kept[n / 2 - 1] + kept[n / 2]) / 2;
        }
      }
      double start = alpha[0];
      double min = start;
      double max = start;
      for (float a : alpha) {
        min = Math.min(min, a);
        max = Math.max(max, a);
      }
      int from = Math.max(0, alpha.length - Math.max(1, lastEpochSteps));
      double end = 0;
      for (int i = from; i < alpha.length; i++) {
        end += alpha[i];
      }
      end /= alpha.length - from;
      boolean moved = max - start > MOVED || start - min > MOVED;
      return new GateMovement(start, min, max, end, moved, moved ? (end > start ? "adam" : "sgd") : null, ratio);
    }
  }
}
