/**
 * A hyperparameter tuner that Optuna users recognise: {@link dev.tfblend.tune.Study}, live
 * {@link dev.tfblend.tune.Trial}s, immutable {@link dev.tfblend.tune.FrozenTrial} snapshots,
 * Optuna's distributions and trial states, and search spaces as JSON data ({@link
 * dev.tfblend.tune.SearchSpace}). Knows nothing of TensorFlow.
 *
 * <pre>{@code
 * TrialStorage storage = new InMemoryStorage();
 * Study study = Study.createOrLoad("lr-search", storage, StudyDirection.MINIMIZE,
 *     new TpeSampler(42), new MedianPruner());
 * study.budgetNotice(40).ifPresent(System.err::println);
 * study.optimize(trial -> {
 *   double lr = trial.suggestFloat("lr", 1e-4, 1e-1, true);
 *   double loss = Double.NaN;
 *   for (int epoch = 0; epoch < 20; epoch++) {
 *     loss = trainOneEpoch(lr);
 *     trial.report(loss, epoch);
 *     if (trial.shouldPrune()) {
 *       throw new TrialPrunedException();
 *     }
 *   }
 *   return loss;
 * }, 40, Duration.ofHours(1));
 * System.out.println(study.bestParams());
 * }</pre>
 *
 * <p>Samplers live in {@code tune.sampler}, pruners in {@code tune.pruner}, storages in {@code
 * tune.storage}.
 */
package dev.tfblend.tune;
