package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.meta.GateFeatures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

/**
 * Numerical check of the gradients the training graph takes, in float64 against central finite
 * differences {@code (f(p + h d) - f(p - h d)) / 2h}.
 *
 * <ul>
 *   <li>{@code blended}: the meta-gradient {@code d L_val(theta'(alpha(psi))) / d psi} of the
 *       gate's parameters, built by the same {@link BlendedStep} recipe as training (in float64),
 *       through K look-ahead steps when asked (exact, or first-order with the inner gradients held),
 *       after {@value #WARMUP_STEPS} full
 *       train+meta steps so slots, counters and the gate are not at their initial values;
 *   <li>{@code hypergradient-blend}: the meta-gradient {@code d L_val / d logit} of its one learned
 *       scalar ({@link HypergradientBlend}, {@code alpha = sigmoid(logit)}), built by the same
 *       recipe as training in float64, after the same warm-up;
 *   <li>{@code adam}, {@code sgd}: the training loss gradient of the model's parameters (the
 *       optimizer does not enter it; the name selects the check).
 * </ul>
 *
 * <p>Setup: an MLP {@code 6-8-3} with tanh (smooth, so differences are meaningful), loss
 * {@code -mean(sum(y * logSoftmax(logits)))} (differentiable in float64), batches of 16 rows of
 * {@link GaussianBlobs} (training and validation drawn separately from {@code seed}), gate
 * {@code [n, 16, 1]} with tanh. Checks: {@value #DIRECTIONS} random unit directions over all
 * parameters checked, and {@value #COORDINATES} single coordinates (the largest analytic
 * component, then random ones whose analytic value is at least 1e-3 of the largest, so the
 * relative error is not dominated by differencing noise on a near-zero component). Relative
 * error: {@code |analytic - numeric| / max(|analytic|, |numeric|)}. Deterministic in the seed.
 */
public final class GradientCheck {
  /** Train+meta steps run before checking. */
  public static final int WARMUP_STEPS = 3;
  /** Random directions checked. */
  public static final int DIRECTIONS = 4;
  /** Single coordinates checked. */
  public static final int COORDINATES = 6;
  /** The pass threshold of the maximum relative error. */
  public static final double TOLERANCE = 1e-5;
  /** Default finite-difference step. */
  public static final double DEFAULT_H = 1e-5;

  private GradientCheck() {}

  /** One comparison. */
  public record Check(String kind, String target, double analytic, double numeric, double relativeError) {}

  /**
   * The JSON report: passed when {@code maxRelativeError < tolerance}. {@code unroll} is the
   * look-ahead K of a blended check and {@code metaGradient} {@code exact} or {@code first-order}
   * (both {@code null} for a loss-gradient check).
   */
  public record Report(String optimizer, String gateInput, Integer unroll, String metaGradient, long seed, double h,
      double tolerance, double maxRelativeError, boolean passed, List<Check> checks) {}

  /**
   * Runs the check.
   *
   * @param optimizer {@code blended}, {@code hypergradient-blend}, {@code adam} or {@code sgd}
   * @param gateInput the gate input mode ({@code flat-gradients} or {@code gradient-stats};
   *     {@code blended} only, null for the default)
   * @throws BadInputException for an unknown optimizer or gate input, or a step outside (0, 1)
   */
  public static Report run(String optimizer, String gateInput, long seed, double h) {
    return run(optimizer, gateInput, seed, h, 1, false);
  }

