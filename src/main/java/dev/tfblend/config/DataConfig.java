package dev.tfblend.config;

import dev.tfblend.BadInputException;
import java.util.List;

/**
 * Which data a run trains on and how it is split.
 *
 * @param source {@code mnist1d} (default: MNIST-1D from the ported generator, split by
 *     {@code DataSplits}: 3,200 train, 800 validation, 1,000 test) or {@code blobs} (a small
 *     synthetic set of Gaussian clusters, for smoke tests)
 * @param seed the data generator's seed; {@code null} means the source's default (MNIST-1D's
 *     official seed)
 * @param validationSize rows carved from MNIST-1D's training samples for validation;
 *     {@code null} means 800
 * @param splitSeed seed of that carving; {@code null} means 2020
 */
public record DataConfig(String source, Long seed, Integer validationSize, Long splitSeed) {
  /** Known sources. */
  public static final List<String> SOURCES = List.of("mnist1d", "blobs");

  /** MNIST-1D with its default seed and split. */
  public static DataConfig defaults() {
    return new DataConfig("mnist1d", null, null, null);
  }

  /** Checks the fields, naming the bad one. */
  public DataConfig validated() {
    if (source == null || !SOURCES.contains(source)) {
      throw BadInputException.of("data.source must be one of %s, got %s", SOURCES, source);
    }
    if (validationSize != null && validationSize < 1) {
      throw BadInputException.of("data.validationSize must be positive, got %s", validationSize);
    }
    if (seed != null && (seed < 0 || seed > 0xffffffffL)) {
      throw BadInputException.of("data.seed must be in [0, 4294967295], got %s", seed);
    }
    return this;
  }
}
