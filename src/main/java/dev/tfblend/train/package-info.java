/**
 * Training on a graph: {@link dev.tfblend.train.TrainingGraph} (one Graph + Session with the
 * {@code train_step}, {@code evaluate} and {@code predict} functions), the
 * {@link dev.tfblend.train.StepBuilder} plug-in point for optimizers
 * ({@link dev.tfblend.train.RuleStepBuilder} for Adam and SGD), {@link dev.tfblend.train.Optimizers}
 * (names, defaults), and the {@link dev.tfblend.train.Trainer} loop.
 */
package dev.tfblend.train;
