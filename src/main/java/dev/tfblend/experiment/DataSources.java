package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.DataConfig;
import dev.tfblend.data.GaussianBlobs;

/** Turns a {@link DataConfig} into {@link TrainingData}. */
public final class DataSources {
  /** Default seed of the {@code blobs} source. */
  public static final long BLOBS_DEFAULT_SEED = 0;

  private DataSources() {}

  /**
   * Loads the data a config names.
   *
   * <p>{@code blobs}: 40 features, 10 classes, noise 2.0; 1,000 training, 300 validation and 300
   * test rows sharing the class centres drawn from {@code seed}.
   */
  public static TrainingData load(DataConfig config) {
    config.validated();
    return switch (config.source()) {
      case "blobs" -> {
        long seed = config.seed() == null ? BLOBS_DEFAULT_SEED : config.seed();
        yield new TrainingData(
            GaussianBlobs.generate(1000, 40, 10, 2.0, seed, 0),
            GaussianBlobs.generate(300, 40, 10, 2.0, seed, 1),
            GaussianBlobs.generate(300, 40, 10, 2.0, seed, 2));
      }
      case "mnist1d" -> mnist1d(config);
      default -> throw BadInputException.of("data.source must be one of %s, got %s",
          DataConfig.SOURCES, config.source());
    };
  }

  private static TrainingData mnist1d(DataConfig config) {
    throw BadInputException.of(
        "data.source mnist1d: the MNIST-1D generator is not part of this build yet; use data.source=blobs");
  }
}
