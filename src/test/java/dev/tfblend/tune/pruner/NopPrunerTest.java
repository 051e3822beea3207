package dev.tfblend.tune.pruner;

class NopPrunerTest extends PrunerContractTest {
  @Override
  protected Pruner newPruner() {
    return new NopPruner();
  }
}
