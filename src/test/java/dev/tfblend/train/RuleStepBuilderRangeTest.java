package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tfblend.BadInputException;
import dev.tfblend.model.Mlp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Range checks of the Adam and momentum-SGD baselines' hyperparameters. */
class RuleStepBuilderRangeTest {
  private static final Mlp SMALL = new Mlp(List.of(40, 8, 10), dev.tfblend.model.Activation.RELU);

  private static String rejected(String optimizer, String key, double value) {
    Map<String, Double> m = new HashMap<>();
    m.put(key, value);
    return assertThrows(BadInputException.class, () -> Optimizers.table(optimizer).check(m))
        .getMessage();
  }

  @Test
  void adamRangesNameKeyAndRange() {
    assertEquals("adam hyperparameter beta1 must be in [0, 1), got 1.5", rejected("adam", "beta1", 1.5));
    assertEquals("adam hyperparameter beta2 must be in [0, 1), got 1.0", rejected("adam", "beta2", 1.0));
    assertEquals("adam hyperparameter beta1 must be in [0, 1), got -0.1", rejected("adam", "beta1", -0.1));
    assertEquals("adam hyperparameter lr must be > 0, got 0.0", rejected("adam", "lr", 0.0));
    assertEquals("adam hyperparameter lr must be a finite number > 0, got Infinity",
        rejected("adam", "lr", Double.POSITIVE_INFINITY));
    assertEquals("adam hyperparameter eps must be > 0, got 0.0", rejected("adam", "eps", 0.0));
    assertDoesNotThrow(() -> Optimizers.table("adam").check(Optimizers.defaults("adam")));
    assertDoesNotThrow(() -> Optimizers.table("adam").check(Map.of("beta1", 0.0, "beta2", 0.9999)));
  }

  @Test
  void sgdRangesNameKeyAndRange() {
    assertEquals("sgd hyperparameter momentum must be in [0, 1), got 5.0", rejected("sgd", "momentum", 5.0));
    assertEquals("sgd hyperparameter momentum must be in [0, 1), got 1.0", rejected("sgd", "momentum", 1.0));
    assertEquals("sgd hyperparameter lr must be > 0, got -0.1", rejected("sgd", "lr", -0.1));
    assertEquals("sgd hyperparameter weight_decay must be >= 0, got -1.0E-4", rejected("sgd", "weight_decay", -1e-4));
    assertEquals("sgd hyperparameter nesterov must be 0 or 1, got 0.5", rejected("sgd", "nesterov", 0.5));
    assertEquals("sgd hyperparameter lr must be a finite number > 0, got NaN", rejected("sgd", "lr", Double.NaN));
    assertDoesNotThrow(() -> Optimizers.table("sgd").check(
        Map.of("lr", 0.1, "momentum", 0.0, "weight_decay", 0.0, "nesterov", 1.0)));
  }

  @Test
  void blendedRangesAreTheBaselinesRanges() {
    // one table: the values refused for sgd and adam are refused for the blend's parts too
    assertEquals("blended hyperparameter momentum must be in [0, 1), got 1.0", rejected("blended", "momentum", 1.0));
    assertEquals("blended hyperparameter adam_lr must be > 0, got 0.0", rejected("blended", "adam_lr", 0.0));
    assertEquals("blended hyperparameter gate_hidden must be a positive integer, got 1.5",
        rejected("blended", "gate_hidden", 1.5));
    assertEquals("adam has no hyperparameter momentum (known: lr, beta1, beta2, eps)", rejected("adam", "momentum", 0.9));
  }

  @Test
  void setHyperparametersOnABuiltStepChecksRanges() {
    // the tuner's path: TrainingGraph.reinitialize -> TrainStep.setHyperparameters, no config
    try (TrainingGraph g = TrainingGraph.create(SMALL, Optimizers.stepBuilder("sgd", Map.of()))) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      BadInputException e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("momentum", 5.0)));
      assertEquals("sgd hyperparameter momentum must be in [0, 1), got 5.0", e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("lr", 0.0)));
      assertEquals("sgd hyperparameter lr must be > 0, got 0.0", e.getMessage());
      assertDoesNotThrow(() -> g.reinitialize(0, Map.of("lr", 0.01, "momentum", 0.5)));
    }
    try (TrainingGraph g = TrainingGraph.create(SMALL, Optimizers.stepBuilder("adam", Map.of()))) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      BadInputException e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("beta1", 1.5)));
      assertEquals("adam hyperparameter beta1 must be in [0, 1), got 1.5", e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("eps", -1e-8)));
      assertEquals("adam hyperparameter eps must be > 0, got -1.0E-8", e.getMessage());
    }
  }
}
