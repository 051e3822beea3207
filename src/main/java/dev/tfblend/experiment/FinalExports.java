package dev.tfblend.experiment;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.export.GateExporter;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.io.OutputDir;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.TrainingGraph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Exports what a final run trained: the classifier, and for the blend its gate. */
final class FinalExports {
  private FinalExports() {}

  static void export(TrainingGraph graph, Mlp mlp, String run, String study, String optimizer,
      Map<String, Double> params, long seed, TuneConfig config, Path classifierDir, Path gateDir) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("produced_by", "tf-blend tune");
    extra.put("tune_run", run);
    extra.put("study", study);
    extra.put("optimizer", optimizer);
    extra.put("params", JsonParams.of(params));
    extra.put("seed", seed);
    extra.put("epochs", config.finalEpochs());
    extra.put("batch_size", config.batchSize());
    extra.put("model_layers", mlp.layerSizes());
    extra.put("data", config.data());
    extra.put("data_resolved", TrainExperiment.resolvedData(config.data()));
    // staged then renamed: a resumed study replaces its models whole, an interrupted export
    // leaves the previous ones
    try (OutputDir out = OutputDir.stage(classifierDir, "tune", "--saved-models-dir", true)) {
      SavedModelExporter.export(mlp, graph.parameterValues(), out.path(), extra);
      out.commit();
    }
    Optional<GateWeights> gate = graph.step().gateWeights(graph.session());
    if (gate.isPresent()) {
      try (OutputDir out = OutputDir.stage(gateDir, "tune", "--saved-models-dir", true)) {
        GateExporter.export(gate.get(), mlp, out.path(), extra);
        out.commit();
      }
    }
  }
}
