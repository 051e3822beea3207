package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.data.Batches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop: epochs of shuffled mini-batches on a {@link TrainingGraph}, with an
 * evaluation on the validation split after every epoch (and as epoch 0, before training) and on
 * the test split at the end.
 *
 * <p>Per epoch {@code e >= 1} the training rows are visited in the batches
 * {@link Batches#epochBatches}{@code (n, batchSize, seed, e)}: the order
 * {@link Batches#epochOrder}{@code (n, seed, e)} cut into consecutive batches, the last one
 * kept even when it is smaller. The train loss reported per epoch is the
 * mean cross-entropy over the whole training split at the end of the epoch (the same parameters
 * as the validation figures), so epoch 0 and later epochs mean the same thing.
 *
 * <p>A batch loss that is not finite stops training at once: the result then carries a
 * {@link Result#stopReason()} and the test evaluation of the parameters reached.
 *
 * <p><b>Steps per run.</b> By default ({@link StepsPerRun#EPOCH}) an epoch's full batches run in
 * one {@code session.run} when the graph has a loop ({@link TrainingGraph#trainSteps}); the losses,
 * step outputs, parameters and optimizer state are the same bit for bit as with one run per step.
 * The loop itself stops after a step whose loss is not finite, so the parameters reached, the
 * recorded steps and the stop reason are also those of one run per step. Only the timings differ:
 * an epoch's rate is its steps over the time of its runs, and the first run of each kind in a
 * {@link #run} (the first loop run carries only the first batch; the first one-step run) is left
 * out of the rates, as it includes TensorFlow's one-time preparation of that subgraph.
 */
public final class Trainer {

  /**
   * Loop settings.
   *
   * @param stepsPerRun {@link StepsPerRun#EPOCH}: an epoch's full batches in one
   *     {@code session.run} where the graph offers it ({@link TrainingGraph#hasLoop()}), else one
   *     step per run; {@link StepsPerRun#ONE}: always one step per run. Both give the same figures
   *     bit for bit.
   */
  public record Settings(int epochs, int batchSize, long seed, StepsPerRun stepsPerRun) {
    public Settings {
      Preconditions.checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
      Preconditions.checkArgument(batchSize > 0, "batch size must be positive, got %s", batchSize);
      Preconditions.checkNotNull(stepsPerRun, "stepsPerRun");
    }

    /** Settings that run whole epochs per {@code session.run} where the graph offers it. */
    public Settings(int epochs, int batchSize, long seed) {
      this(epochs, batchSize, seed, StepsPerRun.EPOCH);
    }
  }

  /** How many train steps one {@code session.run} performs. */
  public enum StepsPerRun {
    /** One step per run ({@link TrainingGraph#trainStep}). */
    ONE,
    /**
     * An epoch's full batches per run ({@link TrainingGraph#trainSteps}) where the graph has a
     * loop, and a last, smaller batch on its own; one step per run otherwise.
     */
    EPOCH
  }

  /**
   * Figures of one epoch ({@code epoch == 0}: before training).
   *
   * @param meanBatchLoss mean loss of the epoch's batches (NaN for epoch 0)
   * @param stepsPerSecond train steps per second of the epoch's steps, timed around each
   *     {@code session.run} (the run's first run of each kind, which includes TensorFlow's
   *     one-time graph preparation, is not counted: see the class comment); NaN for epoch 0
   */
  public record EpochRecord(int epoch, double trainLoss, double valLoss, double valAccuracy,
      double meanBatchLoss, long steps, double stepsPerSecond, double seconds) {}

  /**
   * Called after every epoch's evaluation, epoch 0 included. May throw to stop training (a pruner
   * does); the exception propagates out of {@link Trainer#run}.
   */
  @FunctionalInterface
  public interface EpochListener {
    void onEpoch(EpochRecord record);
  }

  /**
   * What a run produced.
   *
   * @param epochs one record per evaluated epoch, epoch 0 first
   * @param stepsPerSecond steps per second over all timed train steps (the first step of the run
   *     excluded, see {@link EpochRecord#stepsPerSecond()})
   * @param wallSeconds the whole loop, evaluations included
   * @param stopReason why training stopped early, or {@code null} when all epochs ran
   * @param stepOutputs per-step values of {@link TrainStep#perStepOutputs()}, by name
   */
  public record Result(List<EpochRecord> epochs, double testLoss, double testAccuracy, long steps,
      double stepsPerSecond, double wallSeconds, String stopReason, Map<String, double[]> stepOutputs) {}

  /** The splits evaluated after every epoch, in one session run. */
  public static final List<TrainingGraph.Split> EPOCH_SPLITS =
      List.of(TrainingGraph.Split.TRAIN, TrainingGraph.Split.VALIDATION);

  private Trainer() {}

  /** Trains {@code g} (already loaded and reinitialised) according to {@code s}. */
  public static Result run(TrainingGraph g, Settings s, EpochListener listener) {
    long wallStart = System.nanoTime();
    int n = g.size(TrainingGraph.Split.TRAIN);
    List<EpochRecord> epochs = new ArrayList<>();
    Map<String, List<Double>> traces = new LinkedHashMap<>();
    for (String name : g.stepOutputNames()) {
      traces.put(name, new ArrayList<>());
    }
    EpochRecord zero = evaluateEpoch(g, 0, Double.NaN, 0, Double.NaN, 0.0);
    epochs.add(zero);
    listener.onEpoch(zero);
    long totalSteps = 0;
    long stepNanos = 0;
    long totalTimedSteps = 0;
    String stopReason = null;
    long loopRuns = 0;
    long stepRuns = 0;
    for (int epoch = 1; epoch <= s.epochs() && stopReason == null; epoch++) {
      double lossSum = 0;
      long steps = 0;
      long timedSteps = 0;
      long epochNanos = 0;
      long t0 = System.nanoTime();
      List<int[]> batches = Batches.epochBatches(n, s.batchSize(), s.seed(), epoch);
      int full = batches.size();
      if (s.stepsPerRun() == StepsPerRun.EPOCH && g.hasLoop()) {
        while (full > 0 && batches.get(full - 1).length != s.batchSize()) {
          full--;
        }
      } else {
        full = 0;
      }
      int next = 0;
      while (next < full && stopReason == null) {
        // the run's first loop run takes one batch: it includes the loop's one-time preparation
        int chunk = loopRuns == 0 ? 1 : full - next;
        long ts = System.nanoTime();
        TrainingGraph.StepsOutput out = g.trainSteps(batches.subList(next, next + chunk));
        long te = System.nanoTime();
        if (loopRuns > 0) {
          epochNanos += te - ts;
          timedSteps += out.steps();
        }
        loopRuns++;
        for (int k = 0; k < out.steps(); k++) {
          steps++;
          for (Map.Entry<String, double[]> e : out.outputs().entrySet()) {
            traces.get(e.getKey()).add(e.getValue()[k]);
          }
          double loss = out.losses()[k];
          if (!Double.isFinite(loss)) {
            stopReason = nonFinite(loss, epoch, totalSteps + steps);
            break;
          }
          lossSum += loss;
        }
        next += chunk;
      }
      for (int[] batch : batches.subList(next, stopReason == null ? batches.size() : next)) {
        long ts = System.nanoTime();
        TrainingGraph.StepOutput out = g.trainStep(batch);
        long te = System.nanoTime();
        // The run's first step includes TensorFlow's one-time preparation of the step's
        // subgraph (hundreds of ms); it is left out of the throughput figures.
        if (stepRuns > 0) {
          epochNanos += te - ts;
          timedSteps++;
        }
        stepRuns++;
        steps++;
        for (Map.Entry<String, Double> e : out.outputs().entrySet()) {
          traces.get(e.getKey()).add(e.getValue());
        }
        if (!Double.isFinite(out.loss())) {
          stopReason = nonFinite(out.loss(), epoch, totalSteps + steps);
          break;
        }
        lossSum += out.loss();
      }
      long dt = System.nanoTime() - t0;
      stepNanos += epochNanos;
      totalTimedSteps += timedSteps;
      totalSteps += steps;
      if (stopReason == null) {
        double rate = epochNanos == 0 ? Double.NaN : timedSteps / (epochNanos / 1e9);
        EpochRecord r = evaluateEpoch(g, epoch, lossSum / steps, steps, rate, dt / 1e9);
        epochs.add(r);
        listener.onEpoch(r);
      }
    }
    TrainingGraph.Evaluation test = g.evaluate(TrainingGraph.Split.TEST);
    Map<String, double[]> stepOutputs = new LinkedHashMap<>();
    traces.forEach((k, v) -> stepOutputs.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    double stepsPerSecond = stepNanos == 0 ? Double.NaN : totalTimedSteps / (stepNanos / 1e9);
    return new Result(List.copyOf(epochs), test.loss(), test.accuracy(), totalSteps, stepsPerSecond,
        (System.nanoTime() - wallStart) / 1e9, stopReason, stepOutputs);
  }

  private static String nonFinite(double loss, int epoch, long step) {
    return String.format("non-finite training loss (%s) at epoch %d, step %d", loss, epoch, step);
  }

  private static EpochRecord evaluateEpoch(TrainingGraph g, int epoch, double meanBatchLoss,
      long steps, double stepsPerSecond, double seconds) {
    Map<TrainingGraph.Split, TrainingGraph.Evaluation> ev = g.evaluate(EPOCH_SPLITS);
    TrainingGraph.Evaluation train = ev.get(TrainingGraph.Split.TRAIN);
    TrainingGraph.Evaluation val = ev.get(TrainingGraph.Split.VALIDATION);
    return new EpochRecord(epoch, train.loss(), val.loss(), val.accuracy(), meanBatchLoss, steps,
        stepsPerSecond, seconds);
  }
}
