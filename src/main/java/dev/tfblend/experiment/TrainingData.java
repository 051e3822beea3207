package dev.tfblend.experiment;

import dev.tfblend.data.Dataset;

/**
 * The three splits a run uses: it trains on {@code train}, evaluates on {@code validation} after
 * every epoch (and draws any meta-batches from it), and on {@code test} once at the end.
 */
public record TrainingData(Dataset train, Dataset validation, Dataset test) {}
