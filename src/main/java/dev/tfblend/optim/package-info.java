/**
 * Update rules as pure graph math and the one optimizer that applies them:
 * {@link dev.tfblend.optim.UpdateRule} (increment to add and next slots, never assigns),
 * {@link dev.tfblend.optim.AdamRule}, {@link dev.tfblend.optim.MomentumRule} (both
 * {@link dev.tfblend.optim.ElementwiseRule}s),
 * {@link dev.tfblend.optim.BlendRule} weighted by an {@link dev.tfblend.optim.AlphaSource},
 * each rule's {@link dev.tfblend.optim.HyperparameterTable}, {@link dev.tfblend.optim.RuleOptimizer}
 * (the only writer of parameters, slots and step counters) and its Adam/SGD blend
 * {@link dev.tfblend.optim.DynamicBlendedOptimizer}, and {@link dev.tfblend.optim.Hyperparameters}
 * (scalar operands held in variables so one graph serves many trials). Imports nothing of
 * {@code meta}, {@code train}, {@code experiment} or {@code cli}.
 */
package dev.tfblend.optim;
