package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.SwatsRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** {@code swats} switches from Adam to SGD once, at the step its criterion holds, and never back. */
class SwatsTest {

  /** The shared state after each of {@code steps} steps at {@code switchEps}. */
  private static List<Map<String, Double>> trace(double switchEps, int steps) {
    Dataset train = GaussianBlobs.generate(320, 40, 10, 1.0, 3, 0);
    Dataset val = GaussianBlobs.generate(32, 40, 10, 1.0, 3, 1);
    Map<String, Double> params = Map.of("lr", 0.01, "switch_eps", switchEps);
    List<Map<String, Double>> out = new ArrayList<>();
    try (TrainingGraph g = TrainingGraph.create(ControlRuns.MLP, Optimizers.stepBuilder("swats", params))) {
      g.loadData(train, val, val);
      g.reinitialize(5, params);
      for (int s = 0; s < steps; s++) {
        int[] idx = new int[32];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = (s * 32 + i) % train.size();
        }
        g.trainStep(idx);
        out.add(g.step().sharedState(g.session()));
      }
    }
    return out;
  }

  @Test
  void switchesOnceAndNeverBack() {
    for (double eps : new double[] {1e-2, 1e-3}) {
      List<Map<String, Double>> t = trace(eps, 120);
      int first = -1;
      for (int k = 0; k < t.size(); k++) {
        if (t.get(k).get("sgd_phase") == 1.0) {
          if (first < 0) {
            first = k;
          }
        } else {
          assertTrue(first < 0, "eps " + eps + ": back to Adam at step " + (k + 1) + " after switching at " + (first + 1));
        }
      }
      System.out.printf("swats switch_eps %s: switched after step %d%n", eps, first + 1);
      assertTrue(first >= 1, "eps " + eps + ": switches, and not at the first step (k > 1): " + first);
      Map<String, Double> at = t.get(first);
      assertEquals(first + 1, at.get("switch_step"), "the switch step is the step whose criterion held");
      double lr = at.get("sgd_lr");
      assertTrue(lr > 0 && Double.isFinite(lr), "the estimated SGD rate is positive: " + lr);
      for (int k = first; k < t.size(); k++) {
        assertEquals(first + 1, t.get(k).get("switch_step"), "switch step kept");
        assertEquals(lr, t.get(k).get("sgd_lr"), "SGD rate kept");
        assertEquals(at.get("lambda"), t.get(k).get("lambda"), "lambda frozen after the switch");
      }
    }
    // the paper's 1e-9 is not met in float32 on this problem within 120 steps: Adam throughout
    List<Map<String, Double>> strict = trace(1e-9, 120);
    assertEquals(0.0, strict.get(strict.size() - 1).get("switch_step"));
  }

  @Test
  void trainRecordsTheSwitchStepInResultJson(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    java.nio.file.Path out = tmp.resolve("swats");
    picocli.CommandLine cl = dev.tfblend.cli.TfBlendCommand.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    cl.setErr(new java.io.PrintWriter(err));
    int code = cl.execute("train", "--optimizer", "swats", "--set", "switch_eps=0.01", "--set", "data.source=blobs",
        "--set", "model.layers=40,16,10", "--epochs", "1", "--quiet", "--out", out.toString());
    assertEquals(0, code, err.toString());
    com.fasterxml.jackson.databind.JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(java.nio.file.Files.readString(out.resolve("result.json"))).get("optimizer_state");
    assertEquals(1.0, state.get("sgd_phase").asDouble(), state.toString());
    assertTrue(state.get("switch_step").asDouble() >= 2, state.toString());
    assertTrue(state.get("sgd_lr").asDouble() > 0, state.toString());
  }

  @Test
  void theRuleAloneHasNoSharedStateToRead() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Hyperparameters<TFloat32> h = Hyperparameters.create(tf, TFloat32.class,
          SwatsRule.HYPERPARAMETERS.operandDefaults());
      SwatsRule<TFloat32> rule = SwatsRule.of(h);
      assertThrows(IllegalStateException.class, () -> rule.update(tf, tf.constant(1f), tf.constant(1f),
          List.of(tf.constant(0f), tf.constant(0f), tf.constant(0f)), tf.constant(1f)));
    }
  }
}
