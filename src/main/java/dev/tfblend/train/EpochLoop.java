package dev.tfblend.train;

import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Many train steps in one {@code session.run}: a {@code While} op whose body gathers step
 * {@code i}'s batch, computes the loss, its gradients and the {@link LoopStep}'s update as plain
 * operations, and records the loss and the step's outputs; after the loop the step's
 * {@link LoopStep#write} assigns the final parameters and state.
 *
 * <p>Graph layout under {@code train_epoch/}: feed {@code batch_indices} (int32 {@code [K, B]},
 * row {@code k} the training rows of step {@code k}); fetch {@code steps} (int32 scalar, the
 * steps run) and {@code outputs} (float32 {@code [K, 1 + m]}: column 0 the batch loss of each step
 * before its update, then the step's {@code m} per-step outputs in the order given); target
 * {@code run}. The loop stops after the first step whose loss is not finite (that step's update
 * is applied, as a per-step run applies it); rows after {@code steps} are zero. The loop state is
 * the step index, the step count, the finite flag, the batches, the training features and
 * one-hot labels, the outputs,
 * the parameters, the step's state and its constants; a loop body cannot read variables.
 */
final class EpochLoop implements AutoCloseable {
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
    int np = params.size();
    int ns = state.size();
    int nc = constants.size();
    int width = 1 + outputNames.size();
    List<Shape> shapes = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    // i, n, ok, batches, x, y, outputs, params..., state..., constants...
    shapes.add(Shape.scalar());
    types.add(TInt32.class);
    shapes.add(Shape.scalar());
    types.add(TInt32.class);
    shapes.add(Shape.scalar());
    types.add(TBool.class);
    shapes.add(Shape.of(-1, -1));
    types.add(TInt32.class);
    shapes.add(Shape.of(-1, mlp.inputSize()));
    types.add(TFloat32.class);
    shapes.add(Shape.of(-1, mlp.numClasses()));
    types.add(TFloat32.class);
    shapes.add(Shape.of(-1, width));
    types.add(TFloat32.class);
    for (int i = 0; i < np; i++) {
      shapes.add(Shape.of(params.shape(i)));
      types.add(TFloat32.class);
    }
    for (Operand<TFloat32> s : state) {
      shapes.add(s.shape());
      types.add(TFloat32.class);
    }
    for (int k = 0; k < nc; k++) {
      shapes.add(Shape.scalar());
      types.add(TFloat32.class);
    }
    List<String> names = new ArrayList<>(List.of("i", "n", "ok", "batches", "x", "y", "outputs"));
    for (int i = 0; i < np; i++) {
      names.add("p" + i);
    }
    for (int k = 0; k < ns; k++) {
      names.add("s" + k);
    }
    for (int k = 0; k < nc; k++) {
      names.add("c" + k);
    }

    ConcreteFunction cond = ConcreteFunction.create(f -> {
      List<Operand<?>> in = inputs(f, names, types, shapes);
      @SuppressWarnings("unchecked")
      Operand<TInt32> i = (Operand<TInt32>) in.get(0);
      @SuppressWarnings("unchecked")
      Operand<TInt32> n = (Operand<TInt32>) in.get(1);
      @SuppressWarnings("unchecked")
      Operand<TBool> ok = (Operand<TBool>) in.get(2);
      Signature.Builder b = Signature.builder().key("cond");
      for (int k = 0; k < names.size(); k++) {
        b.input(names.get(k), in.get(k));
      }
      return b.output("go", f.math.logicalAnd(f.math.less(i, n), ok)).build();
    });
    ConcreteFunction body;
    try {
      body = ConcreteFunction.create(f -> body(f, mlp, step, names, types, shapes, np, ns, nc, outputNames));
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
      // the training labels one-hot once per run: the body gathers a batch's rows of them (the same
      // values as one-hot encoding the gathered labels, one op fewer per step)
      Operand<TFloat32> yOneHot = Mlp.oneHot(te.withSubScope("labels"), y, mlp.numClasses(), TFloat32.class);
      List<Operand<?>> init = new ArrayList<>(List.of(te.constant(0), n, te.constant(true), batches, x, yOneHot,
          buffer));
      init.addAll(params.values());
      init.addAll(state);
      init.addAll(constants);
      List<Output<?>> out = te.withName("loop").whileOp(init, cond, body).output();
      @SuppressWarnings("unchecked")
      Operand<TInt32> stepsRun = te.withName("steps").identity((Operand<TInt32>) out.get(0));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> recorded = te.withName("outputs").identity((Operand<TFloat32>) out.get(6));
      List<Operand<TFloat32>> finalParams = floats(out.subList(7, 7 + np));
      List<Operand<TFloat32>> finalState = floats(out.subList(7 + np, 7 + np + ns));
      Op write = step.write(tf, finalParams, finalState);
      Op target = te.withControlDependencies(List.of(write)).withName("run").noOp();
      return new EpochLoop(batches, stepsRun, recorded, target, List.of(cond, body));
    } catch (RuntimeException e) {
      cond.close();
      body.close();
      throw e;
    }
  }

  private static Signature body(Ops f, Mlp mlp, LoopStep step, List<String> names, List<Class<? extends TType>> types,
      List<Shape> shapes, int np, int ns, int nc, List<String> outputNames) {
    List<Operand<?>> in = inputs(f, names, types, shapes);
    @SuppressWarnings("unchecked")
    Operand<TInt32> i = (Operand<TInt32>) in.get(0);
    @SuppressWarnings("unchecked")
    Operand<TInt32> rows = f.withName("rows").gather((Operand<TInt32>) in.get(3), i, f.constant(0));
    @SuppressWarnings("unchecked")
    Operand<TFloat32> x = (Operand<TFloat32>) in.get(4);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> y = (Operand<TFloat32>) in.get(5);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> buffer = (Operand<TFloat32>) in.get(6);
    List<Operand<TFloat32>> params = floats(in.subList(7, 7 + np));
    List<Operand<TFloat32>> state = floats(in.subList(7 + np, 7 + np + ns));
    List<Operand<TFloat32>> constants = floats(in.subList(7 + np + ns, 7 + np + ns + nc));

    // the same operations as TrainingGraph's train_step: gather, logits, loss, gradients
    Ops bs = f.withSubScope("batch");
    Operand<TFloat32> bx = bs.withName("x").gather(x, rows, bs.constant(0));
    Operand<TFloat32> oneHot = bs.withName("labels").gather(y, rows, bs.constant(0));
    Operand<TFloat32> lossValue = Mlp.crossEntropy(f, mlp.logits(f, params, bx), oneHot);
    Operand<TFloat32> loss = f.withName("loss").identity(lossValue);
    Output<?>[] xs = new Output<?>[np];
    for (int k = 0; k < np; k++) {
      xs[k] = params.get(k).asOutput();
    }
    Output<?>[] dys = ((Graph) f.scope().env()).addGradients(loss.asOutput(), xs);
    LoopStep.Next next = step.next(f, params, floats(List.of(dys)), loss, state, constants);
    if (next.params().size() != np || next.state().size() != ns || !next.outputs().keySet().equals(
        new java.util.HashSet<>(outputNames))) {
      throw new IllegalStateException(String.format(
          "loop step gave %d parameters, %d state values and outputs %s; expected %d, %d and %s",
          next.params().size(), next.state().size(), next.outputs().keySet(), np, ns, outputNames));
    }
    List<Operand<TFloat32>> row = new ArrayList<>(List.of(loss));
    outputNames.forEach(name -> row.add(next.outputs().get(name)));
    Ops rec = f.withSubScope("record");
    Operand<TFloat32> values = rec.reshape(rec.stack(row), rec.constant(new int[] {1, row.size()}));
    Operand<TFloat32> recorded = rec.tensorScatterNdUpdate(buffer, rec.reshape(i, rec.constant(new int[] {1, 1})),
        values);

    List<Operand<?>> out = new ArrayList<>();
    out.add(f.withName("next_i").math.add(i, f.constant(1)));
    out.add(in.get(1));
    out.add(f.withName("finite").math.isFinite(loss));
    out.add(in.get(3));
    out.add(x);
    out.add(y);
    out.add(recorded);
    out.addAll(next.params());
    out.addAll(next.state());
    out.addAll(constants);
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
