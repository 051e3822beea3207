package dev.tfblend.tune.storage;

import java.time.Clock;

class InMemoryStorageTest extends StorageContractTest {
  @Override
  protected TrialStorage newStorage(Clock clock) {
    return new InMemoryStorage(clock);
  }
}