  /**
   * Runs the check; for {@code blended}, of the meta-gradient through {@code unroll} look-ahead
   * steps ({@link BlendedStep.Horizon}), each on its own training batch. With {@code firstOrder}
   * the analytic meta-gradient holds the inner gradients {@code g_2 .. g_K} fixed, and so do the
   * finite differences: they feed those gradients' values at the unperturbed gate, so the check
   * compares the first-order gradient with the derivative it claims to be.
   *
   * @throws BadInputException for an unknown optimizer or gate input, a step outside (0, 1), an
   *     unroll below 1, or unroll options with {@code adam}/{@code sgd}
   */
  public static Report run(String optimizer, String gateInput, long seed, double h, int unroll, boolean firstOrder) {
    if (!(h > 0 && h < 1)) {
      throw BadInputException.of("--step must be in (0, 1), got %s", h);
    }
    if (unroll < 1) {
      throw BadInputException.of("--unroll must be a positive integer, got %s", unroll);
    }
    GateFeatures.Mode mode = gateInput == null ? GateFeatures.Mode.FLAT_GRADIENTS : GateFeatures.Mode.parse(gateInput);
    String opt = optimizer == null ? "" : optimizer.toLowerCase(Locale.ROOT);
    if ((unroll != 1 || firstOrder) && !opt.equals("blended")) {
      throw BadInputException.of("--unroll and --first-order apply to --optimizer blended only");
    }
    return switch (opt) {
      case "blended" -> blended(mode, seed, h, new BlendedStep.Horizon(unroll, firstOrder, false));
      case HypergradientBlend.NAME -> hypergradient(seed, h);
      case "adam", "sgd" -> lossGradient(opt, seed, h);
      default -> throw BadInputException.of(
          "unknown --optimizer '%s', expected blended, hypergradient-blend, adam or sgd", optimizer);
    };
  }

  /** The blend's hyperparameters in the check: larger rates than the defaults, so 3 steps move things. */
  private static final Map<String, Double> BLEND_VALUES = blendValues();

