package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.DataConfig;
import dev.tfblend.data.DataSplits;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.data.Mnist1d;
import dev.tfblend.data.Mnist1dConfig;
import dev.tfblend.data.Mnist1dData;

/** Turns a {@link DataConfig} into {@link DataSplits}. */
public final class DataSources {
  /** Default seed of the {@code blobs} source. */
  public static final long BLOBS_DEFAULT_SEED = 0;

  private DataSources() {}

  /**
   * Loads the data a config names.
   *
   * <p>{@code mnist1d}: {@link Mnist1d} with {@link Mnist1dConfig#defaults()} (the given seed
   * replacing the default one), split by {@link DataSplits#of}. {@code blobs}: 40 features, 10
   * classes, noise 2.0; 1,000 training, 300 validation and 300 test rows sharing the class
   * centres drawn from the seed.
   *
   * <p>{@code data.validation} then picks the rows returned as the validation split: the held-out
   * split ({@code holdout}), the test split ({@code test}) or the training split itself
   * ({@code train}); the training and test splits are the same in every mode.
   */
  public static DataSplits load(DataConfig config) {
    config.validated();
    DataSplits splits = split(config);
    return switch (config.validationMode()) {
      case "test" -> new DataSplits(splits.train(), splits.test(), splits.test());
      case "train" -> new DataSplits(splits.train(), splits.train(), splits.test());
      default -> splits;
    };
  }

  private static DataSplits split(DataConfig config) {
    return switch (config.source()) {
      case "blobs" -> {
        long seed = config.seed() == null ? BLOBS_DEFAULT_SEED : config.seed();
        yield new DataSplits(
            GaussianBlobs.generate(1000, 40, 10, 2.0, seed, 0),
            GaussianBlobs.generate(300, 40, 10, 2.0, seed, 1),
            GaussianBlobs.generate(300, 40, 10, 2.0, seed, 2));
      }
      case "mnist1d" -> {
        if (config.seed() == null && config.validationSize() == null && config.splitSeed() == null) {
          yield DataSplits.mnist1dDefault();
        }
        Mnist1dData data = config.seed() == null
            ? Mnist1d.defaultData()
            : Mnist1d.generate(Mnist1dConfig.defaults().withSeed(config.seed()));
        yield DataSplits.of(data,
            config.validationSize() == null ? DataSplits.DEFAULT_VALIDATION_SIZE : config.validationSize(),
            config.splitSeed() == null ? DataSplits.DEFAULT_SPLIT_SEED : config.splitSeed());
      }
      default -> throw BadInputException.of("data.source must be one of %s, got %s",
          DataConfig.SOURCES, config.source());
    };
  }
}
