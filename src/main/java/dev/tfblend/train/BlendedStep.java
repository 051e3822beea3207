package dev.tfblend.train;

import dev.tfblend.grad.SecondOrderGradients;
import dev.tfblend.grad.Unroll;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.meta.GatingNetwork;
import dev.tfblend.meta.MetaStep;
import dev.tfblend.model.Activation;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.BlendContext;
import dev.tfblend.optim.BlendRule;
import dev.tfblend.optim.Domain;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.RuleOptimizer;
import dev.tfblend.optim.UpdateRule;
import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * The blended train step, assembled in this one place for any float type (float32 in training,
 * float64 in {@link GradientCheck}): hyperparameters, gate features, the {@link GatingNetwork},
 * the {@link DynamicBlendedOptimizer} taking its alpha from the gate, and, unless the gate is
 * frozen, the {@link MetaStep} that trains the gate, all written by the optimizer in one op.
 *
 * <p>Order of operations in one run of {@link #target()}: the model gradients (given), both
 * rules' increments and next slots, the features and {@code alpha_t} from the gate before its
 * update, the look-ahead {@code theta'}, the validation loss at {@code theta'} and its gradient
 * with respect to the gate; then every write, each waiting for all of the above: the model
 * becomes {@code theta'}, the slots and counters advance, and the meta Adam updates the gate, so
 * the gate update affects the next step's alpha, not this one's.
 *
 * <p><b>K-step horizon</b> ({@link Horizon}, hyperparameters {@code unroll}, {@code first_order},
 * {@code unroll_apply_all}). With {@code unroll = K > 1} the meta-loss is the validation loss after
 * K look-ahead steps from {@code theta_t}: step 1 is the step above (the fed training batch), and
 * each step {@code k = 2..K} takes the training loss on its own look-ahead batch at
 * {@code theta_{k-1}}, its gradient {@code g_k}, both rules' increments from the slots left by
 * step {@code k-1}, the gate's {@code alpha_k} from that step's features (the same gate
 * parameters), and {@code theta_k = theta_{k-1} + alpha_k adam_k + (1 - alpha_k) sgd_k}:
 *
 * <pre>
 *   L_meta = L_val(theta_K(psi)),   grad_psi = d L_meta / d psi   (through all K steps)
 * </pre>
 *
 * The meta-gradient is exact: it differentiates through every {@code g_k} (Hessian-vector
 * products; {@link SecondOrderGradients} registers the gradients those need) and through the
 * features of steps {@code k >= 2}, which depend on {@code psi} through {@code theta_{k-1}}. With
 * {@code first_order}, every {@code g_k} ({@code k >= 2}) passes through {@code StopGradient}:
 * the meta-gradient then treats the inner gradients (and the flat-gradients features, which are
 * those gradients) as constants. What the model applies: by default only step 1, exactly as with
 * {@code K = 1} (one update per training batch, so runs with any K make the same number of model
 * and gate updates per epoch and K changes only the horizon the gate is trained for); with
 * {@code unroll_apply_all} the model, slots and counter take the state after all K steps
 * ({@code theta_K}, K updates per run, steps 2..K on the look-ahead batches). With {@code K = 1}
 * the graph is the one-step graph, unchanged.
 *
 * <p>Graph layout under the scope given (for example {@code blended/}): {@code hyper/<key>},
 * {@code gate/...}, optimizer slots {@code slots/<param>/a/m|a/v|b/momentum} and counter
 * {@code step}, the update math {@code update/...}, the meta step {@code meta/...}
 * ({@code meta/validation_loss}), the step's {@code alpha}, the global L2 norms of both candidate
 * updates {@code update_norms/adam} and {@code update_norms/sgd} (over all model parameters,
 * computed before any write) and the target {@code update}; with {@code K > 1} also
 * {@code unroll/step<k>/...} ({@code loss}, {@code alpha}) for k = 2..K.
 *
 * <p>Immutable once built; build one per graph.
 *
 * @param target the op that performs one train (and meta) step
 * @param hyperparameters the hyperparameter variables ({@link #HYPERPARAMETERS}' operand keys)
 * @param optimizer the optimizer (the only writer of the model, its slots and the gate)
 * @param gate the gate
 * @param metaStep the meta step, or {@code null} for a frozen gate
 * @param update the update the step applies (its look-ahead is what the model becomes)
 * @param alpha the step's {@code alpha} (a scalar, computed before any write): {@code alpha_1}; for
 *     a per-tensor gate the mean of its per-tensor weights, which are {@code update.alpha()}
 * @param adamNorm the global L2 norm of the step's Adam increment (rule a; computed before any write)
 * @param sgdNorm the global L2 norm of the step's SGD-momentum increment (rule b)
 * @param horizon the look-ahead horizon the meta step differentiates through
 * @param alphas {@code alpha_1 .. alpha_K} of the look-ahead steps ({@code [alpha]} for K = 1)
 * @param innerGradients {@code g_k} for k = 2..K as the look-ahead updates read them (after the
 *     {@code StopGradient} in first-order mode), one list per step in parameter order; empty for K = 1
 * @param <T> the floating type of model, gate and optimizer
 */
public record BlendedStep<T extends TFloating>(
    Op target,
    Hyperparameters<T> hyperparameters,
    DynamicBlendedOptimizer<T> optimizer,
    GatingNetwork<T> gate,
    MetaStep<T> metaStep,
    RuleOptimizer.Step<T> update,
    Operand<T> alpha,
    Operand<T> adamNorm,
    Operand<T> sgdNorm,
    Horizon horizon,
    List<Operand<T>> alphas,
    List<List<Operand<T>>> innerGradients) {
  /**
   * The {@code blended} optimizer's hyperparameters: {@link DynamicBlendedOptimizer#HYPERPARAMETERS},
   * then {@code meta_lr}, {@code total_steps} and the structural {@code gate_hidden}. The meta Adam
   * uses beta1 0.9, beta2 0.999, eps 1e-8 whatever the model Adam's are.
   */
  public static final HyperparameterTable HYPERPARAMETERS = DynamicBlendedOptimizer.HYPERPARAMETERS.plus(List.of(
      Hyperparameter.of("meta_lr", 1e-3, Domain.NON_NEGATIVE, "the meta Adam's learning rate (0: the gate stays)"),
      Hyperparameter.of("total_steps", 0.0, Domain.NON_NEGATIVE,
          "steps of the run, read by the gradient-stats progress feature (0: unknown)"),
      Hyperparameter.structural("gate_hidden", GatingNetwork.DEFAULT_HIDDEN, Domain.POSITIVE_INTEGER,
          "units in the gate's hidden layer"),
      Hyperparameter.structural(Horizon.UNROLL, 1.0, Domain.POSITIVE_INTEGER,
          "look-ahead steps K the meta-gradient differentiates through"),
      Hyperparameter.structural(Horizon.FIRST_ORDER, 0.0, Domain.FLAG,
          "1: stop gradients through the inner gradients of the unroll (no second-order terms)"),
      Hyperparameter.structural(Horizon.APPLY_ALL, 0.0, Domain.FLAG,
          "1: the model takes all K look-ahead steps per run; 0: only the first")));

  /**
   * How far the meta step looks ahead.
   *
   * @param steps K, the look-ahead steps the meta-loss is taken after (at least 1)
   * @param firstOrder stop gradients through the inner gradients {@code g_2 .. g_K}
   * @param applyAll the model takes all K steps (else only the first)
   */
  public record Horizon(int steps, boolean firstOrder, boolean applyAll) {
    /** Hyperparameter key of {@link #steps}. */
    public static final String UNROLL = "unroll";
    /** Hyperparameter key of {@link #firstOrder}. */
    public static final String FIRST_ORDER = "first_order";
    /** Hyperparameter key of {@link #applyAll}. */
    public static final String APPLY_ALL = "unroll_apply_all";
    /** The one-step look-ahead. */
    public static final Horizon ONE = new Horizon(1, false, false);

    public Horizon {
      if (steps < 1) {
        throw BadInputException.of("blended hyperparameter unroll must be a positive integer, got %s", steps);
      }
    }

    /** The horizon the structural hyperparameters in {@code values} select (missing keys: {@link #ONE}'s). */
    public static Horizon of(java.util.Map<String, Double> values) {
      return new Horizon(values.getOrDefault(UNROLL, 1.0).intValue(), values.getOrDefault(FIRST_ORDER, 0.0) == 1.0,
          values.getOrDefault(APPLY_ALL, 0.0) == 1.0);
    }

    /** This horizon as its hyperparameter values. */
    public java.util.Map<String, Double> values() {
      java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
      m.put(UNROLL, (double) steps);
      m.put(FIRST_ORDER, firstOrder ? 1.0 : 0.0);
      m.put(APPLY_ALL, applyAll ? 1.0 : 0.0);
      return m;
    }

    /** {@code exact} or {@code first-order}: how the meta-gradient treats the inner gradients. */
    public String metaGradient() {
      return steps == 1 || !firstOrder ? "exact" : "first-order";
    }
  }

  /**
   * The training loss of look-ahead step {@code k} (2..K) on its own batch, at given parameter
   * values, built under the given ops.
   */
  @FunctionalInterface
  public interface LookAheadLoss<T extends TFloating> {
    Operand<T> apply(Ops tf, int k, List<Operand<T>> theta);
  }

  /**
   * The gate's build-time shape.
   *
   * @param mode what the gate reads
   * @param hidden the hidden layer widths
   * @param activation the hidden activation
   * @param init how the gate's parameters are drawn (training passes the model's scheme)
   * @param output one alpha per step ({@code global}) or per parameter tensor ({@code per-tensor})
   */
  public record Gate(GateFeatures.Mode mode, List<Integer> hidden, Activation activation, InitScheme init,
      GateOutput output) {
    public Gate {
      hidden = List.copyOf(hidden);
      output = output == null ? GateOutput.GLOBAL : output;
    }

    /** A {@code global} gate (one alpha per step). */
    public Gate(GateFeatures.Mode mode, List<Integer> hidden, Activation activation, InitScheme init) {
      this(mode, hidden, activation, init, GateOutput.GLOBAL);
    }
  }

  /**
   * Builds the step under {@code o}. Its hyperparameters start unassigned: call
   * {@code hyperparameters().set} before the first run.
   *
   * @param params the model parameters the step updates
   * @param loss the training batch loss (the gradient-stats features read it)
   * @param gradients {@code d loss / d params}, in parameter order
   * @param validationLoss builds, under the meta step's scope, the validation loss at given
   *     parameter values; {@code null} for a frozen gate (no meta step)
   * @param beforeUpdate ops that must finish before any write
   */
  public static <T extends TFloating> BlendedStep<T> build(Ops o, Class<T> type, ParameterSet<T> params,
      Operand<T> loss, List<Operand<T>> gradients, Gate shape,
      BiFunction<Ops, List<Operand<T>>, Operand<T>> validationLoss, List<? extends Op> beforeUpdate) {
    return build(o, type, params, loss, gradients, shape, validationLoss, beforeUpdate, Horizon.ONE, null);
  }

  /**
   * Builds the step under {@code o} with a K-step look-ahead (see the class comment). Its
   * hyperparameters start unassigned: call {@code hyperparameters().set} before the first run.
   *
   * @param horizon the look-ahead; {@code steps > 1} needs a meta step ({@code validationLoss})
   * @param lookAheadLoss the training loss of look-ahead steps 2..K; may be {@code null} for K = 1
   * @throws BadInputException for {@code steps > 1} with a frozen gate
   */
  public static <T extends TFloating> BlendedStep<T> build(Ops o, Class<T> type, ParameterSet<T> params,
      Operand<T> loss, List<Operand<T>> gradients, Gate shape,
      BiFunction<Ops, List<Operand<T>>, Operand<T>> validationLoss, List<? extends Op> beforeUpdate,
      Horizon horizon, LookAheadLoss<T> lookAheadLoss) {
    Preconditions.checkNotNull(horizon, "horizon");
    if (horizon.steps() > 1 && validationLoss == null) {
      throw BadInputException.of("a frozen gate has no meta step to unroll: blended hyperparameter unroll must be 1,"
          + " got %d", horizon.steps());
    }
    Preconditions.checkArgument(horizon.steps() == 1 || lookAheadLoss != null,
        "an unroll of %s steps needs the look-ahead batches' loss", horizon.steps());
    Hyperparameters<T> hyper = Hyperparameters.create(o.withSubScope("hyper"), type,
        HYPERPARAMETERS.operandDefaults());
    GateFeatures<T> features = GateFeatures.of(shape.mode(), loss, hyper.get("total_steps"));
    GatingNetwork<T> gate = GatingNetwork.create(o.withSubScope("gate"), type, features,
        features.size(params.totalElements()), shape.hidden(), shape.activation(), shape.init(),
        shape.output() == GateOutput.PER_TENSOR ? params.size() : 1);
    DynamicBlendedOptimizer<T> opt =
        DynamicBlendedOptimizer.adamSgd(o, DynamicBlendedOptimizer.DEFAULT_NAME, type, hyper, gate);
    List<GradAndVar<? extends TType>> gv = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      gv.add(new GradAndVar<>(gradients.get(i).asOutput(), params.variable(i).asOutput()));
    }
    RuleOptimizer.Step<T> step = opt.computeUpdate(gv);
    // a per-tensor gate's step alpha is recorded as the mean of its per-tensor weights
    Operand<T> alpha = step.alpha().shape().numDimensions() == 0 ? o.withName("alpha").identity(step.alpha())
        : o.withName("alpha").math.mean(step.alpha(), o.constant(0));
    Ops norms = o.withSubScope("update_norms");
    Operand<T> adamNorm = globalNorm(norms, "adam", step.context().incrementsA());
    Operand<T> sgdNorm = globalNorm(norms, "sgd", step.context().incrementsB());
    List<Operand<T>> alphas = new ArrayList<>(List.of(alpha));
    List<List<Operand<T>>> inner = new ArrayList<>();
    RuleOptimizer.Step<T> last = horizon.steps() == 1 ? step
        : unroll(o, type, step, opt, gate, shape.mode(), hyper, horizon, lookAheadLoss, alphas, inner);
    MetaStep<T> meta = null;
    List<Op> extraComputed = new ArrayList<>(List.of(alpha, adamNorm, sgdNorm));
    extraComputed.addAll(beforeUpdate);
    List<RuleOptimizer.Writer> extraWrites = new ArrayList<>();
    if (validationLoss != null) {
      Ops m = o.withSubScope("meta");
      meta = MetaStep.build(m, gate.parameters(), last.lookAhead(), theta -> validationLoss.apply(m, theta),
          hyper.get("meta_lr"));
      extraComputed.addAll(meta.computed());
      extraWrites.addAll(meta.writes());
    }
    if (horizon.steps() > 1) {
      // every look-ahead value is computed before any write, whichever state is applied
      extraComputed.addAll(last.lookAhead());
      last.nextSlots().forEach(extraComputed::addAll);
      extraComputed.addAll(alphas);
    }
    RuleOptimizer.Step<T> applied = horizon.applyAll() ? last : step;
    Op target = opt.applyUpdate(applied, extraComputed, extraWrites, "update");
    return new BlendedStep<>(target, hyper, opt, gate, meta, applied, alpha, adamNorm, sgdNorm, horizon,
        List.copyOf(alphas),
        inner.stream().map(List::copyOf).toList());
  }

  /**
   * Look-ahead steps 2..K after {@code first}, as plain ops (nothing is written): returns the
   * state after step K as a {@link RuleOptimizer.Step} (its increments are the sums of the K
   * steps'), and adds each step's alpha and inner gradients to {@code alphas} and {@code inner}.
   */
  private static <T extends TFloating> RuleOptimizer.Step<T> unroll(Ops o, Class<T> type, RuleOptimizer.Step<T> first,
      DynamicBlendedOptimizer<T> opt, GatingNetwork<T> gate, GateFeatures.Mode mode, Hyperparameters<T> hyper,
      Horizon horizon, LookAheadLoss<T> lookAheadLoss, List<Operand<T>> alphas, List<List<Operand<T>>> inner) {
    if (!horizon.firstOrder()) {
      SecondOrderGradients.register();
    }
    Graph graph = (Graph) o.scope().env();
    BlendRule<T> rule = (BlendRule<T>) opt.rule();
    List<Operand<T>> theta = first.lookAhead();
    List<List<Operand<T>>> slots = first.nextSlots();
    List<Operand<T>> total = new ArrayList<>(first.increments());
    Operand<T> t = first.step();
    Ops root = o.withSubScope("unroll");
    for (int k = 2; k <= horizon.steps(); k++) {
      Ops u = root.withSubScope("step" + k);
      Operand<T> lossK = u.withName("loss").identity(lookAheadLoss.apply(u.withSubScope("train_loss"), k, theta));
      List<Operand<T>> g = Unroll.gradients(graph, lossK, theta);
      if (horizon.firstOrder()) {
        List<Operand<T>> stopped = new ArrayList<>();
        for (Operand<T> gi : g) {
          stopped.add(u.stopGradient(gi));
        }
        g = stopped;
      }
      inner.add(g);
      Operand<T> tk = u.withName("t").math.add(t, u.dtypes.cast(u.constant(1.0f), type));
      List<BlendRule.Parts<T>> parts = new ArrayList<>();
      List<Operand<T>> incA = new ArrayList<>();
      List<Operand<T>> incB = new ArrayList<>();
      for (int i = 0; i < theta.size(); i++) {
        BlendRule.Parts<T> p = rule.parts(u.withSubScope("p" + i), g.get(i), theta.get(i), slots.get(i), tk);
        parts.add(p);
        incA.add(p.a().increment());
        incB.add(p.b().increment());
      }
      BlendContext<T> ctx = new BlendContext<>(type, g, theta, incA, incB, tk);
      Ops a = u.withSubScope("alpha");
      Operand<T> row = GateFeatures.of(mode, lossK, hyper.get("total_steps")).build(a, ctx);
      Operand<T> alphaK = u.withName("alpha").identity(
          gate.alpha(a, a.withName("gate_input").reshape(row, a.constant(new long[] {1, gate.inputSize()}))));
      alphas.add(alphaK);
      List<Operand<T>> nextTheta = new ArrayList<>();
      List<List<Operand<T>>> nextSlots = new ArrayList<>();
      for (int i = 0; i < theta.size(); i++) {
        Ops vi = u.withSubScope("p" + i);
        UpdateRule.Update<T> up = rule.blend(vi, alphaK, parts.get(i));
        nextTheta.add(vi.withName("look_ahead").math.add(theta.get(i), up.increment()));
        nextSlots.add(up.nextSlots());
        total.set(i, vi.math.add(total.get(i), up.increment()));
      }
      theta = nextTheta;
      slots = nextSlots;
      t = tk;
    }
    return new RuleOptimizer.Step<>(first.alpha(), t, first.variables(), first.gradients(), first.params(),
        List.copyOf(total), List.copyOf(theta), slots.stream().map(List::copyOf).toList(), first.context(),
        first.nextShared());
  }

  /** {@code sqrt(sum_i sum(x_i^2))} over every element of every {@code xs}, named {@code name}. */
  private static <T extends TFloating> Operand<T> globalNorm(Ops o, String name, List<Operand<T>> xs) {
    List<Operand<T>> squares = new ArrayList<>();
    Ops part = o.withSubScope(name + "_parts");
    for (Operand<T> x : xs) {
      squares.add(part.reduceSum(part.math.square(part.reshape(x, part.constant(new int[] {-1}))),
          part.constant(0)));
    }
    return o.withName(name).math.sqrt(o.math.addN(squares));
  }

  /**
   * Re-initialises the optimizer's slots and counter, the meta-Adam state and the gate: {@code start}
   * when given, else fresh weights drawn from {@code gateSeed}.
   */
  public void reset(Session session, GateWeights start, long gateSeed) {
    optimizer.reset(session);
    if (start != null) {
      gate.load(session, start);
    } else {
      gate.parameters().initialize(session, gateSeed);
    }
    if (metaStep != null) {
      metaStep.reset(session, gateSeed);
    }
  }
}
