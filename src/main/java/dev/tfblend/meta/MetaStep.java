package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.DynamicBlendedOptimizer;
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
 *   psi     <- ApplyAdam(psi, grad_psi)             (meta Adam at meta_lr, fused, in place)
 * </pre>
 *
 * <p><b>The meta Adam.</b> The gate's update is never differentiated, so it uses TensorFlow's
 * fused in-place {@code ApplyAdam} kernel (one pass over each gate tensor; the flat-gradients
 * gate's first layer alone has {@code n_params x 32} values, 486,720 for the default MLP) rather
 * than {@link AdamRule}'s plain ops. With {@code t} the meta step's 1-based count, held in the
 * explicit counter {@code meta/step} (the beta powers are {@code pow(beta, t)} computed from it,
 * never the framework {@code Adam}'s racing beta-power variables), beta1 0.9, beta2 0.999 and
 * eps 1e-8:
 *
 * <pre>
 *   m   <- beta1 * m + (1 - beta1) * g
 *   v   <- beta2 * v + (1 - beta2) * g^2
 *   psi <- psi - meta_lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps_hat)
 * </pre>
 *
 * <b>Where epsilon goes:</b> the fused kernel implements the paper's "epsilon hat" form (Kingma
 * and Ba, end of section 2), epsilon added to {@code sqrt(v)}. We feed it
 * {@code eps_hat = eps * sqrt(1 - beta2^t)}, which makes the update exactly Algorithm 1's
 * {@code psi - meta_lr * mhat / (sqrt(vhat) + eps)}, the same placement as the model's
 * {@link AdamRule} and as the plain-op meta Adam this replaced. (Passing {@code eps} itself
 * would make the effective epsilon {@code sqrt(1 - beta2^t)} times Algorithm 1's, 32x smaller
 * at {@code t = 1}, which matters for near-zero entries of a flat-gradients gate's gradient.)
 * {@code MetaStepTest} checks the gate update against a double-precision reference of
 * Algorithm 1.
 *
 * <p><b>Same ops as training.</b> {@code theta'} is {@link DynamicBlendedOptimizer.Step#lookAhead()}
 * of the step the optimizer applies: the very operands it writes to the model, so the step
 * applied equals the look-ahead differentiated here by construction.
 *
 * <p><b>Order of operations in one {@code session.run}.</b>
 * <ol>
 *   <li>training batch loss and model gradients {@code g} at {@code theta_t};
 *   <li>both rules' increments and next slots from {@code g} and the slots at {@code t};
 *   <li>features and {@code alpha_t = gate(psi_t)}: computed with the gate <i>before</i> its
 *       update;
 *   <li>{@code theta'}, the validation loss at {@code theta'} and {@code grad_psi};
 *   <li>the meta-Adam bias corrections {@code beta^t} and {@code eps_hat};
 *   <li>all writes, each waiting for all of 1-5: {@code theta_{t+1} = theta'} (with
 *       {@code alpha_t}, i.e. the alpha from before the gate update), the slots, the counters,
 *       and the in-place {@code ApplyAdam} of {@code psi} and its meta-Adam slots. Because
 *       {@code ApplyAdam} overwrites the buffer the gate's reads alias, it must not start before
 *       every op reading the gate has run; those ops are all upstream of 3-4, which the writes
 *       wait for.
 * </ol>
 * The gate update therefore affects the next step's alpha, not this one's.
 *
 * <p><b>Which derivatives.</b> The only path from {@code psi} to {@code L_val} is {@code alpha}:
 * {@code d L_val/d psi = <d L_val/d theta', adam_increment - sgd_increment> * d alpha/d psi}.
 * The model gradients {@code g}, the increments and every gate feature are functions of
 * {@code theta_t} and the training batch only (upstream of {@code psi}), so they are constants
 * for this derivative without any {@code stop_gradient}; in {@code flat-gradients} mode the gate
 * reads {@code g} as data, as in the published method, where the gradients fed to the gate are
 * detached. Only first-order gradients are taken (no Hessian-vector products). A one-step
 * look-ahead is a truncation of length 1, so expect short-horizon bias.
 *
 * <p>Graph layout under the scope given ({@code meta/}): {@code validation_loss}, the gate
 * gradients, meta-Adam slots {@code slots/<gate param>/m|v} and counter {@code step}.
 *
 * @param <T> the floating type
 */
public final class MetaStep<T extends TFloating> {
  private final GatingNetwork<T> gate;
  private final List<Operand<T>> lookAhead;
  private final Operand<T> validationLoss;
  private final List<Operand<T>> gateGradients;
  private final ParameterSet<T> slots;
  private final ParameterSet<T> counter;
  private final List<Op> computed;
  private final List<DynamicBlendedOptimizer.Writer> writes;

  private MetaStep(GatingNetwork<T> gate, List<Operand<T>> lookAhead, Operand<T> validationLoss,
      List<Operand<T>> gateGradients, ParameterSet<T> slots, ParameterSet<T> counter, List<Op> computed,
      List<DynamicBlendedOptimizer.Writer> writes) {
    this.gate = gate;
    this.lookAhead = lookAhead;
    this.validationLoss = validationLoss;
    this.gateGradients = gateGradients;
    this.slots = slots;
    this.counter = counter;
    this.computed = computed;
    this.writes = writes;
  }

  /**
   * Builds the meta step for {@code step}, whose alpha must come from {@code gate}.
   *
   * @param scope ops under the meta step's scope (for example {@code tf.withSubScope("meta")})
   * @param step the optimizer's update of this step ({@link DynamicBlendedOptimizer#computeUpdate})
   * @param validationLoss the validation loss at given model parameter values (a scalar)
   * @param metaLr the meta learning rate (a scalar operand)
   */
  public static <T extends TFloating> MetaStep<T> build(Ops scope, GatingNetwork<T> gate,
      DynamicBlendedOptimizer.Step<T> step, Function<List<Operand<T>>, Operand<T>> validationLoss,
      Operand<T> metaLr) {
    Graph graph = (Graph) scope.scope().env();
    Class<T> type = gate.parameters().type();
    List<Operand<T>> theta = step.lookAhead();
    Operand<T> loss = scope.withName("validation_loss").identity(validationLoss.apply(theta));
    ParameterSet<T> psi = gate.parameters();
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
    // bias corrections from the explicit 1-based step (never the framework Adam's beta-power
    // variables, whose update races with ApplyAdam: TF-JAVA-NOTES)
    Operand<T> beta1Power = scope.withName("beta1_power").math.pow(beta1, t);
    Operand<T> beta2Power = scope.withName("beta2_power").math.pow(beta2, t);
    // ApplyAdam adds its epsilon to sqrt(v) (the "epsilon hat" form); feeding
    // eps_hat = eps * sqrt(1 - beta2^t) makes its update Algorithm 1's, mhat / (sqrt(vhat) + eps)
    Operand<T> epsHat = scope.withName("epsilon_hat").math.mul(eps,
        scope.math.sqrt(scope.math.sub(c(scope, 1.0, type), beta2Power)));
    int ns = AdamRule.SLOTS.size();
    List<Op> computed = new ArrayList<>();
    List<DynamicBlendedOptimizer.Writer> writes = new ArrayList<>();
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
    writes.add(new DynamicBlendedOptimizer.Write<>(counter.variable(0), t));
    return new MetaStep<>(gate, theta, loss, List.copyOf(grads), slots, counter,
        List.copyOf(computed), List.copyOf(writes));
  }

  private static <T extends TFloating> Operand<T> c(Ops tf, double v, Class<T> type) {
    return tf.dtypes.cast(tf.constant(v), type);
  }

  /** The gate trained. */
  public GatingNetwork<T> gate() {
    return gate;
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

  /** Everything the writes must wait for (pass to {@link DynamicBlendedOptimizer#applyUpdate}). */
  public List<Op> computed() {
    return computed;
  }

  /**
   * The gate and meta-Adam writes (pass to {@link DynamicBlendedOptimizer#applyUpdate}, with
   * {@link #computed()} as what they wait for): one fused in-place {@code ApplyAdam} per gate
   * parameter and the meta counter's assignment.
   */
  public List<DynamicBlendedOptimizer.Writer> writes() {
    return writes;
  }

  /** Zeroes the meta-Adam slots and counter (one session run each). */
  public void reset(Session session, long seed) {
    slots.initialize(session, seed);
    counter.initialize(session, seed);
  }
}
