package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import dev.tfblend.model.FloatTensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * Named scalar hyperparameters held in graph variables, so a graph built once can run many
 * trials: {@link #set} assigns new values (one session run) without rebuilding anything.
 *
 * <p>Graph layout under the scope given at creation (usually {@code hyper/}): for each name
 * {@code n}, a scalar {@code VariableV2} {@code n}, its read {@code n_read}, a placeholder
 * {@code n_value} and an assign {@code n_assign}; {@code assign} groups them. {@link #set} always
 * assigns every hyperparameter (missing ones get their default), so no stale value from a
 * previous trial survives. Call {@link #set} before the first step.
 *
 * <p>A {@linkplain #view view} holds no variables: it names operands given to it (for example a
 * loop body's inputs carrying the variables' values) so that a rule can be built from them the
 * same way; it cannot be {@linkplain #set set}.
 */
public final class Hyperparameters<T extends TFloating> {
  private final Class<T> type;
  private final Map<String, Double> defaults;
  private final Map<String, Operand<T>> reads = new LinkedHashMap<>();
  private final List<Placeholder<T>> feeds = new ArrayList<>();
  private final Op assignAll;

  private Hyperparameters(Class<T> type, Map<String, Operand<T>> values) {
    this.type = type;
    this.defaults = Map.of();
    this.reads.putAll(values);
    this.assignAll = null;
  }

  private Hyperparameters(Ops tf, Class<T> type, Map<String, Double> defaults) {
    this.type = type;
    this.defaults = Map.copyOf(defaults);
    List<Op> assigns = new ArrayList<>();
    for (Map.Entry<String, Double> e : defaults.entrySet()) {
      String n = e.getKey();
      Variable<T> v = tf.withName(n).variable(Shape.scalar(), type);
      reads.put(n, tf.withName(n + "_read").identity(v));
      Placeholder<T> ph = tf.withName(n + "_value").placeholder(type, Placeholder.shape(Shape.scalar()));
      feeds.add(ph);
      assigns.add(tf.withName(n + "_assign").assign(v, ph));
    }
    this.assignAll = tf.withControlDependencies(assigns).withName("assign").noOp();
  }

  /**
   * Creates the variables under {@code tf}'s scope, in the iteration order of {@code defaults}
   * (use a {@link LinkedHashMap} for a stable graph).
   */
  public static <T extends TFloating> Hyperparameters<T> create(
      Ops tf, Class<T> type, Map<String, Double> defaults) {
    Preconditions.checkArgument(!defaults.isEmpty(), "no hyperparameters given");
    return new Hyperparameters<>(tf, type, defaults);
  }

  /**
   * A read-only view naming {@code values} (name to operand, in a stable order): {@link #get}
   * returns them, {@link #set} throws.
   */
  public static <T extends TFloating> Hyperparameters<T> view(Class<T> type, Map<String, Operand<T>> values) {
    Preconditions.checkArgument(!values.isEmpty(), "no hyperparameters given");
    return new Hyperparameters<>(type, values);
  }

  /** The hyperparameters' reads by name, in creation order. */
  public Map<String, Operand<T>> reads() {
    return java.util.Collections.unmodifiableMap(reads);
  }

  /** The read of hyperparameter {@code name}. */
  public Operand<T> get(String name) {
    Operand<T> r = reads.get(name);
    Preconditions.checkArgument(r != null, "no hyperparameter %s, have %s", name, reads.keySet());
    return r;
  }

  /**
   * Assigns {@code values} (and the defaults for names it lacks) in one session run. Unknown
   * names and non-finite values are rejected, naming the key.
   */
  public void set(Session session, Map<String, Double> values) {
    Preconditions.checkState(assignAll != null, "a view of hyperparameter operands cannot be set");
    for (Map.Entry<String, Double> e : values.entrySet()) {
      Preconditions.checkArgument(reads.containsKey(e.getKey()),
          "unknown hyperparameter %s, expected one of %s", e.getKey(), reads.keySet());
      Preconditions.checkArgument(e.getValue() != null && Double.isFinite(e.getValue()),
          "hyperparameter %s must be finite, got %s", e.getKey(), e.getValue());
    }
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      int i = 0;
      for (String n : reads.keySet()) {
        T t = FloatTensors.scalar(type, values.getOrDefault(n, defaults.get(n)));
        fed.add(t);
        r.feed(feeds.get(i++), t);
      }
      r.addTarget(assignAll).run().close();
    } finally {
      fed.forEach(Tensor::close);
    }
  }
}
