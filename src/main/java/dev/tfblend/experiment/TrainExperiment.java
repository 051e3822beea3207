package dev.tfblend.experiment;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.config.DataConfig;
import dev.tfblend.config.TrainConfig;
import dev.tfblend.data.DataSplits;
import dev.tfblend.data.Mnist1dConfig;
import dev.tfblend.data.Batches;
import dev.tfblend.export.GateExporter;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.io.OutputDir;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.AlphaTrace;
import dev.tfblend.train.BlendedStep;
import dev.tfblend.train.BlendOptions;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.StepBuilder;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
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
 *       stopped early, for the blend {@code alpha_trace} and {@code update_norms_per_step}
 *       ({@code adam}, {@code sgd}: the norms of both candidate updates per step), and
 *       {@code step_outputs} when the optimizer records other per-step values;
 *   <li>{@code manifest.json}: the full config, {@code data_resolved} (the data settings used,
 *       the source's defaults filled in for unset fields), seeds, versions, git commit,
 *       start time;
 *   <li>{@code tensorboard/}: the run as TensorBoard logs, written after training from the
 *       recorded values ({@link RunEvents}: losses and validation accuracy per epoch, the
 *       blend's alpha per step, the hyperparameters as text);
 *   <li>{@code saved-model/}: the trained classifier ({@link SavedModelExporter});
 *   <li>for the {@code blended} optimizer, {@code gate/}: the trained (or frozen) gate
 *       ({@link GateExporter}), and in {@code result.json} an {@code alpha_trace}
 *       ({@link AlphaTrace#toJson()}: per-epoch min/mean/max and every step's alpha).
 * </ul>
 * For every optimizer with a {@code total_steps} hyperparameter ({@code blended}'s
 * {@code gradient-stats} progress feature, the schedules of {@code scheduled-blend} and
 * {@code adam-cosine}), {@code params.total_steps} defaults to {@code epochs x} batches per epoch;
 * for {@code blended} with a given gate,
 * {@code params.gate_hidden} to the gate's width; {@code params} in {@code result.json} are the
 * values used.
 * {@code train_loss} is the loss over the whole training split at the end of the epoch;
 * {@code wall_seconds} runs from the start (data generation, graph building, training,
 * evaluation) to the end of training, before the export.
 */
public final class TrainExperiment {
  private TrainExperiment() {}

  /**
   * The {@code blended} optimizer's gate options as given on the command line.
   *
   * @param gateInput {@code flat-gradients} or {@code gradient-stats}, or {@code null} (the given
   *     gate's mode, else {@code flat-gradients})
   * @param gate a gate SavedModel directory ({@link GateExporter}) to start from, or {@code null}
   * @param freezeGate apply {@code gate} as is, with no meta step
   * @param gateOutput {@code global} or {@code per-tensor}, or {@code null} ({@code global})
   */
  public record GateChoice(String gateInput, Path gate, boolean freezeGate, String gateOutput) {
    /** A choice with the default ({@code global}) gate output. */
    public GateChoice(String gateInput, Path gate, boolean freezeGate) {
      this(gateInput, gate, freezeGate, null);
    }

    /** No gate options (a fresh {@code flat-gradients} gate for {@code blended}). */
    public static GateChoice none() {
      return new GateChoice(null, null, false, null);
    }

    boolean isNone() {
      return gateInput == null && gate == null && !freezeGate && gateOutput == null;
    }
  }

  /** Returns the run's figures after writing {@code out} (no gate options). */
  public static Trainer.Result run(TrainConfig config, Path out, Trainer.EpochListener listener) {
    return run(config, GateChoice.none(), out, false, listener);
  }

  /**
   * Checks {@code choice} against {@code config} and loads a given gate.
   *
   * @throws BadInputException when gate options are given for another optimizer, the gate input
   *     is unknown, {@code --freeze-gate} has no {@code --gate}, the gate does not load, or a
   *     {@code flat-gradients} gate belongs to a model of another shape (naming both shapes)
   */
  public static BlendOptions blendOptions(TrainConfig config, GateChoice choice) {
    if (!config.optimizer().equals("blended")) {
      if (!choice.isNone()) {
        throw BadInputException.of("--gate-input, --gate-output, --gate and --freeze-gate apply only to --optimizer blended"
            + " (the optimizer is %s)", config.optimizer());
      }
      return BlendOptions.defaults();
    }
    GateFeatures.Mode mode = choice.gateInput() == null ? null : GateFeatures.Mode.parse(choice.gateInput());
    if (choice.freezeGate() && choice.gate() == null) {
      throw BadInputException.of("--freeze-gate needs a trained gate: give --gate DIR");
    }
    GateOutput output = choice.gateOutput() == null ? GateOutput.GLOBAL : GateOutput.parse(choice.gateOutput());
    if (choice.gate() == null) {
      return BlendOptions.of(mode == null ? GateFeatures.Mode.FLAT_GRADIENTS : mode, output);
    }
    if (output != GateOutput.GLOBAL) {
      throw BadInputException.of("--gate-output per-tensor needs a fresh gate: a given gate (--gate) has one output");
    }
    GateWeights w = GateExporter.load(choice.gate());
    if (mode != null && mode != w.mode()) {
      throw BadInputException.of("--gate %s reads %s features, but --gate-input is %s", choice.gate(),
          w.mode().configName(), mode.configName());
    }
    Mlp mlp = config.model().toMlp();
    w.checkFitsModel("--gate " + choice.gate(), GateExporter.modelLayers(choice.gate()).orElse(null), mlp);
    return BlendOptions.fromGate(w, choice.freezeGate());
  }

  /**
   * The hyperparameters a run uses: the config's effective ones, with the defaults that depend on
   * the run filled in ({@code total_steps} of any optimizer that has it, a given gate's
   * {@code gate_hidden}) unless the config sets them.
   */
  public static Map<String, Double> runParams(TrainConfig config, BlendOptions blend, int trainSize) {
    Map<String, Double> params = new LinkedHashMap<>(config.effectiveParams());
    if (params.containsKey("total_steps") && !config.params().containsKey("total_steps")) {
      params.put("total_steps", (double) config.epochs() * Batches.numBatches(trainSize, config.batchSize()));
    }
    if (config.optimizer().equals("blended")) {
      if (blend.initialGate() != null && !config.params().containsKey("gate_hidden")) {
        params.put("gate_hidden", (double) blend.initialGate().hidden().get(0));
      }
    }
    return params;
  }

  /**
   * Returns the run's figures after writing {@code out}, with the gate options {@code choice}.
   * A run whose training loss becomes non-finite writes {@code result.json} (with its
   * {@code stop_reason}) and {@code manifest.json} but no model, then throws
   * {@link DivergedException}.
   *
   * @param force allow replacing an earlier {@code train} output inside {@code saved-models/}
   * @throws DivergedException after writing {@code out}, when the training loss became non-finite
   */
  public static Trainer.Result run(TrainConfig config, GateChoice choice, Path out, boolean force,
      Trainer.EpochListener listener) {
    config.validated();
    BlendOptions blend = blendOptions(config, choice);
    long start = System.nanoTime();
    Instant started = Instant.now();
    try (OutputDir dir = OutputDir.stage(out, "train", force)) {
      DataSplits data = DataSources.load(config.data());
      Mlp mlp = DataSources.model(config.model(), config.data(), data);
      if (mlp.inputSize() != data.train().numFeatures()) {
        throw BadInputException.of("model.layers starts with %s inputs but the data (%s) has %s features",
            mlp.inputSize(), config.data().source(), data.train().numFeatures());
      }
      if (mlp.numClasses() != data.train().numClasses()) {
        throw BadInputException.of("model.layers ends with %s outputs but the data (%s) has %s classes",
            mlp.numClasses(), config.data().source(), data.train().numClasses());
      }
      Map<String, Double> params = runParams(config, blend, data.train().size());
      Trainer.Result result;
      double[][] trained;
      GateWeights gate = null;
      Map<String, Double> sharedState;
      StepBuilder builder = Optimizers.stepBuilder(config.optimizer(), params, blend);
      try (TrainingGraph g = TrainingGraph.create(mlp, builder)) {
        g.loadData(data.train(), data.validation(), data.test());
        g.reinitialize(config.seed(), params);
        result = Trainer.run(g, new Trainer.Settings(config.epochs(), config.batchSize(), config.seed()), listener);
        trained = g.parameterValues();
        gate = g.step().gateWeights(g.session()).orElse(null);
        sharedState = g.step().sharedState(g.session());
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Map<String, Object> manifest = manifest(config, params, choice, started, data);
      RunEvents.write(dir.path().resolve(RunEvents.DIR), params, result.epochs(), result.stepOutputs(),
          result.stopReason() == null ? null : "stopped early: " + result.stopReason());
      if (result.stopReason() != null) {
        writeJson(dir.path().resolve("result.json"), withState(resultJson(config, params, result, wall), sharedState));
        writeJson(dir.path().resolve("manifest.json"), manifest);
        dir.commit();
        throw new DivergedException(result.stopReason(), out);
      }
      Map<String, Object> modelRun = new LinkedHashMap<>();
      modelRun.put("config", config);
      modelRun.put("test_accuracy", result.testAccuracy());
      SavedModelExporter.export(mlp, trained, dir.path().resolve("saved-model"), single("run", modelRun));
      if (gate != null) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("config", config);
        run.put("seed", config.seed());
        run.put("params", JsonParams.of(params));
        run.put("started_from", choice.gate() == null ? null : choice.gate().toString());
        run.put("frozen", blend.freezeGate());
        run.put("test_accuracy", result.testAccuracy());
        GateExporter.export(gate, mlp, dir.path().resolve("gate"), single("run", run));
      }
      writeJson(dir.path().resolve("result.json"), withState(resultJson(config, params, result, wall), sharedState));
      writeJson(dir.path().resolve("manifest.json"), manifest);
      dir.commit();
      return result;
    }
  }

  /** {@code result} with {@code optimizer_state} (the optimizer's shared state at the end) when there is one. */
  private static Map<String, Object> withState(Map<String, Object> result, Map<String, Double> state) {
    if (!state.isEmpty()) {
      result.put("optimizer_state", state);
    }
    return result;
  }

  /** The result object written to {@code result.json}. */
  static Map<String, Object> resultJson(TrainConfig config, Map<String, Double> params, Trainer.Result r,
      double wallSeconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("optimizer", config.optimizer());
    m.put("params", JsonParams.of(params));
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
    if (AlphaTrace.present(r)) {
      m.put("alpha_trace", AlphaTrace.of(r).toJson());
    }
    if (params.containsKey(BlendedStep.Horizon.UNROLL)) {
      m.put("meta_gradient", metaGradient(BlendedStep.Horizon.of(params)));
    }
    Map<String, double[]> others = new LinkedHashMap<>(r.stepOutputs());
    others.remove(AlphaTrace.OUTPUT);
    if (others.containsKey(AlphaTrace.ADAM_NORM) && others.containsKey(AlphaTrace.SGD_NORM)) {
      Map<String, double[]> norms = new LinkedHashMap<>();
      norms.put("adam", others.remove(AlphaTrace.ADAM_NORM));
      norms.put("sgd", others.remove(AlphaTrace.SGD_NORM));
      m.put("update_norms_per_step", norms);
    }
    if (!others.isEmpty()) {
      m.put("step_outputs", others);
    }
    return m;
  }

  /**
   * How the blend's meta-gradient was taken: {@code unroll} (K), {@code kind} ({@code exact}, with
   * the second-order terms, or {@code first-order}) and {@code applied} ({@code first} or {@code all}
   * of the K look-ahead steps).
   */
  static Map<String, Object> metaGradient(BlendedStep.Horizon h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("unroll", h.steps());
    m.put("kind", h.metaGradient());
    m.put("applied", h.applyAll() ? "all" : "first");
    return m;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static Map<String, Object> manifest(TrainConfig config, Map<String, Double> params, GateChoice choice,
      Instant started, DataSplits data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "train");
    m.put("started", started.toString());
    m.put("config", config);
    Map<String, Object> resolved = resolvedData(config.data());
    m.put("data_resolved", resolved);
    m.put("effective_params", JsonParams.of(params));
    if (config.optimizer().equals("blended")) {
      Map<String, Object> gate = new LinkedHashMap<>();
      gate.put("gate_input", choice.gateInput());
      gate.put("gate_output", choice.gateOutput() == null ? GateOutput.GLOBAL.configName() : choice.gateOutput());
      gate.put("gate", choice.gate() == null ? null : choice.gate().toString());
      gate.put("freeze_gate", choice.freezeGate());
      m.put("blend", gate);
    }
    Map<String, Object> seeds = new LinkedHashMap<>();
    seeds.put("model_init", config.seed());
    seeds.put("batch_order", config.seed());
    seeds.put("meta_batch", config.seed());
    if (params.getOrDefault(BlendedStep.Horizon.UNROLL, 1.0) > 1) {
      seeds.put("lookahead_batches", config.seed());
    }
    seeds.put("data", resolved.get("seed"));
    m.put("seeds", seeds);
    Map<String, Object> sizes = new LinkedHashMap<>();
    sizes.put("train", data.train().size());
    sizes.put("validation", data.validation().size());
    sizes.put("test", data.test().size());
    m.put("data_sizes", sizes);
    m.put("build", BuildInfo.asMap());
    return m;
  }

  /**
   * The data settings a run actually uses, with the source's defaults filled in where the config
   * leaves them unset: {@code source}, {@code seed}, and for {@code mnist1d}
   * {@code validation_size} and {@code split_seed}.
   */
  static Map<String, Object> resolvedData(DataConfig data) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", data.source());
    switch (data.source()) {
      case "blobs" -> m.put("seed", data.seed() == null ? DataSources.BLOBS_DEFAULT_SEED : data.seed());
      case "mnist1d" -> {
        m.put("seed", data.seed() == null ? Mnist1dConfig.defaults().seed() : data.seed());
        m.put("validation_size",
            data.validationSize() == null ? DataSplits.DEFAULT_VALIDATION_SIZE : data.validationSize());
        m.put("split_seed", data.splitSeed() == null ? DataSplits.DEFAULT_SPLIT_SEED : data.splitSeed());
      }
      case "csv" -> {
        m.put("train", data.train());
        m.put("test", data.test());
        m.put("validation_size",
            data.validationSize() == null ? DataSplits.DEFAULT_VALIDATION_SIZE : data.validationSize());
        m.put("split_seed", data.splitSeed() == null ? DataSplits.DEFAULT_SPLIT_SEED : data.splitSeed());
      }
      default -> throw BadInputException.of("data.source must be one of %s, got %s", DataConfig.SOURCES,
          data.source());
    }
    if (data.validation() != null && !data.validation().equals("holdout")) {
      m.put("validation", data.validation() + " (" + DataConfig.validationLabel(data.validation()) + ")");
    }
    return m;
  }

  private static Map<String, Object> single(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(key, value);
    return m;
  }

  private static void writeJson(Path file, Object value) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    AtomicFile.write(file, "--out", w -> mapper.writeValue(w, value));
  }

  /**
   * A {@code train} run whose training loss became non-finite: its {@code result.json} records
   * the reason and no model was exported. The message is one line for the user.
   */
  public static final class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DivergedException(String reason, Path out) {
      super("training diverged: " + reason + "; no model exported (" + out.resolve("result.json") + " has the run)");
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
