package dev.tfblend.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.config.ConfigLoader;
import dev.tfblend.config.TrainConfig;
import dev.tfblend.experiment.TrainExperiment;
import dev.tfblend.train.Trainer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tf-blend train}: one training run (see {@link TrainExperiment}). */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    header = "Train the MLP with one optimizer (adam, sgd, blended).",
    description = {
      "Train the MLP on MNIST-1D (or your CSV files: --set data.source=csv --set data.train=FILE"
          + " --set data.test=FILE) with one optimizer; write result.json, manifest.json,"
          + " tensorboard/ and saved-model/ into --out (blended: also gate/, and the alpha trace in"
          + " result.json)."
          + " Progress: one line per epoch on stderr (--quiet: none; --json: one JSON object per epoch"
          + " on stdout)."
    })
public final class TrainCommand implements Callable<Integer> {
  /** Options named after the config fields they set (see {@link OptionFields}). */
  private static final List<String> CONFIG_OPTIONS = List.of("optimizer", "epochs", "batchSize", "seed");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--optimizer", description = "adam, sgd, blended, constant-blend, scheduled-blend, swats, hypergradient-blend or adam-cosine"
          + " (default: adam, or the config's)")
  String optimizer;

  @CommandLine.Mixin BlendOptions blend;

  @CommandLine.Mixin ConfigOptions common;

  @Option(names = "--batch-size", description = "Batch size (default: 32, or the config's).")
  Integer batchSize;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "Override a hyperparameter (lr, beta1, momentum, ...) or a config field (model.activation, data.source, ...). Repeatable.")
  List<String> sets = new ArrayList<>();

  @CommandLine.Mixin OutDirOptions output;

  @Option(names = {"-q", "--quiet"}, description = "No progress output.")
  boolean quiet;

  @Option(names = "--json", description = "Progress as one JSON object per epoch on stdout.")
  boolean json;

  @Override
  public Integer call() {
    Map<String, Object> options = OptionFields.given(spec, CONFIG_OPTIONS);
    List<String> allSets = new ArrayList<>(
        blend.unrollSettings(() -> ConfigLoader.resolve(common.config, options, sets).optimizer()));
    allSets.addAll(sets);
    TrainConfig cfg = ConfigLoader.resolve(common.config, options, allSets);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    ObjectMapper mapper = new ObjectMapper();
    Trainer.EpochListener listener = r -> {
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", r.epoch());
        line.put("epochs", cfg.epochs());
        line.put("train_loss", r.trainLoss());
        line.put("val_loss", r.valLoss());
        line.put("val_accuracy", r.valAccuracy());
        line.put("steps", r.steps());
        line.put("steps_per_second", Double.isFinite(r.stepsPerSecond()) ? r.stepsPerSecond() : null);
        try {
          stdout.println(mapper.writeValueAsString(line));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
        stdout.flush();
      } else if (!quiet) {
        err.println(String.format("epoch %3d/%d  train loss %.4f  val loss %.4f  val acc %.4f%s",
            r.epoch(), cfg.epochs(), r.trainLoss(), r.valLoss(), r.valAccuracy(),
            Double.isFinite(r.stepsPerSecond()) ? String.format("  %.0f steps/s", r.stepsPerSecond()) : ""));
        err.flush();
      }
    };
    Trainer.Result r = TrainExperiment.run(cfg, blend.gateChoice(), output.out, output.force,
        listener);
    if (r.stopReason() != null) {
      err.println("train: stopped early: " + r.stopReason());
    }
    if (!quiet && !json) {
      err.println(String.format("test loss %.4f  test acc %.4f  %.0f steps/s  -> %s",
          r.testLoss(), r.testAccuracy(), r.stepsPerSecond(), output.out));
    }
    err.flush();
    return 0;
  }
}
