/**
 * Samplers: {@link dev.tfblend.tune.sampler.Sampler} (the contract), {@link
 * dev.tfblend.tune.sampler.RandomSampler} and {@link dev.tfblend.tune.sampler.TpeSampler}
 * (Optuna's TPE with its defaults, univariate or multivariate). The Parzen estimator and the
 * normal-distribution numerics are package-private.
 */
package dev.tfblend.tune.sampler;
