package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The blend of two update rules, each with its own learning rate, weighted by a scalar
 * {@code alpha}:
 *
 * <pre>
 *   increment = alpha * increment_a + (1 - alpha) * increment_b
 * </pre>
 *
 * <p>Each rule keeps its own slots and advances them every step whatever {@code alpha} is (Adam's
 * moments and the momentum buffer see every gradient), so {@code alpha = 1} reproduces rule
 * {@code a} exactly and {@code alpha = 0} rule {@code b} exactly. Slots are both rules' slots,
 * prefixed {@code a/} and {@code b/}: for Adam and momentum SGD {@code [a/m, a/v, b/momentum]}.
 *
 * <p>The blend is built in two phases so that {@code alpha} can depend on both rules' increments
 * (the gate's {@code gradient-stats} features do): {@link #parts} builds both rules' updates, and
 * {@link #blend} combines them with an {@code alpha} operand. {@link #update} does both with the
 * {@code alpha} given at construction. {@code alpha} is an operand, so gradients flow from the
 * blended increment back to whatever computed it (the meta step relies on this).
 *
 * @param <T> the floating type
 */
public final class BlendRule<T extends TFloating> implements UpdateRule<T> {
  private final UpdateRule<T> a;
  private final UpdateRule<T> b;
  private final Operand<T> alpha;
  private final List<String> slotNames;

  private BlendRule(UpdateRule<T> a, UpdateRule<T> b, Operand<T> alpha) {
    this.a = Preconditions.checkNotNull(a, "rule a");
    this.b = Preconditions.checkNotNull(b, "rule b");
    this.alpha = alpha;
    List<String> names = new ArrayList<>();
    a.slotNames().forEach(n -> names.add("a/" + n));
    b.slotNames().forEach(n -> names.add("b/" + n));
    this.slotNames = List.copyOf(names);
  }

  /**
   * A blend whose weight is supplied per step through {@link #blend} (the form
   * {@link DynamicBlendedOptimizer} uses); {@link #update} then throws.
   */
  public static <T extends TFloating> BlendRule<T> of(UpdateRule<T> a, UpdateRule<T> b) {
    return new BlendRule<>(a, b, null);
  }

  /** A blend with a fixed {@code alpha} operand (a scalar of the variables' type). */
  public static <T extends TFloating> BlendRule<T> of(UpdateRule<T> a, UpdateRule<T> b, Operand<T> alpha) {
    return new BlendRule<>(a, b, Preconditions.checkNotNull(alpha, "alpha"));
  }

  /** Rule {@code a} (weighted by {@code alpha}). */
  public UpdateRule<T> a() {
    return a;
  }

  /** Rule {@code b} (weighted by {@code 1 - alpha}). */
  public UpdateRule<T> b() {
    return b;
  }

  /**
   * True for a blend with a fixed {@code alpha} of two elementwise rules: the blend of their
   * increments is then elementwise too. A blend whose {@code alpha} is supplied per step (from all
   * gradients, by a gate) is not.
   */
  @Override
  public boolean elementwise() {
    return alpha != null && a.elementwise() && b.elementwise();
  }

  /**
   * True for a fixed-{@code alpha} blend of two rules that repeat in a loop: measured bit for bit
   * against one step per run ({@code EpochLoopTest}, and the 60 trials of a 30-trial
   * {@code constant-blend} and {@code scheduled-blend} study).
   */
  @Override
  public boolean repeatsInLoop() {
    return alpha != null && a.repeatsInLoop() && b.repeatsInLoop();
  }

  @Override
  public List<String> slotNames() {
    return slotNames;
  }

  /** Both rules' updates of one variable, before blending. */
  public record Parts<T extends TFloating>(Update<T> a, Update<T> b) {}

  /**
   * Builds both rules' updates of one variable ({@code slots} in {@link #slotNames()} order);
   * adds operations under {@code tf/a} and {@code tf/b}.
   */
  public Parts<T> parts(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    int na = a.slotNames().size();
    Preconditions.checkArgument(slots.size() == slotNames.size(),
        "blend needs slots %s, got %s", slotNames, slots.size());
    Update<T> ua = a.update(tf.withSubScope("a"), grad, param, slots.subList(0, na), step);
    Update<T> ub = b.update(tf.withSubScope("b"), grad, param, slots.subList(na, slots.size()), step);
    return new Parts<>(ua, ub);
  }

  /**
   * {@code alpha * a.increment + (1 - alpha) * b.increment}, and the next slots of both rules
   * ({@code a/...} then {@code b/...}).
   */
  public Update<T> blend(Ops tf, Operand<T> alpha, Parts<T> parts) {
    Ops s = tf.withSubScope("blend");
    Operand<T> one = s.dtypes.cast(s.constant(1.0f), alpha.type());
    Operand<T> increment = s.withName("increment").math.add(
        s.math.mul(alpha, parts.a().increment()),
        s.math.mul(s.math.sub(one, alpha), parts.b().increment()));
    List<Operand<T>> next = new ArrayList<>(parts.a().nextSlots());
    next.addAll(parts.b().nextSlots());
    return new Update<>(increment, next);
  }

  @Override
  public Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    Preconditions.checkState(alpha != null,
        "this BlendRule takes alpha per step: call parts() and blend(), or build it with an alpha");
    return blend(tf, alpha, parts(tf, grad, param, slots, step));
  }
}
