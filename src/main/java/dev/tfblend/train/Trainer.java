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
 */
public final class Trainer {

  /** Loop settings. */
  public record Settings(int epochs, int batchSize, long seed) {
    public Settings {
      Preconditions.checkArgument(epochs > 0, "epochs must be positive, got %s", epochs);
      Preconditions.checkArgument(batchSize > 0, "batch size must be positive, got %s", batchSize);
    }
  }

  /**
   * Figures of one epoch ({@code epoch == 0}: before training).
   *
   * @param meanBatchLoss mean loss of the epoch's batches (NaN for epoch 0)
   * @param stepsPerSecond train steps per second of the epoch's steps, timed around each
   *     {@code session.run} (the run's very first step, which includes TensorFlow's one-time
   *     graph preparation, is not counted); NaN for epoch 0
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
    for (int epoch = 1; epoch <= s.epochs() && stopReason == null; epoch++) {
      double lossSum = 0;
      long steps = 0;
      long timedSteps = 0;
      long epochNanos = 0;
      long t0 = System.nanoTime();
      for (int[] batch : Batches.epochBatches(n, s.batchSize(), s.seed(), epoch)) {
        long ts = System.nanoTime();
        TrainingGraph.StepOutput out = g.trainStep(batch);
        long te = System.nanoTime();
        // The run's first step includes TensorFlow's one-time preparation of the step's
        // subgraph (hundreds of ms); it is left out of the throughput figures.
        if (totalSteps + steps > 0) {
          epochNanos += te - ts;
          timedSteps++;
        }
        steps++;
        for (Map.Entry<String, Double> e : out.outputs().entrySet()) {
          traces.get(e.getKey()).add(e.getValue());
        }
        if (!Double.isFinite(out.loss())) {
          stopReason = String.format("non-finite training loss (%s) at epoch %d, step %d",
              out.loss(), epoch, totalSteps + steps);
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

  private static EpochRecord evaluateEpoch(TrainingGraph g, int epoch, double meanBatchLoss,
      long steps, double stepsPerSecond, double seconds) {
    Map<TrainingGraph.Split, TrainingGraph.Evaluation> ev = g.evaluate(EPOCH_SPLITS);
    TrainingGraph.Evaluation train = ev.get(TrainingGraph.Split.TRAIN);
    TrainingGraph.Evaluation val = ev.get(TrainingGraph.Split.VALIDATION);
    return new EpochRecord(epoch, train.loss(), val.loss(), val.accuracy(), meanBatchLoss, steps,
        stepsPerSecond, seconds);
  }
}
