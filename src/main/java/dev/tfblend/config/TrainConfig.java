package dev.tfblend.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tfblend.BadInputException;
import dev.tfblend.train.Optimizers;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that determines a training run; with the same config, results are bit-identical.
 * JSON keys are the component names in snake_case ({@code batch_size}; the camelCase spelling is
 * read too); a config file may give any subset (the rest are {@link #defaults()}).
 *
 * @param optimizer {@code adam}, {@code sgd} or {@code blended} (see {@link Optimizers}; the blended
 *     optimizer's gate options are not part of the config: {@code TrainExperiment.GateChoice})
 * @param params hyperparameter overrides for the optimizer (for example {@code lr}), checked
 *     against its table ({@link Optimizers#table}); missing keys take the defaults and
 *     {@link #effectiveParams()} gives the full set
 * @param epochs passes over the training split (positive)
 * @param batchSize rows per step (positive; the last batch of an epoch may be smaller)
 * @param seed seeds model initialisation, batch order and any meta-batch sampling
 * @param model the MLP
 * @param data the data set
 */
public record TrainConfig(
    String optimizer,
    Map<String, Double> params,
    int epochs,
    @JsonProperty("batch_size") @JsonAlias("batchSize") int batchSize,
    long seed,
    ModelConfig model,
    DataConfig data) {

  public TrainConfig {
    params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** Adam, default hyperparameters, 10 epochs of batch 32, seed 0, the MNIST-1D MLP and data. */
  public static TrainConfig defaults() {
    return new TrainConfig("adam", Map.of(), 10, 32, 0, ModelConfig.defaults(), DataConfig.defaults());
  }

  /** Checks every field, naming the first bad one in a {@link BadInputException}. */
  public TrainConfig validated() {
    Optimizers.effective(optimizer, params);
    if (epochs <= 0) {
      throw BadInputException.of("epochs must be positive, got %s", epochs);
    }
    if (batchSize <= 0) {
      throw BadInputException.of("batch_size must be positive, got %s", batchSize);
    }
    if (model == null) {
      throw BadInputException.of("model is missing");
    }
    model.validated();
    if (data == null) {
      throw BadInputException.of("data is missing");
    }
    data.validated();
    return this;
  }

  /** The optimizer's defaults overridden by {@link #params()}, in the optimizer's key order. */
  public Map<String, Double> effectiveParams() {
    return Optimizers.effective(optimizer, params);
  }
}
