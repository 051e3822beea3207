package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.data.Dataset;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One TensorFlow {@link Graph} and one {@link Session} that train, evaluate and run an
 * {@link Mlp}, reused across the trials of one optimizer: hyperparameters are assigned and
 * variables re-initialised ({@link #reinitialize}) without rebuilding anything.
 *
 * <p>The data set lives on the graph side: {@link #loadData} assigns the three splits once to
 * variables of unknown shape, and a step feeds only the batch's row indices. The GraphDef holds no
 * data and no initial values, so it is a few kilobytes and identical for any data set.
 *
 * <p><b>Functions and tensor names</b> (stable; {@code graphs/*.pbtxt} snapshot them):
 * <ul>
 *   <li>{@code train_step}: feed {@code train_step/batch_indices} (int32 {@code [B]}, rows of
 *       the training split) and, for steps that asked for a validation batch,
 *       {@code meta_batch/indices} (int32 {@code [B]}, rows of the validation split), and for
 *       steps that look K > 1 steps ahead {@code lookahead_batch/indices_<k>} for k = 2..K
 *       (int32 {@code [B]}, rows of the training split drawn by a seeded generator); fetch
 *       {@code train_step/loss} (float32 scalar, batch mean cross-entropy before the update) and
 *       target the no-op {@code train_step/run}.
 *   <li>{@code train_epoch} (optimizers with a {@link TrainStep#loopStep()} and no meta or
 *       look-ahead batches): feed {@code train_epoch/batch_indices} (int32 {@code [K, B]}), fetch
 *       {@code train_epoch/steps} and {@code train_epoch/outputs}, target {@code train_epoch/run}:
 *       K train steps in one run ({@link #trainSteps}, {@link EpochLoop}).
 *   <li>{@code evaluate}: fetch {@code evaluate/<split>/loss} and
 *       {@code evaluate/<split>/accuracy} (float32 scalars over the whole split) for
 *       {@code <split>} in {@code train}, {@code validation}, {@code test}; no feeds.
 *   <li>{@code predict}: feed {@code predict/x} (float32 {@code [-1, inputSize]}), fetch
 *       {@code predict/logits} and {@code predict/probabilities}.
 * </ul>
 *
 * <p>Variables: the model in {@code model/w1, model/b1, ...} (a {@link ParameterSet}), data in
 * {@code data/<split>_x} and {@code data/<split>_y} (assigned through
 * {@code data/<split>_x_value}), and the optimizer's state under its own
 * scope (for example {@code adam/}; see {@link RuleStepBuilder} and {@link BlendedStep}). The session uses one intra-op
 * thread (fastest for this size on 2 cores; note the first session's configuration fixes
 * TensorFlow's process-wide pools) and runs every op on the calling thread ({@link
 * #INTER_OP_THREADS}).
 *
 * <p>Not thread-safe. Close it to free the native graph and session.
 */
public final class TrainingGraph implements AutoCloseable {
  /** The splits, in the order of {@code evaluate/<split>} names. */
  public enum Split {
    TRAIN("train"), VALIDATION("validation"), TEST("test");

    private final String graphName;

    Split(String graphName) {
      this.graphName = graphName;
    }

    /** The name used in tensor names. */
    public String graphName() {
      return graphName;
    }
  }

  /** TensorFlow intra-op threads of every session (the first session fixes the process-wide pool). */
  public static final int INTRA_OP_THREADS = 1;
  /**
   * TensorFlow inter-op threads of every session: negative, so every op runs on the thread that
   * calls {@code session.run} (TensorFlow's documented meaning of a negative value). Trials that
   * train at once on their own sessions ({@code tune --jobs}) then each use their own thread
   * instead of queueing for one process-wide inter-op thread; one session alone spends no more
   * CPU per step than with one pool thread.
   */
  public static final int INTER_OP_THREADS = -1;

  /** Loss and accuracy over a whole split. */
  public record Evaluation(double loss, double accuracy) {}

  /** Outputs of one train step: the batch loss and the step's {@link TrainStep#perStepOutputs()}. */
  public record StepOutput(double loss, Map<String, Double> outputs) {}

  private final Graph graph;
  private final Session session;
  /** Sessions open on {@link #graph}: this one and its {@link #sibling}s; the last to close closes the graph. */
  private final AtomicInteger graphUsers;
  /** The splits last loaded, which a {@link #sibling} loads into its own session. */
  private Dataset[] loaded;
  private boolean closed;
  private final Mlp mlp;
  private final String optimizerName;
  private final Map<String, Double> hyperparameterDefaults;
  private final ParameterSet<TFloat32> params;
  private final TrainStep step;
  private final List<DataVar> dataVars = new ArrayList<>();
  private final Placeholder<TInt32> batchIndices;
  private final Operand<TFloat32> batchLoss;
  private final Op trainTarget;
  private final Map<Split, List<Operand<TFloat32>>> evaluation = new LinkedHashMap<>();
  private final Placeholder<TFloat32> predictX;
  private final Operand<TFloat32> predictLogits;
  private final Operand<TFloat32> predictProbabilities;
  private final List<String> stepOutputNames;
  private final List<Operand<?>> stepOutputOperands;
  private final EpochLoop loop;
  private Placeholder<TInt32> metaIndices;
  private StepContext.Batch metaBatch;
  /** Look-ahead batch k (2, 3, ...) -> its indices placeholder and batch, in k order. */
  private final Map<Integer, Placeholder<TInt32>> lookAheadIndices = new java.util.TreeMap<>();
  private final Map<Integer, StepContext.Batch> lookAheadBatches = new LinkedHashMap<>();
  private Ops lookAheadScope;
  private int[] splitSizes;
  private SplittableRandom metaRandom;
  private SplittableRandom lookAheadRandom;

  private record DataVar(Placeholder<?> value, Op assign) {}

  /** A sibling of {@code of}: the same graph and operands, a session of its own (see {@link #sibling}). */
  private TrainingGraph(TrainingGraph of) {
    this.graph = of.graph;
    this.graphUsers = of.graphUsers;
    this.mlp = of.mlp;
    this.optimizerName = of.optimizerName;
    this.hyperparameterDefaults = of.hyperparameterDefaults;
    this.params = of.params;
    this.step = of.step;
    this.dataVars.addAll(of.dataVars);
    this.batchIndices = of.batchIndices;
    this.batchLoss = of.batchLoss;
    this.trainTarget = of.trainTarget;
    this.evaluation.putAll(of.evaluation);
    this.predictX = of.predictX;
    this.predictLogits = of.predictLogits;
    this.predictProbabilities = of.predictProbabilities;
    this.stepOutputNames = of.stepOutputNames;
    this.stepOutputOperands = of.stepOutputOperands;
    this.loop = of.loop;
    this.metaIndices = of.metaIndices;
    this.metaBatch = of.metaBatch;
    this.lookAheadIndices.putAll(of.lookAheadIndices);
    this.lookAheadBatches.putAll(of.lookAheadBatches);
    this.lookAheadScope = of.lookAheadScope;
    this.session = new Session(graph, sessionConfig());
  }

  private static ConfigProto sessionConfig() {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(INTRA_OP_THREADS)
        .setInterOpParallelismThreads(INTER_OP_THREADS)
        .build();
  }

  private TrainingGraph(Mlp mlp, StepBuilder builder) {
    this.graphUsers = new AtomicInteger(1);
    this.mlp = mlp;
    this.optimizerName = builder.name();
    this.hyperparameterDefaults = builder.hyperparameterDefaults();
    Graph g = new Graph();
    this.graph = g;
    EpochLoop builtLoop = null;
    try {
      Ops tf = Ops.create(g);
      params = mlp.parameters(tf.withSubScope("model"), TFloat32.class);

      Ops data = tf.withSubScope("data");
      Map<Split, Operand<TFloat32>> xs = new LinkedHashMap<>();
      Map<Split, Operand<TInt32>> ys = new LinkedHashMap<>();
      for (Split s : Split.values()) {
        xs.put(s, dataVariable(data, s.graphName() + "_x", TFloat32.class));
        ys.put(s, dataVariable(data, s.graphName() + "_y", TInt32.class));
      }

      Ops ts = tf.withSubScope("train_step");
      batchIndices = ts.withName("batch_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      StepContext.Batch batch = gatherBatch(ts.withSubScope("batch"), xs.get(Split.TRAIN),
          ys.get(Split.TRAIN), batchIndices);
      Operand<TFloat32> loss = Mlp.crossEntropy(ts, mlp.logits(ts, params, batch.x()), batch.oneHot());
      batchLoss = ts.withName("loss").identity(loss);
      List<Operand<TFloat32>> grads = params.gradients(g, batchLoss);

      StepContext ctx = new StepContext(g, tf, mlp, params, batch, batchLoss, grads, () -> {
        if (metaIndices == null) {
          Ops mb = tf.withSubScope("meta_batch");
          metaIndices = mb.withName("indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
          metaBatch = gatherBatch(mb, xs.get(Split.VALIDATION), ys.get(Split.VALIDATION), metaIndices);
        }
        return metaBatch;
      }, k -> {
        Preconditions.checkArgument(k >= 2, "look-ahead batches are numbered from 2, got %s", k);
        return lookAheadBatches.computeIfAbsent(k, key -> {
          if (lookAheadScope == null) {
            lookAheadScope = tf.withSubScope("lookahead_batch");
          }
          Ops lb = lookAheadScope;
          Placeholder<TInt32> ph = lb.withName("indices_" + key).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
          lookAheadIndices.put(key, ph);
          return gatherBatch(lb.withSubScope("batch_" + key), xs.get(Split.TRAIN), ys.get(Split.TRAIN), ph);
        });
      });
      step = builder.build(ctx);
      trainTarget = ts.withControlDependencies(List.of(step.target())).withName("run").noOp();
      stepOutputNames = new ArrayList<>(step.perStepOutputs().keySet());
      stepOutputOperands = new ArrayList<>(step.perStepOutputs().values());
      builtLoop = metaIndices != null || !lookAheadIndices.isEmpty() ? null
          : step.loopStep().map(ls -> EpochLoop.build(tf, mlp, params, xs.get(Split.TRAIN), ys.get(Split.TRAIN), ls,
              stepOutputNames)).orElse(null);
      loop = builtLoop;

      Ops ev = tf.withSubScope("evaluate");
      for (Split s : Split.values()) {
        Ops e = ev.withSubScope(s.graphName());
        Operand<TFloat32> logits = mlp.logits(e, params, xs.get(s));
        Operand<TFloat32> oneHot = Mlp.oneHot(e, ys.get(s), mlp.numClasses(), TFloat32.class);
        evaluation.put(s, List.of(
            e.withName("loss").identity(Mlp.crossEntropy(e, logits, oneHot)),
            e.withName("accuracy").identity(Mlp.accuracy(e, logits, ys.get(s)))));
      }

      Ops pr = tf.withSubScope("predict");
      predictX = pr.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, mlp.inputSize())));
      Operand<TFloat32> logits = mlp.logits(pr, params, predictX);
      predictLogits = pr.withName("logits").identity(logits);
      predictProbabilities = pr.withName("probabilities").nn.softmax(logits);

      session = new Session(g, sessionConfig());
    } catch (RuntimeException e) {
      if (builtLoop != null) {
        builtLoop.close();
      }
      g.close();
      throw e;
    }
  }

  /**
   * Builds the graph for {@code mlp} with the update of {@code builder} and opens its session.
   * Call {@link #loadData} and {@link #reinitialize} before training.
   */
  public static TrainingGraph create(Mlp mlp, StepBuilder builder) {
    return new TrainingGraph(mlp, builder);
  }

  /**
   * Another training graph on this one's graph, with a session of its own: its variables (model,
   * optimizer state, data) are its own, so it trains independently of this one, also at the same
   * time on another thread, and gives the figures a graph built anew would give, without
   * building the graph again. The splits last loaded into this one are loaded into it. The
   * graph is closed when the last of the graph's users is closed.
   *
   * @throws IllegalStateException when this one is closed
   */
  public TrainingGraph sibling() {
    if (graphUsers.getAndUpdate(n -> n == 0 ? 0 : n + 1) == 0) {
      throw new IllegalStateException("the graph is closed");
    }
    TrainingGraph t;
    try {
      t = new TrainingGraph(this);
    } catch (RuntimeException | Error e) {
      releaseGraph();
      throw e;
    }
    Dataset[] data = loaded;
    if (data != null) {
      try {
        t.loadData(data[0], data[1], data[2]);
      } catch (RuntimeException | Error e) {
        t.close();
        throw e;
      }
    }
    return t;
  }

  private <T extends org.tensorflow.types.family.TType> Operand<T> dataVariable(
      Ops data, String name, Class<T> type) {
    Variable<T> v = data.withName(name).variable(Shape.unknown(), type);
    Placeholder<T> ph = data.withName(name + "_value").placeholder(type);
    Op assign = data.withName(name + "_assign").assign(v, ph, Assign.validateShape(false));
    dataVars.add(new DataVar(ph, assign));
    return data.withName(name + "_read").identity(v);
  }

  private StepContext.Batch gatherBatch(
      Ops tf, Operand<TFloat32> x, Operand<TInt32> y, Operand<TInt32> indices) {
    Operand<TFloat32> bx = tf.withName("x").gather(x, indices, tf.constant(0));
    Operand<TInt32> by = tf.withName("labels").gather(y, indices, tf.constant(0));
    return new StepContext.Batch(bx, by, Mlp.oneHot(tf, by, mlp.numClasses(), TFloat32.class));
  }

  /** Assigns {@code data}'s three splits to the graph's data variables. */
  public void loadData(dev.tfblend.data.DataSplits data) {
    loadData(data.train(), data.validation(), data.test());
  }

  /** Assigns the three splits to the graph's data variables (once; again to replace them). */
  public void loadData(Dataset train, Dataset validation, Dataset test) {
    Dataset[] sets = {train, validation, test};
    for (int s = 0; s < 3; s++) {
      Preconditions.checkArgument(sets[s].size() > 0, "the %s split is empty", Split.values()[s].graphName());
      Preconditions.checkArgument(sets[s].numFeatures() == mlp.inputSize(),
          "the %s split has %s features, the model takes %s", Split.values()[s].graphName(),
          sets[s].numFeatures(), mlp.inputSize());
      for (int label : sets[s].y()) {
        Preconditions.checkArgument(label < mlp.numClasses(),
            "the %s split has label %s, the model has %s classes", Split.values()[s].graphName(),
            label, mlp.numClasses());
      }
    }
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int s = 0; s < 3; s++) {
        TFloat32 x = TFloat32.tensorOf(Shape.of(sets[s].size(), sets[s].numFeatures()),
            DataBuffers.of(sets[s].featuresAsFloats(), true, false));
        fed.add(x);
        TInt32 y = TInt32.tensorOf(Shape.of(sets[s].size()), DataBuffers.of(sets[s].y(), true, false));
        fed.add(y);
        r.feed(dataVars.get(2 * s).value(), x).addTarget(dataVars.get(2 * s).assign());
        r.feed(dataVars.get(2 * s + 1).value(), y).addTarget(dataVars.get(2 * s + 1).assign());
      }
      r.run().close();
    } finally {
      fed.forEach(Tensor::close);
    }
    splitSizes = new int[] {train.size(), validation.size(), test.size()};
    loaded = sets;
  }

  /** Number of rows of {@code split} (after {@link #loadData}). */
  public int size(Split split) {
    Preconditions.checkState(splitSizes != null, "no data loaded");
    return splitSizes[split.ordinal()];
  }

  /**
   * Starts a new trial: initialises the model from {@code seed}, resets the optimizer's state and
   * sets its hyperparameters ({@code hyperparameters} may omit keys, which get defaults).
   */
  public void reinitialize(long seed, Map<String, Double> hyperparameters) {
    params.initialize(session, seed);
    step.reset(session, seed);
    step.setHyperparameters(session, hyperparameters);
    metaRandom = new SplittableRandom(seed ^ 0x6D65746162617463L);
    lookAheadRandom = new SplittableRandom(seed ^ 0x6C6F6F6B61686561L);
  }

  /** Whether the train step feeds a validation meta-batch every step. */
  public boolean usesMetaBatch() {
    return metaIndices != null;
  }

  /** Runs one training step on the training rows {@code indices}. */
  public StepOutput trainStep(int[] indices) {
    Preconditions.checkState(metaRandom != null, "call reinitialize before training");
    try (TInt32 idx = TInt32.vectorOf(indices);
        TInt32 meta = metaIndices == null ? null : TInt32.vectorOf(metaBatchIndices(indices.length))) {
      Session.Runner r = session.runner().feed(batchIndices, idx);
      if (meta != null) {
        r.feed(metaIndices, meta);
      }
      List<TInt32> ahead = new ArrayList<>();
      try {
        for (Placeholder<TInt32> ph : lookAheadIndices.values()) {
          TInt32 rows = TInt32.vectorOf(randomRows(lookAheadRandom, size(Split.TRAIN), indices.length));
          ahead.add(rows);
          r.feed(ph, rows);
        }
        return runStep(r);
      } finally {
        ahead.forEach(TInt32::close);
      }
    }
  }

  private StepOutput runStep(Session.Runner r) {
    r.addTarget(trainTarget).fetch(batchLoss);
    for (Operand<?> o : stepOutputOperands) {
      r.fetch(o);
    }
    try (Result res = r.run()) {
      double loss = FloatTensors.scalarValue(res.get(0));
      if (stepOutputNames.isEmpty()) {
        return new StepOutput(loss, Map.of());
      }
      Map<String, Double> outs = new LinkedHashMap<>();
      for (int i = 0; i < stepOutputNames.size(); i++) {
        outs.put(stepOutputNames.get(i), FloatTensors.scalarValue(res.get(i + 1)));
      }
      return new StepOutput(loss, outs);
    }
  }

  /**
   * Outputs of {@link #trainSteps}.
   *
   * @param steps how many of the given steps ran: all of them, or up to and including the first
   *     whose loss is not finite
   * @param losses each step's batch loss before its update ({@code steps} values)
   * @param outputs each step's {@link TrainStep#perStepOutputs()}, by name ({@code steps} values each)
   */
  public record StepsOutput(int steps, double[] losses, Map<String, double[]> outputs) {}

  /**
   * Whether {@link #trainSteps} is available: the step has a {@link TrainStep#loopStep()} and
   * needs no validation or look-ahead batches.
   */
  public boolean hasLoop() {
    return loop != null;
  }

  /**
   * Runs the training steps on {@code batches} (rows of the training split, all of one size) in one
   * {@code session.run} ({@code train_epoch/}, see {@link EpochLoop}): the same values, bit for bit,
   * as one {@link #trainStep} per batch, including the state after a step whose loss is not
   * finite, after which it stops.
   *
   * @throws IllegalStateException when {@link #hasLoop()} is false
   */
  public StepsOutput trainSteps(List<int[]> batches) {
    Preconditions.checkState(loop != null, "optimizer %s runs one step per session.run", optimizerName);
    Preconditions.checkState(metaRandom != null, "call reinitialize before training");
    Preconditions.checkArgument(!batches.isEmpty(), "no batches given");
    int b = batches.get(0).length;
    int[] flat = new int[batches.size() * b];
    for (int k = 0; k < batches.size(); k++) {
      Preconditions.checkArgument(batches.get(k).length == b, "batch %s has %s rows, batch 0 has %s", k,
          batches.get(k).length, b);
      System.arraycopy(batches.get(k), 0, flat, k * b, b);
    }
    try (TInt32 idx = TInt32.tensorOf(Shape.of(batches.size(), b), DataBuffers.of(flat, true, false));
        Result res = session.runner().feed(loop.batches(), idx).addTarget(loop.target()).fetch(loop.steps())
            .fetch(loop.outputs()).run()) {
      int steps = ((TInt32) res.get(0)).getInt();
      float[] recorded = FloatTensors.toFloats((TFloat32) res.get(1));
      int width = 1 + stepOutputNames.size();
      double[] losses = new double[steps];
      Map<String, double[]> outs = new LinkedHashMap<>();
      stepOutputNames.forEach(n -> outs.put(n, new double[steps]));
      for (int k = 0; k < steps; k++) {
        losses[k] = recorded[k * width];
        for (int j = 0; j < stepOutputNames.size(); j++) {
          outs.get(stepOutputNames.get(j))[k] = recorded[k * width + 1 + j];
        }
      }
      return new StepsOutput(steps, losses, outs);
    }
  }

  private int[] metaBatchIndices(int n) {
    return randomRows(metaRandom, size(Split.VALIDATION), n);
  }

  private static int[] randomRows(SplittableRandom random, int size, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextInt(size);
    }
    return out;
  }

  /** Loss and accuracy over the whole {@code split}, in one session run. */
  public Evaluation evaluate(Split split) {
    return evaluate(List.of(split)).get(split);
  }

  /**
   * Loss and accuracy over each of {@code splits} (distinct), all in one session run; the same
   * values as one {@link #evaluate(Split)} per split.
   */
  public Map<Split, Evaluation> evaluate(List<Split> splits) {
    Preconditions.checkArgument(!splits.isEmpty() && splits.stream().distinct().count() == splits.size(),
        "splits must be non-empty and distinct, got %s", splits);
    Session.Runner r = session.runner();
    for (Split s : splits) {
      r.fetch(evaluation.get(s).get(0)).fetch(evaluation.get(s).get(1));
    }
    try (Result res = r.run()) {
      Map<Split, Evaluation> out = new LinkedHashMap<>();
      for (int i = 0; i < splits.size(); i++) {
        out.put(splits.get(i), new Evaluation(FloatTensors.scalarValue(res.get(2 * i)),
            FloatTensors.scalarValue(res.get(2 * i + 1))));
      }
      return out;
    }
  }

  /** Logits for the rows of {@code x} ({@code [n][inputSize]}) with the current parameters. */
  public float[][] logits(float[][] x) {
    int n = x.length;
    int w = mlp.inputSize();
    float[] flat = new float[n * w];
    for (int i = 0; i < n; i++) {
      Preconditions.checkArgument(x[i].length == w, "row %s has %s features, the model takes %s", i, x[i].length, w);
      System.arraycopy(x[i], 0, flat, i * w, w);
    }
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(n, w), DataBuffers.of(flat, true, false));
        Result res = session.runner().feed(predictX, in).fetch(predictLogits).run()) {
      float[] out = FloatTensors.toFloats((TFloat32) res.get(0));
      float[][] rows = new float[n][mlp.numClasses()];
      for (int i = 0; i < n; i++) {
        System.arraycopy(out, i * mlp.numClasses(), rows[i], 0, mlp.numClasses());
      }
      return rows;
    }
  }

  /** A copy of the model's current parameter values, in {@link #parameters()} order. */
  public double[][] parameterValues() {
    return params.read(session);
  }

  /** The model parameters. */
  public ParameterSet<TFloat32> parameters() {
    return params;
  }

  /** The model. */
  public Mlp mlp() {
    return mlp;
  }

  /** The optimizer's name ({@link StepBuilder#name()}). */
  public String optimizerName() {
    return optimizerName;
  }

  /** The optimizer's hyperparameter keys and defaults. */
  public Map<String, Double> hyperparameterDefaults() {
    return hyperparameterDefaults;
  }

  /** The built update step (its gate, if it has one: {@link TrainStep#gateWeights}). */
  public TrainStep step() {
    return step;
  }

  /** Names of the values fetched per step besides the loss ({@link TrainStep#perStepOutputs()}). */
  public List<String> stepOutputNames() {
    return List.copyOf(stepOutputNames);
  }

  /** The graph (read it; do not add to it after creation). */
  public Graph graph() {
    return graph;
  }

  /** The session. */
  public Session session() {
    return session;
  }

  /** Closes this session; the graph too when no {@link #sibling} (or original) still uses it. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      session.close();
    } finally {
      releaseGraph();
    }
  }

  private void releaseGraph() {
    if (graphUsers.decrementAndGet() != 0) {
      return;
    }
    try {
      graph.close();
    } finally {
      if (loop != null) {
        loop.close();
      }
    }
  }
}
