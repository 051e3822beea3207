package dev.tfblend.config;

import dev.tfblend.BadInputException;
import java.util.List;

/**
 * Which data a run trains on.
 *
 * @param source {@code mnist1d} (default: the MNIST-1D data set with its default generator
 *     settings) or {@code blobs} (a small synthetic set of Gaussian clusters, for smoke tests)
 * @param seed the data generator's seed; {@code null} means the source's default
 */
public record DataConfig(String source, Long seed) {
  /** Known sources. */
  public static final List<String> SOURCES = List.of("mnist1d", "blobs");

  /** MNIST-1D with its default seed. */
  public static DataConfig defaults() {
    return new DataConfig("mnist1d", null);
  }

  /** Checks the fields, naming the bad one. */
  public DataConfig validated() {
    if (source == null || !SOURCES.contains(source)) {
      throw BadInputException.of("data.source must be one of %s, got %s", SOURCES, source);
    }
    return this;
  }
}
