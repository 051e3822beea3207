package dev.tfblend.data;

/**
 * One generated MNIST-1D data set, as the official {@code make_dataset} returns it.
 *
 * @param train the first {@code config.trainSize()} shuffled samples
 * @param test the remaining samples
 * @param t the time axis of a sample ({@code finalSeqLength} values), divided by the data's
 *     standard deviation as the official code does
 * @param templates the ten digit templates (10 x 12), whitened and divided by 6
 * @param config the arguments that produced it
 */
public record Mnist1dData(
    Dataset train, Dataset test, double[] t, double[][] templates, Mnist1dConfig config) {}
