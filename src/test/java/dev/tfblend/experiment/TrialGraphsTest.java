package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.config.DataConfig;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.TrainingGraph;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TrialGraphs}: a graph per lease holder and per structural values, the least recently used closed. */
class TrialGraphsTest {
  private static final Map<String, Double> PLAIN = Map.of("lr", 0.1, "nesterov", 0.0);
  private static final Map<String, Double> NESTEROV = Map.of("lr", 0.1, "nesterov", 1.0);

  private static TrialGraphs sgdGraphs(int perSlot) {
    TuneConfig smoke = TuneConfigLoader.resolve(java.nio.file.Path.of("configs/smoke.json"), Map.of());
    DataConfig dc = smoke.data();
    DataSplits data = DataSources.load(dc);
    Mlp mlp = DataSources.model(smoke.model(), dc, data);
    return new TrialGraphs(Optimizers.table("sgd"), structural -> {
      TrainingGraph g = TrainingGraph.create(mlp, Optimizers.stepBuilder("sgd", structural));
      g.loadData(data);
      return g;
    }, perSlot);
  }

  @Test
  void theKeyIsTheStructuralValues() {
    try (TrialGraphs graphs = sgdGraphs(2)) {
      assertEquals(Map.of("nesterov", 1.0), graphs.key(Map.of("lr", 0.3, "momentum", 0.9, "nesterov", 1.0)));
      assertEquals(0, graphs.builds());
    }
  }

  @Test
  void aLoneHolderReusesItsGraphsAndClosesTheLeastRecentlyUsed() {
    try (TrialGraphs graphs = sgdGraphs(1)) {
      TrainingGraph first;
      try (TrialGraphs.Lease a = graphs.acquire(PLAIN)) {
        first = a.graph();
      }
      try (TrialGraphs.Lease a = graphs.acquire(Map.of("lr", 0.5, "nesterov", 0.0))) {
        assertSame(first, a.graph(), "other values fed to the same graph");
      }
      try (TrialGraphs.Lease b = graphs.acquire(NESTEROV)) {
        assertNotSame(first, b.graph());
        b.graph().reinitialize(1, NESTEROV);
      }
      assertEquals(2, graphs.builds());
      assertEquals(1, graphs.open(), "one graph per slot: the plain one was closed");
      try (TrialGraphs.Lease a = graphs.acquire(PLAIN)) {
        assertNotSame(first, a.graph(), "built again after it was closed");
      }
      assertEquals(3, graphs.builds());
    }
  }

  /**
   * A second holder at once for the same values gets a session of its own on the first one's
   * graph (no second build), trains independently to the same figures, and the graph outlives
   * whichever of the two is closed first.
   */
  @Test
  void holdersAtOnceForTheSameValuesShareOneGraphWithSessionsOfTheirOwn() {
    try (TrialGraphs graphs = sgdGraphs(2)) {
      TrialGraphs.Lease la = graphs.acquire(PLAIN);
      TrialGraphs.Lease lb = graphs.acquire(PLAIN);
      TrainingGraph a = la.graph();
      TrainingGraph b = lb.graph();
      assertNotSame(a, b);
      assertSame(a.graph(), b.graph(), "one graph");
      assertNotSame(a.session(), b.session(), "two sessions");
      assertEquals(1, graphs.builds());
      java.util.List<int[]> batches = dev.tfblend.data.Batches.epochBatches(a.size(TrainingGraph.Split.TRAIN), 16, 3, 1);
      a.reinitialize(3, PLAIN);
      b.reinitialize(4, PLAIN);
      b.trainStep(batches.get(0));
      a.reinitialize(3, PLAIN);
      b.reinitialize(3, PLAIN);
      for (int[] batch : batches) {
        a.trainStep(batch);
      }
      double[][] before = b.parameterValues();
      for (int[] batch : batches) {
        b.trainStep(batch);
      }
      assertTrue(java.util.Arrays.deepEquals(a.parameterValues(), b.parameterValues()), "the same figures");
      assertTrue(!java.util.Arrays.deepEquals(before, b.parameterValues()), "b trained on its own variables");
      la.close();
      graphs.close();
      b.trainStep(batches.get(0));
      lb.close();
      assertEquals(0, graphs.open());
    }
  }

  @Test
  void holdersAtOnceGetGraphsOfTheirOwnAndLaterOnesPreferASlotWithTheirValues() {
    try (TrialGraphs graphs = sgdGraphs(2)) {
      TrainingGraph a;
      TrainingGraph b;
      try (TrialGraphs.Lease la = graphs.acquire(PLAIN); TrialGraphs.Lease lb = graphs.acquire(PLAIN)) {
        a = la.graph();
        b = lb.graph();
        assertNotSame(a, b);
      }
      try (TrialGraphs.Lease n = graphs.acquire(NESTEROV)) {
        n.graph().reinitialize(2, NESTEROV);
      }
      // one slot now holds plain and nesterov graphs, the other a plain one: two holders asking
      // for the nesterov graph and the plain one get them without a build
      int built = graphs.builds();
      try (TrialGraphs.Lease n = graphs.acquire(NESTEROV); TrialGraphs.Lease p = graphs.acquire(PLAIN)) {
        assertEquals(built, graphs.builds());
        assertTrue(p.graph() == a || p.graph() == b, "a plain graph built before");
        assertNotSame(a, n.graph());
        assertNotSame(b, n.graph());
      }
      assertEquals(3, graphs.open());
    }
  }
}
