package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import dev.tfblend.optim.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The one-step meta step that trains the gate:
 *
 * <pre>
 *   theta'   = theta + alpha(psi) * adam_increment + (1 - alpha(psi)) * sgd_increment   (not assigned)
 *   L_val    = loss(theta'; validation batch)
 *   grad_psi = d L_val / d psi                      (psi = the gate's ParameterSet only)
 *   psi     <- psi + AdamRule(grad_psi)             (meta Adam at meta_lr)
 * </pre>
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
 *   <li>the meta-Adam increment of {@code psi};
 *   <li>all writes, each waiting for all of 1-5: {@code theta_{t+1} = theta'} (with
 *       {@code alpha_t}, i.e. the alpha from before the gate update), the slots, the counters,
 *       {@code psi_{t+1}} and the meta-Adam slots.
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
  private final List<Operand<T>> gateIncrements;
  private final ParameterSet<T> slots;
  private final ParameterSet<T> counter;
  private final List<Op> computed;
  private final List<DynamicBlendedOptimizer.Write<?>> writes;

  private MetaStep(GatingNetwork<T> gate, List<Operand<T>> lookAhead, Operand<T> validationLoss,
      List<Operand<T>> gateGradients, List<Operand<T>> gateIncrements, ParameterSet<T> slots,
      ParameterSet<T> counter, List<Op> computed, List<DynamicBlendedOptimizer.Write<?>> writes) {
    this.gate = gate;
    this.lookAhead = lookAhead;
    this.validationLoss = validationLoss;
    this.gateGradients = gateGradients;
    this.gateIncrements = gateIncrements;
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
    AdamRule<T> metaAdam = AdamRule.of(metaLr, c(scope, AdamRule.DEFAULT_BETA1, type),
        c(scope, AdamRule.DEFAULT_BETA2, type), c(scope, AdamRule.DEFAULT_EPS, type));
    ParameterSet.Builder<T> sb = ParameterSet.builder(scope.withSubScope("slots"), type);
    for (int i = 0; i < psi.size(); i++) {
      for (String s : metaAdam.slotNames()) {
        sb.add(psi.names().get(i) + "/" + s, psi.shape(i), Init.zeros());
      }
    }
    ParameterSet<T> slots = sb.build();
    ParameterSet<T> counter = ParameterSet.builder(scope, type).add("step", new long[0], Init.zeros()).build();
    Operand<T> t = scope.withName("t").math.add(counter.value(0), c(scope, 1.0, type));
    int ns = metaAdam.slotNames().size();
    List<Op> computed = new ArrayList<>();
    List<DynamicBlendedOptimizer.Write<?>> writes = new ArrayList<>();
    List<Operand<T>> increments = new ArrayList<>();
    computed.add(loss);
    computed.add(t);
    for (int i = 0; i < psi.size(); i++) {
      UpdateRule.Update<T> u = metaAdam.update(scope.withSubScope("adam_" + psi.names().get(i)), grads.get(i),
          psi.value(i), slots.values().subList(i * ns, (i + 1) * ns), t);
      Operand<T> next = scope.withName("next_" + psi.names().get(i)).math.add(psi.value(i), u.increment());
      increments.add(u.increment());
      computed.add(next);
      computed.addAll(u.nextSlots());
      writes.add(new DynamicBlendedOptimizer.Write<>(psi.variable(i), next));
      for (int k = 0; k < ns; k++) {
        writes.add(new DynamicBlendedOptimizer.Write<>(slots.variable(i * ns + k), u.nextSlots().get(k)));
      }
    }
    writes.add(new DynamicBlendedOptimizer.Write<>(counter.variable(0), t));
    return new MetaStep<>(gate, theta, loss, List.copyOf(grads), List.copyOf(increments), slots, counter,
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

  /** The meta-Adam increments of the gate's parameters. */
  public List<Operand<T>> gateIncrements() {
    return gateIncrements;
  }

  /** Everything the writes must wait for (pass to {@link DynamicBlendedOptimizer#applyUpdate}). */
  public List<Op> computed() {
    return computed;
  }

  /** The gate and meta-Adam writes (pass to {@link DynamicBlendedOptimizer#applyUpdate}). */
  public List<DynamicBlendedOptimizer.Write<?>> writes() {
    return writes;
  }

  /** Zeroes the meta-Adam slots and counter (one session run each). */
  public void reset(Session session, long seed) {
    slots.initialize(session, seed);
    counter.initialize(session, seed);
  }
}
