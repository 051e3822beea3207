/**
 * Runs as the user starts them: {@link dev.tfblend.experiment.TrainExperiment} (one training run
 * and its output directory), {@link dev.tfblend.experiment.DataSources} and
 * {@link dev.tfblend.experiment.GraphSnapshots} (the {@code graphs/} files).
 */
package dev.tfblend.experiment;
