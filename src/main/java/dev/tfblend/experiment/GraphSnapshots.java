package dev.tfblend.experiment;

import dev.tfblend.export.GraphDefWriter;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.TrainingGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GraphDef snapshots kept under {@code graphs/}: the default MLP's train step per optimizer
 * ({@code blended}: the default flat-gradients gate's train+meta step, about 700 ops), the
 * whole-epoch loop ({@code <optimizer>_train_epoch.pbtxt}, with its body and condition functions)
 * of each optimizer that has one, its
 * evaluation and its prediction, each as the subgraph that function runs. The graphs hold no
 * data and no initial values (data and parameters are assigned at run time), so they are
 * kilobytes and independent of the data set.
 */
public final class GraphSnapshots {
  private GraphSnapshots() {}

  /** File name ({@code *.pbtxt}) to text GraphDef, in a stable order. */
  public static Map<String, String> build() {
    Map<String, String> files = new LinkedHashMap<>();
    Mlp mlp = Mlp.defaults();
    for (String opt : Optimizers.names()) {
      try (TrainingGraph g = TrainingGraph.create(mlp, Optimizers.stepBuilder(opt, Map.of()))) {
        List<String> roots = new ArrayList<>(List.of("train_step/run", "train_step/loss"));
        files.put(opt + "_train_step.pbtxt", GraphDefWriter.subgraphText(g.graph(), roots));
        if (g.hasLoop()) {
          files.put(opt + "_train_epoch.pbtxt", GraphDefWriter.subgraphText(g.graph(),
              List.of("train_epoch/run", "train_epoch/steps", "train_epoch/outputs")));
        }
        if (opt.equals("adam")) {
          List<String> eval = new ArrayList<>();
          for (TrainingGraph.Split s : TrainingGraph.Split.values()) {
            eval.add("evaluate/" + s.graphName() + "/loss");
            eval.add("evaluate/" + s.graphName() + "/accuracy");
          }
          files.put("evaluate.pbtxt", GraphDefWriter.subgraphText(g.graph(), eval));
          files.put("predict.pbtxt", GraphDefWriter.subgraphText(g.graph(),
              List.of("predict/logits", "predict/probabilities")));
        }
      }
    }
    return files;
  }
}