  private static Map<String, Double> blendValues() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("adam_lr", 0.05);
    v.put("beta1", 0.9);
    v.put("beta2", 0.999);
    v.put("eps", 1e-8);
    v.put("sgd_lr", 0.1);
    v.put("momentum", 0.9);
    v.put("meta_lr", 0.01);
    v.put("total_steps", 20.0);
    return v;
  }

  private static final Mlp MODEL = new Mlp(List.of(6, 8, 3), Activation.TANH);
  private static final int BATCH = 16;

  private static Operand<TFloat64> batchLoss(Ops tf, List<Operand<TFloat64>> theta, Dataset d) {
    double[] flat = new double[d.size() * d.numFeatures()];
    for (int i = 0; i < d.size(); i++) {
      System.arraycopy(d.x()[i], 0, flat, i * d.numFeatures(), d.numFeatures());
    }
    Operand<TFloat64> x = tf.reshape(tf.constant(flat), tf.constant(new long[] {d.size(), d.numFeatures()}));
    Operand<TFloat64> y = Mlp.oneHot(tf, tf.constant(d.y()), MODEL.numClasses(), TFloat64.class);
    return Mlp.crossEntropyLogSoftmax(tf, MODEL.logits(tf, theta, x), y);
  }

  private static Dataset data(long seed, long sample) {
    return GaussianBlobs.generate(BATCH, MODEL.inputSize(), MODEL.numClasses(), 1.0, seed, sample);
  }

  /** The model, its training loss and gradients in a fresh float64 graph, for one check. */
  private record Setup(Ops tf, Session session, ParameterSet<TFloat64> params, Operand<TFloat64> loss,
      List<Operand<TFloat64>> gradients) {}

  /** Builds the {@link Setup} on the seed's training batch and returns what {@code check} gives. */
  private static Report withModel(long seed, java.util.function.Function<Setup, Report> check) {
    Dataset train = data(seed, 0);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat64> params = MODEL.parameters(tf.withSubScope("model"), TFloat64.class);
      Operand<TFloat64> loss = batchLoss(tf.withSubScope("train"), params.values(), train);
      return check.apply(new Setup(tf, s, params, loss, params.gradients(g, loss)));
    }
  }

  private static Report blended(GateFeatures.Mode mode, long seed, double h, BlendedStep.Horizon horizon) {
    Dataset val = data(seed, 1);
    Map<Integer, Dataset> ahead = new LinkedHashMap<>();
    for (int k = 2; k <= horizon.steps(); k++) {
      ahead.put(k, data(seed, k));
    }
    return withModel(seed, m -> {
      Session s = m.session();
      BlendedStep<TFloat64> step = BlendedStep.build(m.tf().withSubScope("blended"), TFloat64.class, m.params(),
          m.loss(), m.gradients(), new BlendedStep.Gate(mode, List.of(16), Activation.TANH,
              InitScheme.forActivation(Activation.TANH)),
          (meta, theta) -> batchLoss(meta, theta, val), List.of(), horizon,
          (tf, k, theta) -> batchLoss(tf, theta, ahead.get(k)));
      step.hyperparameters().set(s, BLEND_VALUES);
      m.params().initialize(s, seed);
      step.reset(s, null, seed + 1);
      for (int i = 0; i < WARMUP_STEPS; i++) {
        s.run(step.target());
      }
      List<Operand<TFloat64>> held = new ArrayList<>();
      if (horizon.firstOrder()) {
        step.innerGradients().forEach(held::addAll);
      }
      List<Check> checks = compare(s, step.gate().parameters(), step.metaStep().gateGradients(),
          step.metaStep().validationLoss(), seed, h, "gate/", held);
      return report("blended", mode.configName(), horizon.steps(), horizon.metaGradient(), seed, h, checks);
    });
  }

  private static Report hypergradient(long seed, double h) {
    Dataset val = data(seed, 1);
    Map<String, Double> values = new LinkedHashMap<>(BLEND_VALUES);
    values.keySet().retainAll(HypergradientBlend.HYPERPARAMETERS.defaults().keySet());
    return withModel(seed, m -> {
      Session s = m.session();
      HypergradientBlend<TFloat64> step = HypergradientBlend.build(m.tf().withSubScope(HypergradientBlend.NAME),
          TFloat64.class, m.params(), m.gradients(), (meta, theta) -> batchLoss(meta, theta, val), List.of());
      step.hyperparameters().set(s, values);
      m.params().initialize(s, seed);
      step.reset(s, seed + 1);
      for (int i = 0; i < WARMUP_STEPS; i++) {
        s.run(step.target());
      }
      List<Check> checks = compare(s, step.alphaSource().parameters(), step.metaStep().gateGradients(),
          step.metaStep().validationLoss(), seed, h, "alpha/", List.of());
      return report(HypergradientBlend.NAME, null, null, null, seed, h, checks);
    });
  }

  private static Report lossGradient(String optimizer, long seed, double h) {
    return withModel(seed, m -> {
      m.params().initialize(m.session(), seed);
      List<Check> checks = compare(m.session(), m.params(), m.gradients(), m.loss(), seed, h, "model/", List.of());
      return report(optimizer, null, null, null, seed, h, checks);
    });
  }

  private static Report report(String optimizer, String mode, Integer unroll, String metaGradient, long seed,
      double h, List<Check> checks) {
    double max = checks.stream().mapToDouble(Check::relativeError).max().orElse(Double.NaN);
    return new Report(optimizer, mode, unroll, metaGradient, seed, h, TOLERANCE, max, max < TOLERANCE,
        List.copyOf(checks));
  }

  /**
   * Analytic gradient of {@code f} w.r.t. {@code p} against central differences of {@code f}, with
   * the operands {@code held} fed their values at the unperturbed {@code p} in every evaluation.
   */
  private static List<Check> compare(Session s, ParameterSet<TFloat64> p, List<Operand<TFloat64>> grads,
      Operand<TFloat64> f, long seed, double h, String prefix, List<Operand<TFloat64>> held) {
    Session.Runner hr = s.runner();
    held.forEach(hr::fetch);
    try (Result heldValues = held.isEmpty() ? null : hr.run()) {
      List<Map.Entry<Operand<TFloat64>, org.tensorflow.Tensor>> feeds = new ArrayList<>();
      for (int i = 0; i < held.size(); i++) {
        feeds.add(Map.entry(held.get(i), heldValues.get(i)));
      }
      return compareFed(s, p, grads, f, seed, h, prefix, feeds);
    }
  }

  private static List<Check> compareFed(Session s, ParameterSet<TFloat64> p, List<Operand<TFloat64>> grads,
      Operand<TFloat64> f, long seed, double h, String prefix,
      List<Map.Entry<Operand<TFloat64>, org.tensorflow.Tensor>> feeds) {
    double[][] p0 = p.read(s);
    double[][] analytic = FloatTensors.fetch(s, grads);
    SplittableRandom rng = new SplittableRandom(seed ^ 0x6772616463686bL);
    List<Check> checks = new ArrayList<>();
    for (int k = 0; k < DIRECTIONS; k++) {
      double[][] d = new double[p0.length][];
      double norm = 0;
      for (int i = 0; i < d.length; i++) {
        d[i] = new double[p0[i].length];
        for (int j = 0; j < d[i].length; j++) {
          d[i][j] = rng.nextGaussian();
          norm += d[i][j] * d[i][j];
        }
      }
      norm = Math.sqrt(norm);
      double a = 0;
      for (int i = 0; i < d.length; i++) {
        for (int j = 0; j < d[i].length; j++) {
          d[i][j] /= norm;
          a += analytic[i][j] * d[i][j];
        }
      }
      double n = central(s, p, p0, d, f, h, feeds);
      checks.add(check("direction", prefix + "random direction " + (k + 1), a, n));
    }
    for (int[] ij : coordinates(analytic, rng)) {
      double[][] d = new double[p0.length][];
      for (int i = 0; i < d.length; i++) {
        d[i] = new double[p0[i].length];
      }
      d[ij[0]][ij[1]] = 1.0;
      double n = central(s, p, p0, d, f, h, feeds);
      checks.add(check("coordinate", String.format(Locale.ROOT, "%s%s[%d]", prefix, p.names().get(ij[0]), ij[1]),
          analytic[ij[0]][ij[1]], n));
    }
    p.assign(s, p0);
    return checks;
  }

  private static List<int[]> coordinates(double[][] analytic, SplittableRandom rng) {
    List<int[]> all = new ArrayList<>();
    for (int i = 0; i < analytic.length; i++) {
      for (int j = 0; j < analytic[i].length; j++) {
        all.add(new int[] {i, j});
      }
    }
    all.sort(Comparator.comparingDouble((int[] ij) -> -Math.abs(analytic[ij[0]][ij[1]])));
    double largest = Math.abs(analytic[all.get(0)[0]][all.get(0)[1]]);
    Preconditions.checkState(largest > 0, "the analytic gradient is zero everywhere");
    List<int[]> eligible = new ArrayList<>();
    for (int[] ij : all) {
      if (Math.abs(analytic[ij[0]][ij[1]]) >= 1e-3 * largest) {
        eligible.add(ij);
      }
    }
    List<int[]> out = new ArrayList<>();
    out.add(eligible.remove(0));
    while (out.size() < COORDINATES && !eligible.isEmpty()) {
      out.add(eligible.remove(rng.nextInt(eligible.size())));
    }
    return out;
  }

  private static Check check(String kind, String target, double a, double n) {
    double denom = Math.max(Math.abs(a), Math.abs(n));
    double rel = denom == 0 ? 0 : Math.abs(a - n) / denom;
    return new Check(kind, target, a, n, rel);
  }

  private static double central(Session s, ParameterSet<TFloat64> p, double[][] p0, double[][] d,
      Operand<TFloat64> f, double h, List<Map.Entry<Operand<TFloat64>, org.tensorflow.Tensor>> feeds) {
    p.assign(s, shifted(p0, d, h));
    double plus = scalar(s, f, feeds);
    p.assign(s, shifted(p0, d, -h));
    double minus = scalar(s, f, feeds);
    return (plus - minus) / (2 * h);
  }

  private static double[][] shifted(double[][] p0, double[][] d, double h) {
    double[][] out = new double[p0.length][];
    for (int i = 0; i < p0.length; i++) {
      out[i] = new double[p0[i].length];
      for (int j = 0; j < p0[i].length; j++) {
        out[i][j] = p0[i][j] + h * d[i][j];
      }
    }
    return out;
  }

  private static double scalar(Session s, Operand<TFloat64> f,
      List<Map.Entry<Operand<TFloat64>, org.tensorflow.Tensor>> feeds) {
    Session.Runner runner = s.runner();
    feeds.forEach(e -> runner.feed(e.getKey(), e.getValue()));
    try (Result r = runner.fetch(f).run()) {
      return FloatTensors.scalarValue(r.get(0));
    }
  }

}
