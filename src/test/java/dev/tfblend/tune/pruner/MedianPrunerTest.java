package dev.tfblend.tune.pruner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.Trial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

class MedianPrunerTest extends PrunerContractTest {
  @Override
  protected Pruner newPruner() {
    return new MedianPruner();
  }

  private static Study study(Pruner pruner, StudyDirection direction) {
    return Study.create("m", new InMemoryStorage(), direction, new RandomSampler(0), pruner);
  }

  /** Completed trials i = 0..n-1 report i at steps 0..4 (median over trials: (n-1)/2). */
  private static void complete(Study study, int n) {
    for (int i = 0; i < n; i++) {
      Trial t = study.ask();
      for (int step = 0; step < 5; step++) {
        t.report(i, step);
      }
      study.tell(t, TrialState.COMPLETE, (double) i);
    }
  }

  @Test
  void prunesBelowMedianAfterStartup() {
    Study study = study(new MedianPruner(), StudyDirection.MINIMIZE);
    complete(study, 4);
    Trial t = study.ask();
    t.report(100, 0);
    assertFalse(t.shouldPrune(), "only 4 COMPLETE trials, startup is 5");
    study.tell(t, TrialState.FAIL, null);
    complete(study, 1); // 5 complete now: median of 0,1,2,3,0 is 1
    Trial u = study.ask();
    u.report(1.5, 0);
    assertTrue(u.shouldPrune());
    Trial v = study.ask();
    v.report(1.0, 0);
    assertFalse(v.shouldPrune(), "equal to the median is not worse");
  }

  @Test
  void prunesBelowMedianAfterWarmupOnly() {
    Study study = study(new MedianPruner(5, 3, 1), StudyDirection.MINIMIZE);
    complete(study, 5);
    Trial t = study.ask();
    for (int step = 0; step < 3; step++) {
      t.report(50, step);
      assertFalse(t.shouldPrune(), "warm-up step " + step);
    }
    t.report(50, 3);
    assertTrue(t.shouldPrune());
  }

  @Test
  void usesTheBestValueOverStepsAndMirrorsForMaximize() {
    Study study = study(new MedianPruner(), StudyDirection.MAXIMIZE);
    complete(study, 5); // values 0..4 at each step, median 2
    Trial t = study.ask();
    t.report(3, 0);
    assertFalse(t.shouldPrune());
    t.report(1, 1);
    assertFalse(t.shouldPrune(), "best so far (3) beats the median (2)");
    Trial u = study.ask();
    u.report(1, 0);
    assertTrue(u.shouldPrune());
  }

  @Test
  void checksOnlyTheFirstReportOfEachInterval() {
    Study study = study(new MedianPruner(5, 0, 2), StudyDirection.MINIMIZE);
    for (int i = 0; i < 5; i++) {
      Trial c = study.ask();
      c.report(i, 0); // median 2 at step 0
      for (int step = 1; step < 5; step++) {
        c.report(i - 10, step); // median -8 from step 1 on
      }
      study.tell(c, TrialState.COMPLETE, (double) i);
    }
    Trial t = study.ask();
    t.report(2, 0);
    assertFalse(t.shouldPrune(), "equal to the median at step 0");
    t.report(0, 1);
    assertFalse(t.shouldPrune(), "best 0 is worse than -8, but step 1 is not first in [0, 2)");
    t.report(0, 2);
    assertTrue(t.shouldPrune(), "step 2 opens interval [2, 4)");
  }

  @Test
  void nanIntermediateValuesPruneAndNanPercentileIgnoresNan() {
    Study study = study(new MedianPruner(), StudyDirection.MINIMIZE);
    complete(study, 5);
    Trial t = study.ask();
    t.report(Double.NaN, 0);
    assertTrue(t.shouldPrune());
    assertEquals(1.5, PercentilePruner.nanPercentile(List.of(1.0, Double.NaN, 2.0), 50), 1e-12);
    assertTrue(Double.isNaN(PercentilePruner.nanPercentile(List.of(Double.NaN), 50)));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new MedianPruner(-1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new MedianPruner(5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new PercentilePruner(101, 5, 0, 1, 1));
  }
}
