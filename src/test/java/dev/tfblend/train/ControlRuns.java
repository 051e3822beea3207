package dev.tfblend.train;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.util.Map;

/** Short seeded training runs on Gaussian blobs, for comparing optimizers' trained parameters. */
final class ControlRuns {
  private ControlRuns() {}

  static final Mlp MLP = new Mlp(java.util.List.of(40, 16, 10), Activation.RELU);

  /** The trained parameters after {@code epochs} epochs of {@code optimizer} with {@code params}. */
  static double[][] train(String optimizer, Map<String, Double> params, int epochs) {
    Dataset train = GaussianBlobs.generate(300, 40, 10, 1.0, 3, 0);
    Dataset val = GaussianBlobs.generate(60, 40, 10, 1.0, 3, 1);
    Dataset test = GaussianBlobs.generate(60, 40, 10, 1.0, 3, 2);
    try (TrainingGraph g = TrainingGraph.create(MLP, Optimizers.stepBuilder(optimizer, params))) {
      g.loadData(train, val, test);
      g.reinitialize(11, params);
      Trainer.run(g, new Trainer.Settings(epochs, 32, 11), r -> { });
      return g.parameterValues();
    }
  }
}
