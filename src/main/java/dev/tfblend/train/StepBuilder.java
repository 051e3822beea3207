package dev.tfblend.train;

import java.util.Map;

/**
 * Builds the update part of a training graph's {@code train_step}: one per optimizer kind
 * ({@link RuleStepBuilder} for Adam and momentum SGD; the blended optimizer plugs in its own,
 * whose step also runs the meta step).
 *
 * <p>Call order: {@link TrainingGraph#create} builds the model, the batch loss and its gradients,
 * then calls {@link #build} exactly once with a {@link StepContext}, then runs the returned
 * {@link TrainStep}'s {@link TrainStep#target()} once per training step. Between trials it calls
 * {@link TrainStep#reset} and {@link TrainStep#setHyperparameters}.
 *
 * <p>Implementations must not create variables outside their own sub-scope and must not assign
 * anything but the model parameters and their own state.
 */
public interface StepBuilder {

  /** The optimizer's name as used in configs and results ({@code adam}, {@code sgd}, ...). */
  String name();

  /**
   * Hyperparameter names and defaults, in a stable order. These are the keys {@code --set}
   * accepts for this optimizer.
   */
  Map<String, Double> hyperparameterDefaults();

  /** Adds the update (and any extra) operations to the graph; called once per graph. */
  TrainStep build(StepContext context);
}
