package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.RuleOptimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * The one-step meta step that trains the gate:
 *
 * <pre>
 *   theta'   = theta + alpha(psi) * adam_increment + (1 - alpha(psi)) * sgd_increment   (not assigned)
 *   L_val    = loss(theta'; validation batch)
 *   grad_psi = d L_val / d psi                      (psi = the gate's ParameterSet only)
 *   psi     &lt;- meta Adam(psi, grad_psi)             (at meta_lr; beta1 0.9, beta2 0.999, eps 1e-8)
 * </pre>
 *
 * <p>{@code theta'} is {@link RuleOptimizer.Step#lookAhead()} of the step the optimizer applies:
 * the very operands it writes to the model, so the look-ahead differentiated here is the step
 * applied. The only path from {@code psi} to {@code L_val} is {@code alpha}; gradients, increments
 * and gate features depend on {@code theta_t} and the training batch only, so they are constants
 * for this derivative. First-order gradients only (a truncation of length 1). Given a
 * {@code theta} built through several look-ahead steps instead
 * ({@link #build(Ops, ParameterSet, List, Function, Operand)}), the same meta step differentiates
 * through all of them.
 *
 * <p><b>The meta Adam</b> is TensorFlow's fused in-place {@code ApplyAdam}, with {@code t} the
 * meta step's 1-based count held in the counter {@code step} and the beta powers
 * {@code pow(beta, t)}. The kernel adds its epsilon to {@code sqrt(v)} with the learning rate
 * rescaled by {@code sqrt(1 - beta2^t) / (1 - beta1^t)} (the paper's "epsilon hat" form); it is
 * fed {@code eps_hat = eps * sqrt(1 - beta2^t)}, which makes the update exactly Algorithm 1's
 * {@code psi - meta_lr * mhat / (sqrt(vhat) + eps)}, the placement of {@link AdamRule}. (Feeding
 * {@code eps} itself would make the effective epsilon {@code 1 / sqrt(1 - beta2^t)} times
 * Algorithm 1's: about 32x larger at {@code t = 1}.)
 *
 * <p><b>Contract.</b> Pass {@link #computed()} and {@link #writes()} to
 * {@link RuleOptimizer#applyUpdate} together with the step built from: every write (the in-place
 * {@code ApplyAdam} of {@code psi} included) then waits for every read of the gate, so the gate
 * update affects the next step's alpha, not this one's.
 *
 * <p>Graph layout under the scope given ({@code meta/}): {@code validation_loss}, the gate
 * gradients, meta-Adam slots {@code slots/<gate param>/m|v} and counter {@code step}.
 *
 * @param <T> the floating type
 */
public final class MetaStep<T extends TFloating> {
  private final List<Operand<T>> lookAhead;
  private final Operand<T> validationLoss;
  private final List<Operand<T>> gateGradients;
  private final ParameterSet<T> slots;
  private final ParameterSet<T> counter;
  private final List<Op> computed;
  private final List<RuleOptimizer.Writer> writes;

  private MetaStep(List<Operand<T>> lookAhead, Operand<T> validationLoss,
      List<Operand<T>> gateGradients, ParameterSet<T> slots, ParameterSet<T> counter, List<Op> computed,
      List<RuleOptimizer.Writer> writes) {
    this.lookAhead = lookAhead;
    this.validationLoss = validationLoss;
    this.gateGradients = gateGradients;
    this.slots = slots;
    this.counter = counter;
    this.computed = computed;
    this.writes = writes;
  }

  /**
   * Builds the meta step for {@code step}, whose alpha must be computed from {@code psi}: the
   * parameters of whatever learned alpha source the step used (a gating network's, or a single
   * learned logit's).
   *
   * @param scope ops under the meta step's scope (for example {@code tf.withSubScope("meta")})
   * @param step the optimizer's update of this step ({@link RuleOptimizer#computeUpdate})
   * @param validationLoss the validation loss at given model parameter values (a scalar)
   * @param metaLr the meta learning rate (a scalar operand)
   */
  public static <T extends TFloating> MetaStep<T> build(Ops scope, ParameterSet<T> psi,
      RuleOptimizer.Step<T> step, Function<List<Operand<T>>, Operand<T>> validationLoss,
      Operand<T> metaLr) {
    return build(scope, psi, step.lookAhead(), validationLoss, metaLr);
  }

  /**
   * Builds the meta step on given look-ahead parameters {@code theta}, which must depend on
   * {@code psi}: for a K-step unroll, {@code theta_K} after K look-ahead steps whose alphas the
   * gate computed (see {@code train.BlendedStep}). The meta-gradient is {@code d L_val(theta) / d psi}
   * through whatever graph produced {@code theta}.
   *
   * @param scope ops under the meta step's scope
   * @param theta the parameter values the validation loss is taken at
   * @param validationLoss the validation loss at given model parameter values (a scalar)
   * @param metaLr the meta learning rate (a scalar operand)
   */
  public static <T extends TFloating> MetaStep<T> build(Ops scope, ParameterSet<T> psi,
      List<Operand<T>> theta, Function<List<Operand<T>>, Operand<T>> validationLoss, Operand<T> metaLr) {
    Graph graph = (Graph) scope.scope().env();
    Class<T> type = psi.type();
    Operand<T> loss = scope.withName("validation_loss").identity(validationLoss.apply(theta));
    List<Operand<T>> grads = psi.gradients(graph, loss);
    for (int i = 0; i < grads.size(); i++) {
      Preconditions.checkState(grads.get(i) != null, "the validation loss does not depend on gate parameter %s",
          psi.names().get(i));
    }
    Operand<T> beta1 = c(scope, AdamRule.DEFAULT_BETA1, type);
    Operand<T> beta2 = c(scope, AdamRule.DEFAULT_BETA2, type);
    Operand<T> eps = c(scope, AdamRule.DEFAULT_EPS, type);
    ParameterSet.Builder<T> sb = ParameterSet.builder(scope.withSubScope("slots"), type);
    for (int i = 0; i < psi.size(); i++) {
      for (String s : AdamRule.SLOTS) {
        sb.add(psi.names().get(i) + "/" + s, psi.shape(i), Init.zeros());
      }
    }
    ParameterSet<T> slots = sb.build();
    ParameterSet<T> counter = ParameterSet.builder(scope, type).add("step", new long[0], Init.zeros()).build();
    Operand<T> t = scope.withName("t").math.add(counter.value(0), c(scope, 1.0, type));
    // bias corrections from the explicit 1-based step: the framework Adam's beta-power variables
    // are updated with no control dependency on ApplyAdam, so they race with it
    Operand<T> beta1Power = scope.withName("beta1_power").math.pow(beta1, t);
    Operand<T> beta2Power = scope.withName("beta2_power").math.pow(beta2, t);
    // ApplyAdam adds its epsilon to sqrt(v) (the "epsilon hat" form); feeding
    // eps_hat = eps * sqrt(1 - beta2^t) makes its update Algorithm 1's, mhat / (sqrt(vhat) + eps)
    Operand<T> epsHat = scope.withName("epsilon_hat").math.mul(eps,
        scope.math.sqrt(scope.math.sub(c(scope, 1.0, type), beta2Power)));
    int ns = AdamRule.SLOTS.size();
    List<Op> computed = new ArrayList<>();
    List<RuleOptimizer.Writer> writes = new ArrayList<>();
    computed.add(loss);
    computed.add(t);
    computed.add(beta1Power);
    computed.add(beta2Power);
    computed.add(epsHat);
    computed.addAll(grads);
    for (int i = 0; i < psi.size(); i++) {
      Variable<T> var = psi.variable(i);
      Variable<T> m = slots.variable(i * ns);
      Variable<T> v = slots.variable(i * ns + 1);
      Operand<T> g = grads.get(i);
      String name = "adam_" + psi.names().get(i);
      // ApplyAdam updates psi, m and v in place; it runs under the step's control dependencies
      // (every read of the gate: alpha, the validation loss and its gradients are among them)
      writes.add(deps -> deps.withName(name).train.applyAdam(var, m, v, beta1Power, beta2Power, metaLr,
          beta1, beta2, epsHat, g));
    }
    writes.add(new RuleOptimizer.Write<>(counter.variable(0), t));
    return new MetaStep<>(theta, loss, List.copyOf(grads), slots, counter,
        List.copyOf(computed), List.copyOf(writes));
  }

  private static <T extends TFloating> Operand<T> c(Ops tf, double v, Class<T> type) {
    return tf.dtypes.cast(tf.constant(v), type);
  }

  /** {@code theta'}: the look-ahead parameters the validation loss is taken at. */
  public List<Operand<T>> lookAhead() {
    return lookAhead;
  }

  /** {@code L_val(theta')}. */
  public Operand<T> validationLoss() {
    return validationLoss;
  }

  /** {@code d L_val / d psi}, in the gate's parameter order (the meta-gradient). */
  public List<Operand<T>> gateGradients() {
    return gateGradients;
  }

  /** Everything the writes must wait for (pass to {@link RuleOptimizer#applyUpdate}). */
  public List<Op> computed() {
    return computed;
  }

  /**
   * The gate and meta-Adam writes (pass to {@link RuleOptimizer#applyUpdate}, with
   * {@link #computed()} as what they wait for): one fused in-place {@code ApplyAdam} per gate
   * parameter and the meta counter's assignment.
   */
  public List<RuleOptimizer.Writer> writes() {
    return writes;
  }

  /** Zeroes the meta-Adam slots and counter (one session run each). */
  public void reset(Session session, long seed) {
    slots.initialize(session, seed);
    counter.initialize(session, seed);
  }
}
