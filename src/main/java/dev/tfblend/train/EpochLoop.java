package dev.tfblend.train;

import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Operands;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Many train steps in one {@code session.run}: a {@code While} op whose body takes step
 * {@code i}'s batch, computes the loss, its gradients and the {@link LoopStep}'s update as plain
 * operations, and records the loss and the step's outputs; after the loop the step's
 * {@link LoopStep#write} assigns the final parameters and state.
 *
 * <p>Graph layout under {@code train_epoch/}: feed {@code batch_indices} (int32 {@code [K, B]},
 * row {@code k} the training rows of step {@code k}); fetch {@code steps} (int32 scalar, the
 * steps run) and {@code outputs} (float32 {@code [K, 1 + m]}: column 0 the batch loss of each step
 * before its update, then the step's {@code m} per-step outputs in the order given); target
 * {@code run}. The loop stops after the first step whose loss is not finite (that step's update
 * is applied, as a per-step run applies it); rows after {@code steps} are zero.
 *
 * <p><b>Why the loop state is packed.</b> A loop body cannot read the training graph's variables,
 * so everything it uses travels as loop state, and every value of that state costs a few
 * operations per step (TensorFlow lowers the loop to {@code Merge}, {@code Switch},
 * {@code Identity} and {@code NextIteration} per value), about as much as the arithmetic of a
 * small step. The state is therefore: the step index, the step count, the finite flag, the
 * epoch's batches of features and one-hot labels (gathered once per run, {@code [K, B, in]} and
 * {@code [K, B, classes]}), the outputs, the parameters flat (one vector, see {@link LoopStep}),
 * the step's state, and its constants stacked into one vector. The values are the same, bit for
 * bit, as one {@code session.run} per step: gathers, reshapes, concatenations and splits copy
 * values and compute nothing.
 */
final class EpochLoop implements AutoCloseable {
  private static final int I = 0;
  private static final int N = 1;
  private static final int OK = 2;
  private static final int X = 3;
  private static final int Y = 4;
  private static final int OUTPUTS = 5;
  private static final int PARAMS = 6;
  private static final int STATE = 7;

  private final Placeholder<TInt32> batches;
  private final Operand<TInt32> steps;
  private final Operand<TFloat32> outputs;
  private final Op target;
  private final List<ConcreteFunction> functions;

  private EpochLoop(Placeholder<TInt32> batches, Operand<TInt32> steps, Operand<TFloat32> outputs, Op target,
      List<ConcreteFunction> functions) {
    this.batches = batches;
    this.steps = steps;
    this.outputs = outputs;
    this.target = target;
    this.functions = functions;
  }

  /**
   * Builds the loop under {@code tf}'s {@code train_epoch/} scope.
   *
   * @param x the training features (read in the training graph)
   * @param y the training labels
   * @param outputNames the step's per-step outputs recorded, in column order
   */
  static EpochLoop build(Ops tf, Mlp mlp, ParameterSet<TFloat32> params, Operand<TFloat32> x, Operand<TInt32> y,
      LoopStep step, List<String> outputNames) {
    Ops te = tf.withSubScope("train_epoch");
    List<Operand<TFloat32>> state = step.state();
    List<Operand<TFloat32>> constants = step.constants();
    int ns = state.size();
    int nc = constants.size();
    int width = 1 + outputNames.size();
    List<Shape> shapes = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    List<String> names = new ArrayList<>();
    // i, n, ok, x, y, outputs, params, state..., constants
    add(names, types, shapes, "i", TInt32.class, Shape.scalar());
    add(names, types, shapes, "n", TInt32.class, Shape.scalar());
    add(names, types, shapes, "ok", TBool.class, Shape.scalar());
    add(names, types, shapes, "x", TFloat32.class, Shape.of(-1, -1, mlp.inputSize()));
    add(names, types, shapes, "y", TFloat32.class, Shape.of(-1, -1, mlp.numClasses()));
    add(names, types, shapes, "outputs", TFloat32.class, Shape.of(-1, width));
    add(names, types, shapes, "params", TFloat32.class, Shape.of(params.totalElements()));
    for (int k = 0; k < ns; k++) {
      add(names, types, shapes, "s" + k, TFloat32.class, state.get(k).shape());
    }
    if (nc > 0) {
      add(names, types, shapes, "constants", TFloat32.class, Shape.of(nc));
    }

    ConcreteFunction cond = ConcreteFunction.create(f -> {
      List<Operand<?>> in = inputs(f, names, types, shapes);
      @SuppressWarnings("unchecked")
      Operand<TInt32> i = (Operand<TInt32>) in.get(I);
      @SuppressWarnings("unchecked")
      Operand<TInt32> n = (Operand<TInt32>) in.get(N);
      @SuppressWarnings("unchecked")
      Operand<TBool> ok = (Operand<TBool>) in.get(OK);
      Signature.Builder b = Signature.builder().key("cond");
      for (int k = 0; k < names.size(); k++) {
        b.input(names.get(k), in.get(k));
      }
      return b.output("go", f.math.logicalAnd(f.math.less(i, n), ok)).build();
    });
    ConcreteFunction body;
    try {
      body = ConcreteFunction.create(f -> body(f, mlp, params, step, names, types, shapes, ns, nc, outputNames));
    } catch (RuntimeException e) {
      cond.close();
      throw e;
    }
    try {
      Placeholder<TInt32> batches = te.withName("batch_indices").placeholder(TInt32.class,
          Placeholder.shape(Shape.of(-1, -1)));
      Operand<TInt32> n = te.withName("n").gather(te.shape(batches), te.constant(0), te.constant(0));
      Operand<TFloat32> buffer = te.withName("outputs_init").fill(
          te.stack(List.of(n, te.constant(width))), te.constant(0.0f));
      // the epoch's batches gathered once per run: the training labels one-hot, then the rows of
      // every step (the same values as gathering and one-hot encoding one batch per step)
      Operand<TFloat32> yOneHot = Mlp.oneHot(te.withSubScope("labels"), y, mlp.numClasses(), TFloat32.class);
      Ops eb = te.withSubScope("batches");
      Operand<TFloat32> xb = eb.withName("x").gather(x, batches, eb.constant(0));
      Operand<TFloat32> yb = eb.withName("y").gather(yOneHot, batches, eb.constant(0));
      Ops packed = te.withSubScope("packed");
      List<Operand<?>> init = new ArrayList<>(List.of(te.constant(0), n, te.constant(true), xb, yb, buffer,
          params.flatten(packed, params.values())));
      init.addAll(state);
      if (nc > 0) {
        init.add(packed.withName("constants").stack(constants));
      }
      List<Output<?>> out = whileOp(te.withName("loop"), init, cond, body);
      @SuppressWarnings("unchecked")
      Operand<TInt32> stepsRun = te.withName("steps").identity((Operand<TInt32>) out.get(I));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> recorded = te.withName("outputs").identity((Operand<TFloat32>) out.get(OUTPUTS));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> finalParams = (Operand<TFloat32>) out.get(PARAMS);
      List<Operand<TFloat32>> finalState = floats(out.subList(STATE, STATE + ns));
      Op write = step.write(tf, finalParams, finalState);
      Op target = te.withControlDependencies(List.of(write)).withName("run").noOp();
      return new EpochLoop(batches, stepsRun, recorded, target, List.of(cond, body));
    } catch (RuntimeException e) {
      cond.close();
      body.close();
      throw e;
    }
  }

  /**
   * A {@code StatelessWhile} (the body is stateless by {@link LoopStep}'s contract) that TensorFlow
   * lowers to its in-graph control flow ({@code _lower_using_switch_merge}, as TensorFlow's Python
   * sets it for graphs): the body's operations then run in the calling executor, without a function
   * call per step. Measured, not only faster: run as a function per step, the fixed and scheduled
   * blends' and SWATS' losses drifted by one float ulp from one step per run ({@code EpochLoopTest}
   * fails without this attribute).
   */
  private static List<Output<?>> whileOp(Ops tf, List<Operand<?>> init, ConcreteFunction cond,
      ConcreteFunction body) {
    OperationBuilder b = tf.scope().opBuilder("StatelessWhile", "loop");
    b.addInputList(Operands.asOutputs(init));
    b.setAttr("cond", cond);
    b.setAttr("body", body);
    b.setAttr("_lower_using_switch_merge", true);
    Operation op = b.build();
    List<Output<?>> out = new ArrayList<>();
    for (int k = 0; k < op.numOutputs(); k++) {
      out.add(op.output(k));
    }
    return out;
  }

  private static void add(List<String> names, List<Class<? extends TType>> types, List<Shape> shapes, String name,
      Class<? extends TType> type, Shape shape) {
    names.add(name);
    types.add(type);
    shapes.add(shape);
  }

  private static Signature body(Ops f, Mlp mlp, ParameterSet<TFloat32> params, LoopStep step, List<String> names,
      List<Class<? extends TType>> types, List<Shape> shapes, int ns, int nc, List<String> outputNames) {
    List<Operand<?>> in = inputs(f, names, types, shapes);
    @SuppressWarnings("unchecked")
    Operand<TInt32> i = (Operand<TInt32>) in.get(I);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> buffer = (Operand<TFloat32>) in.get(OUTPUTS);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> flat = (Operand<TFloat32>) in.get(PARAMS);
    List<Operand<TFloat32>> state = floats(in.subList(STATE, STATE + ns));
    List<Operand<TFloat32>> constants = List.of();
    if (nc > 0) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> c = (Operand<TFloat32>) in.get(STATE + ns);
      constants = f.withSubScope("constants").unstack(c, (long) nc).output().stream()
          .map(o -> (Operand<TFloat32>) o).toList();
    }

    // the same operations as TrainingGraph's train_step on the step's batch: logits, loss, gradients
    Ops bs = f.withSubScope("batch");
    @SuppressWarnings("unchecked")
    Operand<TFloat32> bx = bs.withName("x").gather((Operand<TFloat32>) in.get(X), i, bs.constant(0));
    @SuppressWarnings("unchecked")
    Operand<TFloat32> oneHot = bs.withName("labels").gather((Operand<TFloat32>) in.get(Y), i, bs.constant(0));
    List<Operand<TFloat32>> values = params.split(f.withSubScope("params"), flat);
    Operand<TFloat32> lossValue = Mlp.crossEntropy(f, mlp.logits(f, values, bx), oneHot);
    Operand<TFloat32> loss = f.withName("loss").identity(lossValue);
    Output<?>[] xs = new Output<?>[values.size()];
    for (int k = 0; k < xs.length; k++) {
      xs[k] = values.get(k).asOutput();
    }
    Output<?>[] dys = ((Graph) f.scope().env()).addGradients(loss.asOutput(), xs);
    LoopStep.Next next = step.next(f, flat, values, floats(List.of(dys)), loss, state, constants);
    if (next.state().size() != ns || !next.outputs().keySet().equals(new java.util.HashSet<>(outputNames))) {
      throw new IllegalStateException(String.format(
          "loop step gave %d state values and outputs %s; expected %d and %s",
          next.state().size(), next.outputs().keySet(), ns, outputNames));
    }
    List<Operand<TFloat32>> row = new ArrayList<>(List.of(loss));
    outputNames.forEach(name -> row.add(next.outputs().get(name)));
    Ops rec = f.withSubScope("record");
    Operand<TFloat32> rowValues = rec.reshape(rec.stack(row), rec.constant(new int[] {1, row.size()}));
    Operand<TFloat32> recorded = rec.tensorScatterNdUpdate(buffer, rec.reshape(i, rec.constant(new int[] {1, 1})),
        rowValues);

    List<Operand<?>> out = new ArrayList<>();
    out.add(f.withName("next_i").math.add(i, f.constant(1)));
    out.add(in.get(N));
    out.add(f.withName("finite").math.isFinite(loss));
    out.add(in.get(X));
    out.add(in.get(Y));
    out.add(recorded);
    out.add(next.params());
    out.addAll(next.state());
    if (nc > 0) {
      out.add(in.get(STATE + ns));
    }
    Signature.Builder b = Signature.builder().key("body");
    for (int k = 0; k < names.size(); k++) {
      b.input(names.get(k), in.get(k));
    }
    for (int k = 0; k < names.size(); k++) {
      b.output(names.get(k), out.get(k));
    }
    return b.build();
  }

  private static List<Operand<?>> inputs(Ops f, List<String> names, List<Class<? extends TType>> types,
      List<Shape> shapes) {
    List<Operand<?>> in = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      in.add(f.withName(names.get(k)).placeholder(types.get(k), Placeholder.shape(shapes.get(k))));
    }
    return in;
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<TFloat32>> floats(List<? extends Operand<?>> xs) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<?> o : xs) {
      out.add((Operand<TFloat32>) o);
    }
    return out;
  }

  /** The {@code [K, B]} batch indices placeholder. */
  Placeholder<TInt32> batches() {
    return batches;
  }

  /** The number of steps run. */
  Operand<TInt32> steps() {
    return steps;
  }

  /** The recorded losses and outputs, {@code [K, 1 + m]}. */
  Operand<TFloat32> outputs() {
    return outputs;
  }

  /** The op that runs the loop and writes its result. */
  Op target() {
    return target;
  }

  @Override
  public void close() {
    functions.forEach(ConcreteFunction::close);
  }
}
