/**
 * The record of studies and trials: the {@link dev.tfblend.tune.storage.TrialStorage} contract
 * and {@link dev.tfblend.tune.storage.InMemoryStorage}. Every storage passes {@code
 * StorageContractTest}.
 */
package dev.tfblend.tune.storage;
