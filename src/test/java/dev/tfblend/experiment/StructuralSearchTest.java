package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.InMemoryStorage;
import dev.tfblend.train.TrainingGraph;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study's search may fix a structural hyperparameter (such as the blend's horizon) or search
 * it: each value a trial draws gets a graph built for it.
 */
class StructuralSearchTest {
  private static final String SMALL = "\"seed\": 3, \"trials\": 3, \"epochs\": 1, \"final_epochs\": 1, \"batch_size\": 50,"
      + " \"jobs\": 1, \"model\": {\"layers\": [40, 16, 10]}, \"data\": {\"source\": \"blobs\"},";

  @TempDir Path tmp;

  private TuneConfig config(String blendSearch) throws Exception {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{" + SMALL + " \"optimizers\": [\"DynamicBlended\"], \"search\": {\"DynamicBlended\": "
        + blendSearch + "}}");
    return TuneConfigLoader.resolve(f, Map.of());
  }

  @Test
  void aFixedHorizonIsTheStudysGraph() throws Exception {
    TuneConfig c = config("{\"optimizer\": \"blended\", \"fixed\": {\"unroll\": 5, \"first_order\": 1},"
        + " \"space\": {\"meta_lr\": {\"type\": \"float\", \"low\": 1e-4, \"high\": 1e-2, \"log\": true}}}");
    OptimizerStudy.Validated v = OptimizerStudy.validate("DynamicBlended", c);
    assertEquals(5.0, v.fixed().get("unroll"));
    assertEquals(1.0, v.fixed().get("first_order"));
    assertEquals(List.of(), v.structuralSearched());
  }

  @Test
  void theHorizonCanBeSearchedAsAnIntOrCategorical() throws Exception {
    OptimizerStudy.Validated v = OptimizerStudy.validate("DynamicBlended", config("{\"optimizer\": \"blended\","
        + " \"space\": {\"unroll\": {\"type\": \"int\", \"low\": 1, \"high\": 3},"
        + " \"gate_hidden\": {\"type\": \"categorical\", \"choices\": [8, 16]}}}"));
    assertEquals(List.of("unroll", "gate_hidden"), v.structuralSearched());
  }

  @Test
  void aContinuousRangeOverAStructuralValueIsRefusedNamingTheField() throws Exception {
    // the domain check refuses non-integral values of an integer hyperparameter when the config loads
    BadInputException e = assertThrows(BadInputException.class, () -> config("{\"optimizer\": \"blended\","
        + " \"space\": {\"unroll\": {\"type\": \"float\", \"low\": 1, \"high\": 5}}}"));
    assertTrue(e.getMessage().contains("search.DynamicBlended: blended hyperparameter unroll: search range [1.0, 5.0]"
        + " leaves its domain"), e.getMessage());
  }

  /**
   * Trials drawing unroll 1, 3 and 2 each train on a graph of that horizon: the searched study's
   * unroll-3 trial scores exactly what the same trial scores in a study whose graph fixes unroll 3,
   * and differs from its unroll-1 trial with the same meta_lr.
   */
  @Test
  void trialsWithAnotherHorizonTrainOnAGraphOfThatHorizon() throws Exception {
    TuneConfig searched = config("{\"optimizer\": \"blended\", \"space\": {"
        + "\"unroll\": {\"type\": \"int\", \"low\": 1, \"high\": 3},"
        + "\"meta_lr\": {\"type\": \"float\", \"low\": 1e-4, \"high\": 1e-1, \"log\": true}}}");
    Map<Integer, Double> values = new LinkedHashMap<>();
    DataSplits data = DataSources.load(searched.data());
    Mlp mlp = DataSources.model(searched.model(), searched.data(), data);
    try (InMemoryStorage storage = new InMemoryStorage();
        OptimizerStudy st = open(searched, mlp, data, storage, "searched")) {
      assertEquals(0, st.graphs().builds(), "no graph before a trial draws its horizon");
      for (int unroll : new int[] {1, 3, 2}) {
        st.study().enqueueTrial(Map.of("unroll", unroll, "meta_lr", 0.05));
      }
      st.tune(java.util.concurrent.ConcurrentHashMap.newKeySet(), StudyResume.Heartbeat.DEFAULT, null, 0);
      for (FrozenTrial t : st.study().trials(EnumSet.of(TrialState.COMPLETE))) {
        values.put((Integer) t.params().get("unroll"), t.value());
      }
      assertEquals(List.of(1, 3, 2), List.copyOf(values.keySet()));
      assertEquals(3, st.graphs().builds(), "one graph per horizon");
      for (int unroll = 1; unroll <= 3; unroll++) {
        Map<String, Double> hp = new LinkedHashMap<>(OptimizerStudy.validate("DynamicBlended", searched).fixed());
        hp.put("unroll", (double) unroll);
        try (TrialGraphs.Lease lease = st.graphs().acquire(hp)) {
          TrainingGraph g = lease.graph();
          for (int k = 2; k <= 3; k++) {
            if (k <= unroll) {
              assertNotNull(g.graph().operation("lookahead_batch/indices_" + k), "unroll " + unroll);
            } else {
              assertNull(g.graph().operation("lookahead_batch/indices_" + k), "unroll " + unroll);
            }
          }
        }
      }
      assertEquals(3, st.graphs().builds(), "the trials' graphs were kept");
    }
    assertNotEquals(values.get(1), values.get(3));

    TuneConfig fixed = config("{\"optimizer\": \"blended\", \"fixed\": {\"unroll\": 3}, \"space\": {"
        + "\"meta_lr\": {\"type\": \"float\", \"low\": 1e-4, \"high\": 1e-1, \"log\": true}}}");
    try (InMemoryStorage storage = new InMemoryStorage();
        OptimizerStudy st = open(fixed, mlp, data, storage, "fixed")) {
      assertEquals(1, st.graphs().builds(), "a study with no structural search builds its graph when it opens");
      st.study().enqueueTrial(Map.of("meta_lr", 0.05));
      st.tune(java.util.concurrent.ConcurrentHashMap.newKeySet(), StudyResume.Heartbeat.DEFAULT, null, 0);
      assertEquals(values.get(3), st.study().trials(EnumSet.of(TrialState.COMPLETE)).get(0).value());
    }
  }

  private OptimizerStudy open(TuneConfig c, Mlp mlp, DataSplits data, InMemoryStorage storage, String name) {
    TuneProgress progress = new TuneProgress(new PrintWriter(new StringWriter()), false, true);
    return OptimizerStudy.open("DynamicBlended", c, mlp, data, storage, name, progress,
        StudyResume.Heartbeat.DEFAULT, tmp.resolve(name).resolve("tensorboard"));
  }
}
