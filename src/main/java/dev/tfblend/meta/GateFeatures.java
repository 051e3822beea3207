package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.optim.BlendContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * What the gating network reads at each step: a row vector {@code [1, n]} built from the step's
 * {@link BlendContext}. Two input modes:
 *
 * <ul>
 *   <li>{@link Mode#FLAT_GRADIENTS} ({@code flat-gradients}, the published method): the gradients
 *       of all model parameters, flattened row-major and concatenated in parameter order, as they
 *       are (no normalisation). {@code n} is the model's parameter count, so a gate trained this
 *       way fits only models of that shape.
 *   <li>{@link Mode#GRADIENT_STATS} ({@code gradient-stats}): {@value #STATS_SIZE} numbers that do
 *       not depend on the model's size, so a trained gate transfers to other models. With
 *       {@code lg(x) = log10(x + 1e-12)}, {@code g_i} the gradient of parameter tensor {@code i}
 *       ({@code n_i} values), {@code da}/{@code db} the concatenated Adam/SGD increments:
 *       <ol start="0">
 *         <li>{@code grad_norm}: {@code lg(||g||)}, global L2 norm;
 *         <li>{@code layer_rms_min}, {@code layer_rms_mean}, {@code layer_rms_max}: min, mean and
 *             max over parameter tensors of {@code lg(||g_i|| / sqrt(n_i))} (per-layer gradient
 *             scale, log-scaled; min/mean/max keep the size fixed for any depth);
 *         <li>{@code adam_norm}: {@code lg(||da||)};
 *         <li>{@code sgd_norm}: {@code lg(||db||)};
 *         <li>{@code cosine}: {@code <da, db> / (||da|| ||db|| + 1e-12)}, in {@code [-1, 1]};
 *         <li>{@code loss}: {@code lg(training batch loss)};
 *         <li>{@code progress}: {@code t / max(total_steps, t)} in {@code (0, 1]} for the 1-based
 *             step {@code t}; with {@code total_steps = 0} (unknown) it is 1 throughout.
 *       </ol>
 *       Base-10 logs put every norm feature in roughly {@code [-12, 2]}, the order of magnitude
 *       being what matters; the cosine, loss and progress are O(1) already.
 * </ul>
 *
 * <p>Features are inputs only: they depend on the model's parameters and the training batch,
 * never on the gate's parameters, so no gradient flows into them when the meta step
 * differentiates with respect to the gate (see {@link MetaStep}). None of their ops needs a
 * registered gradient.
 *
 * @param <T> the floating type
 */
public final class GateFeatures<T extends TFloating> {
  /** Size of the {@code gradient-stats} vector. */
  public static final int STATS_SIZE = 9;
  /** Names of the {@code gradient-stats} features, in order. */
  public static final List<String> STATS_NAMES = List.of("grad_norm", "layer_rms_min",
      "layer_rms_mean", "layer_rms_max", "adam_norm", "sgd_norm", "cosine", "loss", "progress");
  /**
   * One-line definitions of the {@code gradient-stats} features, in {@link #STATS_NAMES} order
   * (what an exported gate's manifest records; the class Javadoc is the full statement).
   */
  public static final List<String> STATS_DEFINITIONS = List.of(
      "log10(||g|| + 1e-12), g = all model gradients",
      "min over parameter tensors i of log10(||g_i|| / sqrt(n_i) + 1e-12)",
      "mean over parameter tensors i of log10(||g_i|| / sqrt(n_i) + 1e-12)",
      "max over parameter tensors i of log10(||g_i|| / sqrt(n_i) + 1e-12)",
      "log10(||adam increment|| + 1e-12), all parameters",
      "log10(||sgd increment|| + 1e-12), all parameters",
      "<adam increment, sgd increment> / (||adam increment|| ||sgd increment|| + 1e-12)",
      "log10(training batch loss + 1e-12)",
      "t / max(total_steps, t), t = 1-based step (1 when total_steps = 0)");
  /** What a {@code flat-gradients} feature vector is (for manifests). */
  public static final String FLAT_DEFINITION = "the gradients of all model parameters (w1, b1, ..., wL, bL),"
      + " each flattened row-major, concatenated in that order, unnormalised";
  private static final double TINY = 1e-12;

  /** The gate's input mode. */
  public enum Mode {
    /** Concatenated flattened gradients (the published method). */
    FLAT_GRADIENTS("flat-gradients"),
    /** A fixed-size vector of gradient and update statistics. */
    GRADIENT_STATS("gradient-stats");

    private final String configName;

    Mode(String configName) {
      this.configName = configName;
    }

    /** The name used in configs and on the command line. */
    public String configName() {
      return configName;
    }

    /**
     * Parses a config name ({@code flat-gradients} or {@code gradient-stats}, case-insensitive).
     *
     * @throws BadInputException naming the value and the accepted ones when unknown
     */
    public static Mode parse(String s) {
      for (Mode m : values()) {
        if (m.configName.equalsIgnoreCase(s == null ? "" : s.trim())) {
          return m;
        }
      }
      throw BadInputException.of("unknown gate input mode '%s', expected one of %s", s,
          Arrays.stream(values()).map(Mode::configName).toList());
    }

    @Override
    public String toString() {
      return configName;
    }
  }

  private final Mode mode;
  private final Operand<T> loss;
  private final Operand<T> totalSteps;

  private GateFeatures(Mode mode, Operand<T> loss, Operand<T> totalSteps) {
    this.mode = mode;
    this.loss = loss;
    this.totalSteps = totalSteps;
  }

  /** The {@code flat-gradients} features. */
  public static <T extends TFloating> GateFeatures<T> flatGradients() {
    return new GateFeatures<>(Mode.FLAT_GRADIENTS, null, null);
  }

  /**
   * The {@code gradient-stats} features.
   *
   * @param loss the training batch loss of the step (a scalar)
   * @param totalSteps the planned number of steps, or 0 when unknown (a scalar)
   */
  public static <T extends TFloating> GateFeatures<T> gradientStats(Operand<T> loss, Operand<T> totalSteps) {
    return new GateFeatures<>(Mode.GRADIENT_STATS, Preconditions.checkNotNull(loss, "loss"),
        Preconditions.checkNotNull(totalSteps, "totalSteps"));
  }

  /** Features of {@code mode}; {@code loss} and {@code totalSteps} are used by gradient-stats only. */
  public static <T extends TFloating> GateFeatures<T> of(Mode mode, Operand<T> loss, Operand<T> totalSteps) {
    return mode == Mode.FLAT_GRADIENTS ? flatGradients() : gradientStats(loss, totalSteps);
  }

  /** The input mode. */
  public Mode mode() {
    return mode;
  }

  /** The vector's length for a model with {@code numParameters} scalar parameters. */
  public int size(long numParameters) {
    return mode == Mode.FLAT_GRADIENTS ? Math.toIntExact(numParameters) : STATS_SIZE;
  }

  /** Builds the row vector {@code [1, size]} of this step under {@code tf}. */
  public Operand<T> build(Ops tf, BlendContext<T> ctx) {
    Ops f = tf.withSubScope("features");
    Operand<TInt32> row = f.constant(new int[] {1, -1});
    if (mode == Mode.FLAT_GRADIENTS) {
      List<Operand<T>> flat = new ArrayList<>();
      for (Operand<T> g : ctx.gradients()) {
        flat.add(f.reshape(g, row));
      }
      return flat.size() == 1 ? flat.get(0) : f.withName("flat_gradients").concat(flat, f.constant(1));
    }
    Class<T> type = ctx.type();
    Operand<T> tiny = c(f, TINY, type);
    List<Operand<T>> layerRms = new ArrayList<>();
    List<Operand<T>> sq = new ArrayList<>();
    for (Operand<T> g : ctx.gradients()) {
      Operand<T> s = sumSquares(f, g);
      sq.add(s);
      double n = Math.max(1, g.shape().size());
      layerRms.add(lg(f, f.math.sqrt(f.math.div(s, c(f, n, type))), tiny));
    }
    Operand<T> layers = f.stack(layerRms);
    Operand<TInt32> axis0 = f.constant(0);
    Operand<T> gradNorm = lg(f, f.math.sqrt(addAll(f, sq)), tiny);
    Operand<T> aa = addAll(f, map(f, ctx.incrementsA(), ctx.incrementsA()));
    Operand<T> bb = addAll(f, map(f, ctx.incrementsB(), ctx.incrementsB()));
    Operand<T> ab = addAll(f, map(f, ctx.incrementsA(), ctx.incrementsB()));
    Operand<T> na = f.math.sqrt(aa);
    Operand<T> nb = f.math.sqrt(bb);
    Operand<T> cosine = f.math.div(ab, f.math.add(f.math.mul(na, nb), tiny));
    Operand<T> progress = f.math.div(ctx.step(), f.math.maximum(totalSteps, ctx.step()));
    List<Operand<T>> all = List.of(
        gradNorm,
        f.reduceMin(layers, axis0),
        f.math.mean(layers, axis0),
        f.reduceMax(layers, axis0),
        lg(f, na, tiny),
        lg(f, nb, tiny),
        cosine,
        lg(f, loss, tiny),
        progress);
    return f.withName("gradient_stats").reshape(f.stack(all), row);
  }

  private static <T extends TFloating> Operand<T> c(Ops tf, double v, Class<T> type) {
    return tf.dtypes.cast(tf.constant(v), type);
  }

  private static <T extends TFloating> Operand<T> lg(Ops tf, Operand<T> x, Operand<T> tiny) {
    Operand<T> ln10 = c(tf, Math.log(10.0), x.type());
    return tf.math.div(tf.math.log(tf.math.add(x, tiny)), ln10);
  }

  private static <T extends TFloating> Operand<T> sumSquares(Ops tf, Operand<T> x) {
    return sumAll(tf, tf.math.square(x));
  }

  private static <T extends TFloating> Operand<T> sumAll(Ops tf, Operand<T> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[Math.max(rank, 0)];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return tf.reduceSum(x, tf.constant(axes));
  }

  private static <T extends TFloating> List<Operand<T>> map(Ops tf, List<Operand<T>> a, List<Operand<T>> b) {
    List<Operand<T>> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(sumAll(tf, tf.math.mul(a.get(i), b.get(i))));
    }
    return out;
  }

  private static <T extends TFloating> Operand<T> addAll(Ops tf, List<Operand<T>> xs) {
    return xs.size() == 1 ? xs.get(0) : tf.math.addN(xs);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "GateFeatures[%s]", mode.configName());
  }
}
