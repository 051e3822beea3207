package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tune whose best trial's parameters diverge in the final run keeps the run in its results,
 * with its stop reason, and exports no SavedModel (issue 11's divergence rule, for {@code tune}).
 */
class DivergedFinalRunTest {
  @TempDir Path tmp;

  @Test
  void aDivergedFinalRunExportsNoSavedModel() throws Exception {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{\"seed\": 3, \"trials\": 1, \"epochs\": 1, \"final_epochs\": 2, \"batch_size\": 50,"
        + " \"jobs\": 1, \"model\": {\"layers\": [40, 16, 10]}, \"data\": {\"source\": \"blobs\"},"
        + " \"optimizers\": [\"SGD\"], \"search\": {\"SGD\": {\"optimizer\": \"sgd\", \"space\": {"
        + "\"lr\": {\"type\": \"float\", \"low\": 1e-3, \"high\": 1e12, \"log\": true}}}}}");
    TuneConfig c = TuneConfigLoader.resolve(f, Map.of());
    DataSplits data = DataSources.load(c.data());
    Mlp mlp = DataSources.model(c.model(), c.data(), data);
    StringWriter out = new StringWriter();
    TuneProgress progress = new TuneProgress(new PrintWriter(out, true), false, true);
    Path models = tmp.resolve("saved-models");
    try (InMemoryStorage storage = new InMemoryStorage();
        OptimizerStudy st = OptimizerStudy.open("SGD", c, mlp, data, storage, "div", progress,
            StudyResume.Heartbeat.DEFAULT, tmp.resolve("tensorboard"))) {
      // a finished trial, as another tool might store it, whose learning rate diverges at once
      Map<String, Distribution> dist = Map.of("lr", new FloatDistribution(1e-3, 1e12, true, null));
      storage.createTrial(st.study().studyId(),
          FrozenTrial.template(TrialState.COMPLETE, 0.5, Map.of("lr", 1e11), dist, Map.of(), Map.of()));
      TuneResults.OptimizerResult r = st.finish("div", models);
      assertNotNull(r.finalRun(), "the final run is kept");
      assertNotNull(r.finalRun().stopReason(), "with the reason it stopped");
      assertFalse(Files.exists(models.resolve("SGD")), "no SavedModel of a diverged model");
      assertTrue(out.toString().contains("SGD: the final run diverged ("), out.toString());
      assertTrue(out.toString().contains("no SavedModel exported"), out.toString());
    }
  }
}
