package dev.tfblend.model;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * A named, ordered list of graph variables with known shapes: the explicit set of parameters
 * that gradients are taken with respect to and that an optimizer updates (never "all variables
 * of the graph", see STYLE.md principle 7).
 *
 * <p>Layout in the graph, for a set built under scope {@code s} with a parameter {@code w0}:
 * <ul>
 *   <li>{@code s/w0}: the {@code VariableV2} (no initializer registered with the graph);
 *   <li>{@code s/w0_read}: {@code Identity} of the variable. All readers must use
 *       {@link #value(int)}: gradients are taken with respect to these reads, and a second-order
 *       gradient straight through a raw {@code VariableV2} crashed TF-Java 1.1.0;
 *   <li>{@code s/w0_init_value} (placeholder) and {@code s/w0_init} (assign); {@code s/init}
 *       groups all of them.
 * </ul>
 * A name with {@code /} puts the variable in sub-scopes ({@code w1/m} gives {@code s/w1/m},
 * {@code s/w1/m_read}, ...). Siblings use suffixes rather than sub-scopes because TF-Java's
 * scopes make an op name and a sub-scope of the same name unique ({@code w1} and {@code w1_1/read}).
 *
 * <p>Initial values are computed on the Java side from a seed ({@link #initialValues(long)}) and
 * fed through the placeholders, so the same graph can be re-initialised for every trial without
 * rebuilding it and no initial values are stored in the GraphDef. Variable {@code i} draws from
 * the {@code i}-th {@link SplittableRandom#split()} of {@code new SplittableRandom(seed)}.
 *
 * <p>Instances are immutable once built; the session methods are as thread-safe as the session.
 *
 * @param <T> {@code TFloat32} for training, {@code TFloat64} for gradient checks
 */
public final class ParameterSet<T extends TFloating> {
  private final Class<T> type;
  private final List<String> names;
  private final List<long[]> shapes;
  private final List<Init> inits;
  private final List<Variable<T>> variables;
  private final List<Operand<T>> values;
  private final List<Placeholder<T>> initValues;
  private final Op initializer;

  private ParameterSet(Builder<T> b, List<Variable<T>> variables, List<Operand<T>> values,
      List<Placeholder<T>> initValues, Op initializer) {
    this.type = b.type;
    this.names = List.copyOf(b.names);
    this.shapes = List.copyOf(b.shapes);
    this.inits = List.copyOf(b.inits);
    this.variables = List.copyOf(variables);
    this.values = List.copyOf(values);
    this.initValues = List.copyOf(initValues);
    this.initializer = initializer;
  }

  /**
   * Starts a parameter set whose variables are created under {@code tf}'s current scope (call
   * {@code tf.withSubScope("model")} first to give them a prefix).
   */
  public static <T extends TFloating> Builder<T> builder(Ops tf, Class<T> type) {
    return new Builder<>(tf, type);
  }

  /** Collects the parameters' names, shapes and initialisers, then creates the variables. */
  public static final class Builder<T extends TFloating> {
    private final Ops tf;
    private final Class<T> type;
    private final List<String> names = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<Init> inits = new ArrayList<>();

    private Builder(Ops tf, Class<T> type) {
      this.tf = tf;
      this.type = type;
    }

    /**
     * Adds a parameter. {@code name} may contain {@code /} (each part becomes a sub-scope) and
     * must be unique in the set.
     */
    public Builder<T> add(String name, long[] shape, Init init) {
      Preconditions.checkArgument(!names.contains(name), "duplicate parameter name %s", name);
      for (long d : shape) {
        Preconditions.checkArgument(d > 0, "parameter %s: dimensions must be positive, got %s",
            name, java.util.Arrays.toString(shape));
      }
      names.add(name);
      shapes.add(shape.clone());
      inits.add(init);
      return this;
    }

    /** Creates the variables, their reads and their initialising assigns in the graph. */
    public ParameterSet<T> build() {
      List<Variable<T>> vars = new ArrayList<>();
      List<Operand<T>> reads = new ArrayList<>();
      List<Placeholder<T>> phs = new ArrayList<>();
      List<Op> assigns = new ArrayList<>();
      java.util.Map<String, Ops> scopes = new java.util.HashMap<>();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        String[] parts = name.split("/");
        Ops parent = tf;
        StringBuilder path = new StringBuilder();
        for (int k = 0; k < parts.length - 1; k++) {
          path.append(parts[k]).append('/');
          Ops p = parent;
          String part = parts[k];
          parent = scopes.computeIfAbsent(path.toString(), x -> p.withSubScope(part));
        }
        String leaf = parts[parts.length - 1];
        Shape shape = Shape.of(shapes.get(i));
        Variable<T> v = parent.withName(leaf).variable(shape, type);
        reads.add(parent.withName(leaf + "_read").identity(v));
        Placeholder<T> ph =
            parent.withName(leaf + "_init_value").placeholder(type, Placeholder.shape(shape));
        phs.add(ph);
        assigns.add(parent.withName(leaf + "_init").assign(v, ph));
        vars.add(v);
      }
      Op init = tf.withControlDependencies(assigns).withName("init").noOp();
      return new ParameterSet<>(this, vars, reads, phs, init);
    }
  }

  /** The element type of every variable. */
  public Class<T> type() {
    return type;
  }

  /** Number of variables. */
  public int size() {
    return names.size();
  }

  /** Parameter names, in order. */
  public List<String> names() {
    return names;
  }

  /** Index of the parameter called {@code name}. */
  public int indexOf(String name) {
    int i = names.indexOf(name);
    Preconditions.checkArgument(i >= 0, "no parameter named %s in %s", name, names);
    return i;
  }

  /** Shape of parameter {@code i} (a copy). */
  public long[] shape(int i) {
    return shapes.get(i).clone();
  }

  /** Number of scalar values in parameter {@code i}. */
  public int numElements(int i) {
    return Init.size(shapes.get(i));
  }

  /** Total number of scalar values over all parameters. */
  public long totalElements() {
    long n = 0;
    for (int i = 0; i < size(); i++) {
      n += numElements(i);
    }
    return n;
  }

  /** The variables, in order; only optimizers assign them. */
  public List<Variable<T>> variables() {
    return variables;
  }

  /** Variable {@code i}. */
  public Variable<T> variable(int i) {
    return variables.get(i);
  }

  /** The {@code Identity} reads of the variables, in order: use these to compute with them. */
  public List<Operand<T>> values() {
    return values;
  }

  /** The read of variable {@code i}. */
  public Operand<T> value(int i) {
    return values.get(i);
  }

  /**
   * {@code xs} (one value per parameter, each in its parameter's shape, in parameter order)
   * flattened and concatenated into one vector of {@link #totalElements()} values: the "flat"
   * layout of a training loop's state. {@link #split} is its inverse.
   */
  public Operand<T> flatten(Ops tf, List<? extends Operand<T>> xs) {
    Preconditions.checkArgument(xs.size() == size(), "%s values for %s parameters", xs.size(), size());
    List<Operand<T>> parts = new ArrayList<>();
    for (Operand<T> x : xs) {
      parts.add(tf.reshape(x, tf.constant(new long[] {-1})));
    }
    return tf.concat(parts, tf.constant(0));
  }

  /** The inverse of {@link #flatten}: one value per parameter, in its shape, in parameter order. */
  public List<Operand<T>> split(Ops tf, Operand<T> flat) {
    int[] sizes = new int[size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = numElements(i);
    }
    List<Output<T>> parts = tf.splitV(flat, tf.constant(sizes), tf.constant(0), (long) sizes.length).output();
    List<Operand<T>> out = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      out.add(tf.reshape(parts.get(i), tf.constant(shape(i))));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Adds {@code d loss / d value(i)} for every parameter to {@code graph}, in order. The loss
   * must depend on every parameter (TF-Java throws for unreachable ones).
   */
  @SuppressWarnings("unchecked")
  public List<Operand<T>> gradients(Graph graph, Operand<? extends TFloating> loss) {
    Output<?>[] xs = new Output<?>[values.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = values.get(i).asOutput();
    }
    Output<?>[] dys = graph.addGradients(loss.asOutput(), xs);
    List<Operand<T>> out = new ArrayList<>();
    for (Output<?> g : dys) {
      out.add((Operand<T>) g);
    }
    return Collections.unmodifiableList(out);
  }

  /** The op that assigns all variables from their {@code init_value} placeholders. */
  public Op initializer() {
    return initializer;
  }

  /** The initial values for {@code seed}, in order, as computed on the Java side. */
  public double[][] initialValues(long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    double[][] out = new double[size()][];
    for (int i = 0; i < size(); i++) {
      out[i] = inits.get(i).sample(shapes.get(i), root.split());
    }
    return out;
  }

  /** Assigns the initial values for {@code seed} to every variable (one session run). */
  public void initialize(Session session, long seed) {
    assign(session, initialValues(seed));
  }

  /** Assigns {@code values[i]} (row-major) to variable {@code i}, all in one session run. */
  public void assign(Session session, double[][] values) {
    Preconditions.checkArgument(values.length == size(), "expected %s arrays, got %s", size(), values.length);
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int i = 0; i < size(); i++) {
        Preconditions.checkArgument(values[i].length == numElements(i),
            "parameter %s needs %s values, got %s", names.get(i), numElements(i), values[i].length);
        T t = FloatTensors.of(type, shapes.get(i), values[i]);
        fed.add(t);
        r.feed(initValues.get(i), t);
      }
      r.addTarget(initializer).run().close();
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** A copy of every variable's current value, in order. */
  public double[][] read(Session session) {
    return FloatTensors.fetch(session, variables);
  }
}
