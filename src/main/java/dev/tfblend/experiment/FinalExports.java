package dev.tfblend.experiment;

import dev.tfblend.BuildInfo;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.TrainingGraph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Exports what a final run trained: the classifier, and for the blend its gate. */
final class FinalExports {
  private FinalExports() {}

  static void export(TrainingGraph graph, Mlp mlp, String study, String optimizer, Map<String, Double> params,
      long seed, TuneConfig config, Path classifierDir, Path gateDir) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("study", study);
    extra.put("optimizer", optimizer);
    extra.put("params", params);
    extra.put("seed", seed);
    extra.put("epochs", config.finalEpochs());
    extra.put("batch_size", config.batchSize());
    extra.put("versions", BuildInfo.asMap());
    SavedModelExporter.export(mlp, graph.parameterValues(), classifierDir, extra);
  }
}
