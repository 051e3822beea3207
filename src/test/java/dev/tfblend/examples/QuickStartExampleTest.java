package dev.tfblend.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Example (run by the test suite): Optuna's quick start in Java. Optuna's version is
 *
 * <pre>
 * def objective(trial):
 *     x = trial.suggest_float("x", -10, 10)
 *     return (x - 2) ** 2
 *
 * study = optuna.create_study()
 * study.optimize(objective, n_trials=100)
 * study.best_params  # e.g. {'x': 2.002108042}
 * </pre>
 *
 * <p>The tuner knows nothing of TensorFlow: any Java function of the trial's parameters is an
 * objective.
 */
class QuickStartExampleTest {
  @Test
  void minimisesTheQuadratic() {
    Study study = Study.create("quadratic", new InMemoryStorage(), StudyDirection.MINIMIZE,
        new TpeSampler(42), new NopPruner());
    study.optimize(trial -> {
      double x = trial.suggestFloat("x", -10, 10);
      return (x - 2) * (x - 2);
    }, 100, null);

    double x = (Double) study.bestParams().get("x");
    assertEquals(2.0, x, 0.1, "best x");
    assertTrue(study.bestValue() < 0.01, "best value " + study.bestValue());
  }

  @Test
  void aFailingObjectiveStopsTheStudyUnlessItsExceptionIsCaught() {
    Study study = Study.create("failing", new InMemoryStorage(), StudyDirection.MINIMIZE,
        new TpeSampler(42), new NopPruner());
    // as in Optuna: the trial is stored as FAIL and the exception reaches the caller
    assertThrows(ArithmeticException.class, () -> study.optimize(trial -> {
      double x = trial.suggestFloat("x", -10, 10);
      if (x < 0) {
        throw new ArithmeticException("negative x");
      }
      return (x - 2) * (x - 2);
    }, 100, null));

    // catch=(ArithmeticException,): failing trials are stored and the study goes on
    Study tolerant = Study.create("tolerant", new InMemoryStorage(), StudyDirection.MINIMIZE,
        new TpeSampler(42), new NopPruner());
    tolerant.optimize(trial -> {
      double x = trial.suggestFloat("x", -10, 10);
      if (x < 0) {
        throw new ArithmeticException("negative x");
      }
      return (x - 2) * (x - 2);
    }, 30, null, List.of(ArithmeticException.class));
    assertEquals(30, tolerant.trials().size());
    assertTrue(tolerant.trials().stream().anyMatch(t -> t.state() == TrialState.FAIL));
    assertTrue(tolerant.bestValue() < 1.0, "best value " + tolerant.bestValue());
  }
}
