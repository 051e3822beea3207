/**
 * MNIST-1D and the plumbing around it, with no TensorFlow types: {@link
 * dev.tfblend.data.Mnist1d} (a faithful port of the official generator, configured by {@link
 * dev.tfblend.data.Mnist1dConfig}), {@link dev.tfblend.data.DataSplits} (train / validation /
 * test), {@link dev.tfblend.data.Batches} (seeded per-epoch mini-batch order) and {@link
 * dev.tfblend.data.DatasetCsv} (the reference CSV format).
 *
 * <p>Package-private helpers reproduce numpy's legacy random state ({@code LegacyRandomState}),
 * numpy's summation and scipy's filter and interpolation ({@code NumpyOps}), and correctly rounded
 * {@code log}/{@code exp} ({@code CorrectlyRounded}).
 */
package dev.tfblend.data;
