package dev.tfblend.config;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param validation which rows score the epochs and select the hyperparameters: {@code holdout}
 *     ({@code null} means it: the validation split held out of the training set), {@code test}
 *     (the test split: "test used for selection") or {@code train} (the training rows
 *     themselves: "not held out"); the training rows are the same in every mode
 */
public record DataConfig(String source, Long seed, Integer validationSize, Long splitSeed,
    @JsonInclude(JsonInclude.Include.NON_NULL) String validation) {
  /** Known sources. */
  public static final List<String> SOURCES = List.of("mnist1d", "blobs");
  /** Known validation modes. */
  public static final List<String> VALIDATIONS = List.of("holdout", "test", "train");

  /** A data config whose validation rows are the held-out split. */
  public DataConfig(String source, Long seed, Integer validationSize, Long splitSeed) {
    this(source, seed, validationSize, splitSeed, null);
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
    if (validationSize != null && validationSize < 1) {
      throw BadInputException.of("data.validationSize must be positive, got %s", validationSize);
    }
    if (seed != null && (seed < 0 || seed > 0xffffffffL)) {
      throw BadInputException.of("data.seed must be in [0, 4294967295], got %s", seed);
    }
    return this;
  }
}
