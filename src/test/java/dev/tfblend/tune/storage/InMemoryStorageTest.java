package dev.tfblend.tune.storage;

class InMemoryStorageTest extends StorageContractTest {
  @Override
  protected TrialStorage newStorage() {
    return new InMemoryStorage();
  }
}
