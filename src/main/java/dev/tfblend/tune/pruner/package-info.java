/**
 * Pruners: {@link dev.tfblend.tune.pruner.Pruner} (one method), {@link
 * dev.tfblend.tune.pruner.NopPruner}, {@link dev.tfblend.tune.pruner.MedianPruner} and {@link
 * dev.tfblend.tune.pruner.PercentilePruner}, with Optuna's semantics.
 */
package dev.tfblend.tune.pruner;
