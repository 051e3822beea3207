package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerTest {
  static final Dataset TRAIN = GaussianBlobs.generate(600, 40, 10, 2.0, 7, 0);
  static final Dataset VAL = GaussianBlobs.generate(200, 40, 10, 2.0, 7, 1);
  static final Dataset TEST = GaussianBlobs.generate(200, 40, 10, 2.0, 7, 2);

  static Trainer.Result train(StepBuilder b, Map<String, Double> hp, long seed, List<Trainer.EpochRecord> seen) {
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), b)) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(seed, hp);
      return Trainer.run(g, new Trainer.Settings(3, 32, seed), seen::add);
    }
  }

  @Test
  void adamLearnsBlobsAndReportsEveryEpoch() {
    List<Trainer.EpochRecord> seen = new ArrayList<>();
    Trainer.Result r = train(Optimizers.stepBuilder("adam", Map.of()), Map.of(), 0, seen);
    assertNull(r.stopReason());
    assertEquals(4, r.epochs().size());
    assertEquals(seen, r.epochs());
    assertEquals(0, r.epochs().get(0).epoch());
    assertEquals(3 * 19, r.steps());
    assertTrue(r.epochs().get(3).valLoss() < 0.5 * r.epochs().get(0).valLoss(), r.epochs().toString());
    assertTrue(r.testAccuracy() > 0.7, "test accuracy " + r.testAccuracy());
  }

  @Test
  void evaluatingSplitsInOneRunGivesTheFiguresOfOneRunPerSplit() {
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), Optimizers.stepBuilder("adam", Map.of()))) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(5, Map.of());
      Trainer.run(g, new Trainer.Settings(1, 32, 5), r -> {});
      List<TrainingGraph.Split> all = List.of(TrainingGraph.Split.TEST, TrainingGraph.Split.TRAIN,
          TrainingGraph.Split.VALIDATION);
      Map<TrainingGraph.Split, TrainingGraph.Evaluation> together = g.evaluate(all);
      assertEquals(all, List.copyOf(together.keySet()));
      for (TrainingGraph.Split s : all) {
        // records compare their doubles bit for bit
        assertEquals(g.evaluate(s), together.get(s), s.graphName());
      }
      assertThrows(IllegalArgumentException.class,
          () -> g.evaluate(List.of(TrainingGraph.Split.TEST, TrainingGraph.Split.TEST)));
    }
  }

  @Test
  void sgdLearnsBlobs() {
    Trainer.Result r = train(Optimizers.stepBuilder("sgd", Map.of()), Map.of(), 1, new ArrayList<>());
    assertTrue(r.testAccuracy() > 0.7, "test accuracy " + r.testAccuracy());
  }

  @Test
  void sameSeedGivesBitIdenticalFiguresAcrossGraphs() {
    Trainer.Result a = train(Optimizers.stepBuilder("adam", Map.of()), Map.of("lr", 0.01), 3, new ArrayList<>());
    Trainer.Result b = train(Optimizers.stepBuilder("adam", Map.of()), Map.of("lr", 0.01), 3, new ArrayList<>());
    assertEquals(a.testLoss(), b.testLoss());
    assertEquals(a.testAccuracy(), b.testAccuracy());
    for (int e = 0; e < a.epochs().size(); e++) {
      assertEquals(a.epochs().get(e).trainLoss(), b.epochs().get(e).trainLoss());
      assertEquals(a.epochs().get(e).valLoss(), b.epochs().get(e).valLoss());
    }
  }

  @Test
  void reinitializeRestartsTheTrialExactly() {
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), Optimizers.stepBuilder("adam", Map.of()))) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(5, Map.of("lr", 0.02));
      Trainer.Result first = Trainer.run(g, new Trainer.Settings(2, 50, 5), r -> {});
      double[][] after = g.parameterValues();
      g.reinitialize(9, Map.of());
      Trainer.run(g, new Trainer.Settings(1, 50, 9), r -> {});
      g.reinitialize(5, Map.of("lr", 0.02));
      Trainer.Result again = Trainer.run(g, new Trainer.Settings(2, 50, 5), r -> {});
      assertEquals(first.testLoss(), again.testLoss());
      double[][] after2 = g.parameterValues();
      for (int i = 0; i < after.length; i++) {
        assertArrayEquals(after[i], after2[i]);
      }
    }
  }

  @Test
  void divergingRunStopsWithAReason() {
    Trainer.Result r = train(Optimizers.stepBuilder("sgd", Map.of()), Map.of("lr", 1e6), 0, new ArrayList<>());
    assertNotNull(r.stopReason());
    assertTrue(r.stopReason().contains("non-finite"), r.stopReason());
  }
}
