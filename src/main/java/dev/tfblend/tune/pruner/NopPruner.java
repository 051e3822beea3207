package dev.tfblend.tune.pruner;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;

/** Never prunes (Optuna's {@code NopPruner}). */
public final class NopPruner implements Pruner {
  @Override
  public boolean prune(Study study, FrozenTrial trial) {
    return false;
  }
}
