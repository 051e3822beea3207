package dev.tfblend.tune.pruner;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.Trial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import org.junit.jupiter.api.Test;

/**
 * The {@link Pruner} contract: every pruner's test extends this class and implements {@link
 * #newPruner()}.
 */
public abstract class PrunerContractTest {

  /** A pruner with its default settings. */
  protected abstract Pruner newPruner();

  private Study study(StudyDirection direction) {
    return Study.create(
        "p", new InMemoryStorage(), direction, new RandomSampler(0), newPruner());
  }

  /** Completes {@code n} trials reporting {@code value(step) = base + step} for 5 steps. */
  private static void complete(Study study, int n) {
    for (int i = 0; i < n; i++) {
      Trial t = study.ask();
      for (int step = 0; step < 5; step++) {
        t.report(i + step, step);
      }
      study.tell(t, TrialState.COMPLETE, (double) i);
    }
  }

  @Test
  void neverPrunesATrialWithoutReports() {
    Study study = study(StudyDirection.MINIMIZE);
    complete(study, 10);
    Trial t = study.ask();
    assertFalse(t.shouldPrune());
  }

  @Test
  void neverPrunesInAnEmptyStudy() {
    Study study = study(StudyDirection.MAXIMIZE);
    Trial t = study.ask();
    t.report(-1e9, 0);
    assertFalse(t.shouldPrune());
  }

  @Test
  void neverPrunesTheBestTrialSoFar() {
    for (StudyDirection d : new StudyDirection[] {StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE}) {
      Study study = study(d);
      complete(study, 10);
      Trial t = study.ask();
      double best = d == StudyDirection.MINIMIZE ? -100 : 100;
      for (int step = 0; step < 5; step++) {
        t.report(best, step);
        assertFalse(t.shouldPrune(), d + " step " + step);
      }
    }
  }

  @Test
  void readsOnlyAndLeavesTheTrialRunning() {
    Study study = study(StudyDirection.MINIMIZE);
    complete(study, 10);
    Trial t = study.ask();
    t.report(1e9, 0);
    t.shouldPrune();
    FrozenTrial snap = t.snapshot();
    assertFalse(snap.isFinished());
  }
}
