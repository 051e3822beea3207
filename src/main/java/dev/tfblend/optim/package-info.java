/**
 * Update rules as pure graph math: {@link dev.tfblend.optim.UpdateRule} (increment to add and next
 * slots, never assigns), {@link dev.tfblend.optim.AdamRule}, {@link dev.tfblend.optim.MomentumRule},
 * and {@link dev.tfblend.optim.Hyperparameters} (scalar operands held in variables so one graph
 * serves many trials).
 */
package dev.tfblend.optim;
