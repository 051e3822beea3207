package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.DataConfig;
import dev.tfblend.config.ModelConfig;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.model.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.tfblend.data.DataSplits;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.data.Mnist1dCache;
import dev.tfblend.data.Mnist1dConfig;

/** Turns a {@link DataConfig} into {@link DataSplits}. */
public final class DataSources {
  /** Default seed of the {@code blobs} source. */
  public static final long BLOBS_DEFAULT_SEED = 0;

  private DataSources() {}

  /**
   * Loads the data a config names.
   *
   * <p>{@code mnist1d}: {@link dev.tfblend.data.Mnist1d} with {@link Mnist1dConfig#defaults()}
   * (the given seed replacing the default one), kept on disk by {@link Mnist1dCache}, split by
   * {@link DataSplits#of}. {@code blobs}: 40 features, 10
   * classes, noise 2.0; 1,000 training, 300 validation and 300 test rows sharing the class
   * centres drawn from the seed. {@code csv}: see {@link #csv}.
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
        Mnist1dConfig generator = config.seed() == null ? Mnist1dConfig.defaults()
            : Mnist1dConfig.defaults().withSeed(config.seed());
        yield DataSplits.of(Mnist1dCache.data(generator),
            config.validationSize() == null ? DataSplits.DEFAULT_VALIDATION_SIZE : config.validationSize(),
            config.splitSeed() == null ? DataSplits.DEFAULT_SPLIT_SEED : config.splitSeed());
      }
      case "csv" -> csv(config);
      default -> throw BadInputException.of("data.source must be one of %s, got %s",
          DataConfig.SOURCES, config.source());
    };
  }

  /**
   * The user's files: {@code data.train} and {@code data.test} read by {@link
   * DatasetCsv#readLabelled} (a {@code label} first column, header line optional, and the same
   * feature columns in both); the classes are {@code 0} to the largest training label; the
   * validation rows are carved from the training file as for MNIST-1D ({@link
   * DataSplits#of(Dataset, Dataset, int, long)}).
   *
   * @throws BadInputException naming the file, line and column of a problem: no label column,
   *     a label that is negative or (in the test file) not a training class, a test file of
   *     another width, a value beyond float32, too few rows for the validation split
   */
  static DataSplits csv(DataConfig config) {
    DatasetCsv.Table train = DatasetCsv.readLabelled(Path.of(config.train()));
    DatasetCsv.Table test = DatasetCsv.readLabelled(Path.of(config.test()));
    for (DatasetCsv.Table t : List.of(train, test)) {
      if (!t.hasLabel()) {
        throw BadInputException.of("%s line 1 column 1: the first column must be 'label' (data.%s), got '%s'",
            t.file(), t == train ? "train" : "test", t.header().get(0).strip());
      }
      if (t.rows().length == 0) {
        throw BadInputException.of("%s: no data rows (data.%s)", t.file(), t == train ? "train" : "test");
      }
      t.rowsAsFloat32(); // refuses, by line and column, a value a float32 model cannot hold
    }
    if (test.width() != train.width()) {
      throw BadInputException.of("%s line 1: %d feature columns, but data.train %s has %d", test.file(),
          test.width(), train.file(), train.width());
    }
    int classes = 0;
    for (int i = 0; i < train.labels().length; i++) {
      if (train.labels()[i] < 0) {
        throw BadInputException.of("%s line %d column 1 ('label'): %d is negative; labels are classes 0, 1, ...",
            train.file(), train.lineNumbers()[i], train.labels()[i]);
      }
      classes = Math.max(classes, train.labels()[i] + 1);
    }
    if (classes < 2) {
      throw BadInputException.of("%s: every label is 0; a classifier needs at least two classes", train.file());
    }
    Dataset full = train.labelled(classes);
    Dataset testSet = test.labelled(classes);
    int validation = config.validationSize() == null ? DataSplits.DEFAULT_VALIDATION_SIZE : config.validationSize();
    if (validation >= full.size()) {
      throw BadInputException.of("data.validationSize %d: %s has only %d rows; set data.validationSize to a"
          + " smaller number of training rows to hold out for validation", validation, train.file(), full.size());
    }
    return DataSplits.of(full, testSet, validation,
        config.splitSeed() == null ? DataSplits.DEFAULT_SPLIT_SEED : config.splitSeed());
  }

  /**
   * The model a run builds: {@code model.layers} as given, except that for {@code data.source
   * csv} the input width and the number of classes follow the data (the first and last entries
   * are replaced by the files' feature count and class count).
   */
  public static Mlp model(ModelConfig model, DataConfig data, DataSplits splits) {
    if (!"csv".equals(data.source())) {
      return model.toMlp();
    }
    List<Integer> layers = new ArrayList<>(model.layers());
    layers.set(0, splits.train().numFeatures());
    layers.set(layers.size() - 1, splits.train().numClasses());
    return new ModelConfig(layers, model.activation(), model.init()).toMlp();
  }
}
