package dev.tfblend.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tfblend.BadInputException;
import java.util.List;

/**
 * Which data a run trains on and how it is split.
 *
 * @param source {@code mnist1d} (default: MNIST-1D from the ported generator, split by
 *     {@code DataSplits}: 3,200 train, 800 validation, 1,000 test), {@code blobs} (a small
 *     synthetic set of Gaussian clusters, for smoke tests) or {@code csv} (the user's files
 *     {@code train} and {@code test})
 * @param seed the data generator's seed; {@code null} means the source's default (MNIST-1D's
 *     official seed); not used by {@code csv}
 * @param validationSize rows carved from the training samples (MNIST-1D's or the {@code train}
 *     file's) for validation; {@code null} means 800
 * @param splitSeed seed of that carving; {@code null} means 2020
 * @param validation which rows score the epochs and select the hyperparameters: {@code holdout}
 *     ({@code null} means it: the validation split held out of the training set), {@code test}
 *     (the test split: "test used for selection") or {@code train} (the training rows
 *     themselves: "not held out"); the training rows are the same in every mode
 * @param train for {@code csv}: the training file, as {@code tf-blend dataset} writes it
 *     ({@code label,x0,...,xN}, header line optional); relative paths are resolved against the
 *     working directory
 * @param test for {@code csv}: the test file, same columns as {@code train}
 */
public record DataConfig(String source, Long seed,
    @JsonProperty("validation_size") @JsonAlias("validationSize") Integer validationSize,
    @JsonProperty("split_seed") @JsonAlias("splitSeed") Long splitSeed,
    @JsonInclude(JsonInclude.Include.NON_NULL) String validation,
    @JsonInclude(JsonInclude.Include.NON_NULL) String train,
    @JsonInclude(JsonInclude.Include.NON_NULL) String test) {
  /** Known sources. */
  public static final List<String> SOURCES = List.of("mnist1d", "blobs", "csv");
  /** Known validation modes. */
  public static final List<String> VALIDATIONS = List.of("holdout", "test", "train");

  /** A data config whose validation rows are the held-out split. */
  public DataConfig(String source, Long seed, Integer validationSize, Long splitSeed) {
    this(source, seed, validationSize, splitSeed, null, null, null);
  }

  /** A generated source with the given validation mode. */
  public DataConfig(String source, Long seed, Integer validationSize, Long splitSeed, String validation) {
    this(source, seed, validationSize, splitSeed, validation, null, null);
  }

  /** The validation mode, {@code holdout} when none is given. */
  public String validationMode() {
    return validation == null ? "holdout" : validation;
  }

  /**
   * How a report labels figures on the validation rows of {@code mode}: empty for
   * {@code holdout}, {@code "test used for selection"} or {@code "not held out"}.
   */
  public static String validationLabel(String mode) {
    return switch (mode) {
      case "test" -> "test used for selection";
      case "train" -> "not held out";
      default -> "";
    };
  }

  /** MNIST-1D with its default seed and split. */
  public static DataConfig defaults() {
    return new DataConfig("mnist1d", null, null, null);
  }

  /** Checks the fields, naming the bad one. */
  public DataConfig validated() {
    if (source == null || !SOURCES.contains(source)) {
      throw BadInputException.of("data.source must be one of %s, got %s", SOURCES, source);
    }
    if (validation != null && !VALIDATIONS.contains(validation)) {
      throw BadInputException.of("data.validation must be one of %s, got %s", VALIDATIONS, validation);
    }
    if (source.equals("csv")) {
      if (train == null || train.isBlank() || test == null || test.isBlank()) {
        throw BadInputException.of("data.source csv needs data.train and data.test (CSV files as"
            + " 'tf-blend dataset' writes them: label,x0,...), got train %s, test %s", train, test);
      }
      if (seed != null) {
        throw BadInputException.of("data.seed does not apply to data.source csv (the files are the data)");
      }
    } else if (train != null || test != null) {
      throw BadInputException.of("data.train and data.test apply only to data.source csv (the source is %s)",
          source);
    }
    if (validationSize != null && validationSize < 1) {
      throw BadInputException.of("data.validation_size must be positive, got %s", validationSize);
    }
    if (seed != null && (seed < 0 || seed > 0xffffffffL)) {
      throw BadInputException.of("data.seed must be in [0, 4294967295], got %s", seed);
    }
    return this;
  }
}
