package dev.tfblend.grad;

import com.google.common.base.Preconditions;
import dev.tfblend.data.Batches;
import dev.tfblend.data.Dataset;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.GraphSessions;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Meta-learns the single learning rate of plain SGD through a long unroll, a problem whose answer
 * is known in advance: the meta-loss {@code L(u) = loss_val(theta_K(u))} of the log learning
 * rate {@code u = log(lr)} is a one-dimensional function, and gradient descent on it from a
 * learning rate that is too small and from one that is too large must end at the same
 * minimiser (the rate that gives the lowest validation loss after K steps).
 *
 * <p>Setup (float64): the MLP's parameters start from {@code ParameterSet.initialValues(seed)};
 * the K training batches are the first K of the seeded epoch orders of {@link Batches}
 * ({@code epochBatches(n, batchSize, seed, e)} for {@code e = 1, 2, ...}); the validation
 * loss is the mean cross-entropy on the whole validation set. The inner update is
 * {@code theta_k = theta_{k-1} - exp(u) g_k}; the meta-gradient {@code dL/du} goes through all
 * K steps ({@link Unroll}, exact unless {@code firstOrder}). Inputs and initial values are fixed,
 * so {@code L} is deterministic and {@link #metaLoss} can scan it for a reference minimiser.
 *
 * <p>Outer optimizer: Adam on {@code u} ({@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}) with
 * step size {@code metaLr}, the usual choice for hypergradient descent because the magnitude of
 * {@code dL/du} varies by orders of magnitude along the way. A meta-step whose unroll diverges
 * (non-finite loss or gradient) moves {@code u} down by {@code metaLr} and resets nothing else:
 * a learning rate so large that K steps overflow is too large.
 *
 * <p>Owns one Graph and Session: close it.
 */
public final class LearningRateMetaLearning implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat64> logLr;
  private final Unroll.Result<TFloat64> unroll;
  private final int steps;

  /**
   * The problem.
   *
   * @param mlp the model (ReLU or a smooth activation)
   * @param train rows the K training batches are drawn from
   * @param validation rows the meta-loss is measured on
   * @param unroll K, the number of SGD steps unrolled
   * @param batchSize rows per training batch
   * @param seed initial parameters and batch order
   * @param firstOrder drop the second-order terms
   */
  public record Setup(Mlp mlp, Dataset train, Dataset validation, int unroll, int batchSize, long seed,
      boolean firstOrder) {
    public Setup {
      Preconditions.checkArgument(unroll >= 1, "unroll must be at least 1, got %s", unroll);
      Preconditions.checkArgument(batchSize >= 1 && batchSize <= train.size(),
          "batchSize must be in [1, %s], got %s", train.size(), batchSize);
    }
  }

  /**
   * A meta-training run: {@code logLr[i]}, {@code metaLoss[i]} and {@code metaGradient[i]} at
   * meta-step {@code i}, and the final {@code logLr} after the last update at index
   * {@code steps} of {@code logLr} (so {@code logLr} has one more entry).
   */
  public record Trajectory(double[] logLr, double[] metaLoss, double[] metaGradient) {
    /** The learning rate (not its log) after the last meta-step. */
    public double finalLearningRate() {
      return Math.exp(logLr[logLr.length - 1]);
    }

    /**
     * The mean of the last {@code n} entries of {@code logLr}: where the run settled, without
     * the +-metaLr oscillation of Adam's constant step.
     */
    public double settledLogLr(int n) {
      Preconditions.checkArgument(n >= 1 && n <= logLr.length, "n must be in [1, %s], got %s", logLr.length, n);
      double sum = 0;
      for (int i = logLr.length - n; i < logLr.length; i++) {
        sum += logLr[i];
      }
      return sum / n;
    }
  }

  private LearningRateMetaLearning(Setup setup) {
    this.steps = setup.unroll();
    this.graph = new Graph();
    try {
      this.session = new Session(graph);
      Ops tf = Ops.create(graph);
      Mlp mlp = setup.mlp();
      ParameterSet<TFloat64> params = mlp.parameters(tf.withSubScope("model"), TFloat64.class);
      logLr = tf.withName("log_lr").placeholder(TFloat64.class, Placeholder.shape(Shape.scalar()));
      List<Unroll.Batch<TFloat64>> batches = new ArrayList<>();
      int epoch = 1;
      while (batches.size() < steps) {
        for (int[] rows : Batches.epochBatches(setup.train().size(), setup.batchSize(), setup.seed(), epoch)) {
          if (batches.size() < steps && rows.length == setup.batchSize()) {
            batches.add(batch(tf, mlp, setup.train().subset(rows)));
          }
        }
        epoch++;
      }
      Unroll.Batch<TFloat64> val = batch(tf, mlp, setup.validation());
      Unroll.UpdateFunction<TFloat64> sgd = (t, p, g, s, k) -> {
        Operand<TFloat64> lr = t.withName("lr").math.exp(logLr);
        List<Operand<TFloat64>> next = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
          next.add(t.math.sub(p.get(i), t.math.mul(lr, g.get(i))));
        }
        return new Unroll.State<>(next, s);
      };
      Unroll.Loss<TFloat64> loss = (t, p, b) -> Mlp.crossEntropyLogSoftmax(t, mlp.logits(t, p, b.x()), b.y());
      unroll = Unroll.build(tf.withSubScope("unroll"), graph, new Unroll.State<>(params.values(), List.of()),
          sgd, loss, batches, val, List.of(logLr), setup.firstOrder());
      params.initialize(session, setup.seed());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Builds the graph and initialises the parameters. */
  public static LearningRateMetaLearning create(Setup setup) {
    return new LearningRateMetaLearning(setup);
  }

  /** K. */
  public int unroll() {
    return steps;
  }

  /** {@code L(u)} and {@code dL/du} at {@code u = logLr}, in one run. */
  public double[] lossAndGradient(double u) {
    try (TFloat64 fed = FloatTensors.scalar(TFloat64.class, u);
        Result r = session.runner().feed(logLr, fed).fetch(unroll.metaLoss())
            .fetch(unroll.metaGradients().get(0)).run()) {
      return new double[] {FloatTensors.scalarValue(r.get(0)), FloatTensors.scalarValue(r.get(1))};
    }
  }

  /** {@code L(u)} alone (cheaper than {@link #lossAndGradient}). */
  public double metaLoss(double u) {
    try (TFloat64 fed = FloatTensors.scalar(TFloat64.class, u);
        Result r = session.runner().feed(logLr, fed).fetch(unroll.metaLoss()).run()) {
      return FloatTensors.scalarValue(r.get(0));
    }
  }

  /**
   * Runs {@code metaSteps} Adam steps on {@code u} from {@code startLogLr}.
   *
   * @param metaLr Adam's step size on {@code u} (natural-log units)
   */
  public Trajectory metaTrain(double startLogLr, int metaSteps, double metaLr) {
    Preconditions.checkArgument(metaSteps >= 1, "metaSteps must be at least 1, got %s", metaSteps);
    Preconditions.checkArgument(metaLr > 0, "metaLr must be positive, got %s", metaLr);
    double[] u = new double[metaSteps + 1];
    double[] loss = new double[metaSteps];
    double[] grad = new double[metaSteps];
    u[0] = startLogLr;
    double m = 0;
    double v = 0;
    int t = 0;
    for (int i = 0; i < metaSteps; i++) {
      double[] lg = lossAndGradient(u[i]);
      loss[i] = lg[0];
      grad[i] = lg[1];
      if (!Double.isFinite(lg[0]) || !Double.isFinite(lg[1])) {
        u[i + 1] = u[i] - metaLr;
        continue;
      }
      t++;
      m = 0.9 * m + 0.1 * lg[1];
      v = 0.999 * v + 0.001 * lg[1] * lg[1];
      double mhat = m / (1 - Math.pow(0.9, t));
      double vhat = v / (1 - Math.pow(0.999, t));
      u[i + 1] = u[i] - metaLr * mhat / (Math.sqrt(vhat) + 1e-8);
    }
    return new Trajectory(u, loss, grad);
  }

  /** The {@code u} of the lowest {@link #metaLoss} on the grid {@code from, from + step, ..., to}. */
  public double gridMinimiser(double from, double to, double step) {
    double best = Double.NaN;
    double bestLoss = Double.POSITIVE_INFINITY;
    for (double u = from; u <= to + 1e-12; u += step) {
      double l = metaLoss(u);
      if (l < bestLoss) {
        bestLoss = l;
        best = u;
      }
    }
    return best;
  }

  private static Unroll.Batch<TFloat64> batch(Ops tf, Mlp mlp, Dataset d) {
    return new Unroll.Batch<>(tf.constant(d.x()), Mlp.oneHot(tf, tf.constant(d.y()), mlp.numClasses(), TFloat64.class));
  }

  @Override
  public void close() {
    GraphSessions.close(session, graph);
  }
}
