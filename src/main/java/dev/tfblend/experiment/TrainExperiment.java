package dev.tfblend.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.config.TrainConfig;
import dev.tfblend.data.DataSplits;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.io.OutputDir;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run as {@code tf-blend train} performs it: load the data, build the graph, train,
 * and write into {@code out} (staged, so a failed run leaves nothing under that name):
 * <ul>
 *   <li>{@code result.json}: {@code optimizer}, {@code params} (all hyperparameters),
 *       {@code seed}, {@code epochs} ({@code [{epoch, train_loss, val_loss, val_accuracy}]},
 *       epoch 0 = before training), {@code test_loss}, {@code test_accuracy},
 *       {@code steps_per_second}, {@code wall_seconds}; plus {@code stop_reason} when training
 *       stopped early and {@code step_outputs} when the optimizer records per-step values;
 *   <li>{@code manifest.json}: the full config, seeds, versions, git commit, start time;
 *   <li>{@code saved-model/}: the trained classifier ({@link SavedModelExporter}).
 * </ul>
 * {@code train_loss} is the loss over the whole training split at the end of the epoch;
 * {@code wall_seconds} runs from the start (data generation, graph building, training,
 * evaluation) to the end of training, before the export.
 */
public final class TrainExperiment {
  private TrainExperiment() {}

  /** Returns the run's figures after writing {@code out}. */
  public static Trainer.Result run(TrainConfig config, Path out, Trainer.EpochListener listener) {
    config.validated();
    long start = System.nanoTime();
    Instant started = Instant.now();
    try (OutputDir dir = OutputDir.stage(out)) {
      DataSplits data = DataSources.load(config.data());
      Mlp mlp = config.model().toMlp();
      if (mlp.inputSize() != data.train().numFeatures()) {
        throw BadInputException.of("model.layers starts with %s inputs but the data (%s) has %s features",
            mlp.inputSize(), config.data().source(), data.train().numFeatures());
      }
      if (mlp.numClasses() != data.train().numClasses()) {
        throw BadInputException.of("model.layers ends with %s outputs but the data (%s) has %s classes",
            mlp.numClasses(), config.data().source(), data.train().numClasses());
      }
      Map<String, Double> params = config.effectiveParams();
      Trainer.Result result;
      double[][] trained;
      try (TrainingGraph g = TrainingGraph.create(mlp, Optimizers.stepBuilder(config.optimizer(), params))) {
        g.loadData(data.train(), data.validation(), data.test());
        g.reinitialize(config.seed(), params);
        result = Trainer.run(g, new Trainer.Settings(config.epochs(), config.batchSize(), config.seed()), listener);
        trained = g.parameterValues();
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Map<String, Object> manifest = manifest(config, started, data);
      SavedModelExporter.export(mlp, trained, dir.path().resolve("saved-model"),
          Map.of("run", Map.of("config", config, "test_accuracy", result.testAccuracy())));
      write(dir.path().resolve("result.json"), resultJson(config, result, wall));
      write(dir.path().resolve("manifest.json"), manifest);
      dir.commit();
      return result;
    }
  }

  /** The result object written to {@code result.json}. */
  static Map<String, Object> resultJson(TrainConfig config, Trainer.Result r, double wallSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("optimizer", config.optimizer());
    m.put("params", config.effectiveParams());
    m.put("seed", config.seed());
    List<Map<String, Object>> epochs = new ArrayList<>();
    for (Trainer.EpochRecord e : r.epochs()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("epoch", e.epoch());
      row.put("train_loss", finiteOrNull(e.trainLoss()));
      row.put("val_loss", finiteOrNull(e.valLoss()));
      row.put("val_accuracy", finiteOrNull(e.valAccuracy()));
      epochs.add(row);
    }
    m.put("epochs", epochs);
    m.put("test_loss", finiteOrNull(r.testLoss()));
    m.put("test_accuracy", finiteOrNull(r.testAccuracy()));
    m.put("steps_per_second", finiteOrNull(r.stepsPerSecond()));
    m.put("wall_seconds", wallSeconds);
    if (r.stopReason() != null) {
      m.put("stop_reason", r.stopReason());
    }
    if (!r.stepOutputs().isEmpty()) {
      m.put("step_outputs", r.stepOutputs());
    }
    return m;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static Map<String, Object> manifest(TrainConfig config, Instant started, DataSplits data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "train");
    m.put("started", started.toString());
    m.put("config", config);
    m.put("effective_params", config.effectiveParams());
    Map<String, Object> seeds = new LinkedHashMap<>();
    seeds.put("model_init", config.seed());
    seeds.put("batch_order", config.seed());
    seeds.put("meta_batch", config.seed());
    seeds.put("data", config.data().seed());
    m.put("seeds", seeds);
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("train", data.train().size());
    sizes.put("validation", data.validation().size());
    sizes.put("test", data.test().size());
    m.put("data_sizes", sizes);
    m.put("build", BuildInfo.asMap());
    return m;
  }

  private static void write(Path file, Object value) {
    try {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
