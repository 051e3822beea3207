package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.pruner.MedianPruner;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class StudyTest {

  private static Study minimize(InMemoryStorage storage) {
    Study s = Study.create("s", storage, StudyDirection.MINIMIZE, new RandomSampler(1), new NopPruner());
    s.setWarningListener(w -> {});
    return s;
  }

  @Test
  void heartbeatThreadEndsWhenNoTrialRuns() throws Exception {
    Study study = Study.create("beats", new InMemoryStorage(), StudyDirection.MINIMIZE,
        new RandomSampler(1), new NopPruner());
    study.enableHeartbeat(Duration.ofMillis(50), Duration.ofMillis(500), false);
    study.optimize(t -> t.suggestFloat("x", 0, 1), 3, null);
    long deadline = System.nanoTime() + 2_000_000_000L;
    boolean alive = true;
    while (alive && System.nanoTime() < deadline) {
      alive = Thread.getAllStackTraces().keySet().stream()
          .anyMatch(th -> th.getName().equals("tune-heartbeat-beats") && th.isAlive());
      if (alive) {
        Thread.sleep(20);
      }
    }
    assertTrue(!alive, "the heartbeat thread outlives the study's trials");
  }

  @Test
  void prunesBelowMedianAfterWarmup() {
    Study study =
        Study.create(
            "prune", new InMemoryStorage(), StudyDirection.MINIMIZE, new RandomSampler(0),
            new MedianPruner(5, 2, 1));
    // Trial i's loss curve is (i + 1) / (epoch + 1); trials 5.. are worse than every earlier one.
    study.optimize(
        t -> {
          double scale = t.number() < 5 ? t.number() + 1 : 100;
          double loss = 0;
          for (int epoch = 0; epoch < 6; epoch++) {
            loss = scale / (epoch + 1);
            t.report(loss, epoch);
            if (t.shouldPrune()) {
              throw new TrialPrunedException();
            }
          }
          return loss;
        },
        7,
        null);
    List<FrozenTrial> trials = study.trials();
    for (int i = 0; i < 5; i++) {
      assertEquals(TrialState.COMPLETE, trials.get(i).state(), "trial " + i);
    }
    for (int i = 5; i < 7; i++) {
      FrozenTrial t = trials.get(i);
      assertEquals(TrialState.PRUNED, t.state(), "trial " + i);
      // Warm-up covers epochs 0 and 1; pruned at epoch 2 with the value reported there.
      assertEquals(2, t.lastStep().getAsInt());
      assertEquals(100.0 / 3, t.value(), 1e-12);
    }
  }

  @Test
  void failsOnExceptionOrNonFiniteValueAndGoesOn() {
    Study study = minimize(new InMemoryStorage());
    List<String> warnings = new ArrayList<>();
    study.setWarningListener(warnings::add);
    study.optimize(
        t -> {
          double x = t.suggestFloat("x", 0, 1);
          switch (t.number()) {
            case 1:
              throw new IllegalStateException("diverged");
            case 2:
              return Double.NaN;
            case 3:
              return Double.POSITIVE_INFINITY;
            default:
              return x;
          }
        },
        5,
        null,
        List.of(IllegalStateException.class));
    List<FrozenTrial> trials = study.trials();
    assertEquals(5, trials.size());
    assertEquals(TrialState.COMPLETE, trials.get(0).state());
    assertEquals(TrialState.FAIL, trials.get(1).state());
    assertEquals(
        "java.lang.IllegalStateException: diverged", trials.get(1).systemAttrs().get(Study.FAIL_REASON));
    assertEquals(TrialState.FAIL, trials.get(2).state());
    assertEquals("the objective returned NaN", trials.get(2).systemAttrs().get(Study.FAIL_REASON));
    assertEquals(TrialState.FAIL, trials.get(3).state());
    assertNull(trials.get(3).value());
    assertEquals(TrialState.COMPLETE, trials.get(4).state());
    assertEquals(3, warnings.size());
    assertTrue(warnings.get(0).startsWith("trial 1 failed: "), warnings.get(0));
  }

  @Test
  void anExceptionNotCaughtFailsTheTrialAndIsRethrown() {
    Study study = minimize(new InMemoryStorage());
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> study.optimize(
        t -> {
          double x = t.suggestFloat("x", 0, 1);
          if (t.number() == 1) {
            throw new IllegalStateException("diverged");
          }
          return x;
        },
        5,
        null));
    assertEquals("diverged", thrown.getMessage());
    List<FrozenTrial> trials = study.trials();
    assertEquals(2, trials.size(), "the study stops at the failing trial");
    assertEquals(TrialState.COMPLETE, trials.get(0).state());
    assertEquals(TrialState.FAIL, trials.get(1).state());
    assertEquals(
        "java.lang.IllegalStateException: diverged", trials.get(1).systemAttrs().get(Study.FAIL_REASON));
  }

  @Test
  void aCheckedExceptionIsRethrownWrappedAndOnlyListedTypesAreCaught() {
    Study study = minimize(new InMemoryStorage());
    ObjectiveException wrapped = assertThrows(ObjectiveException.class, () -> study.optimize(
        t -> {
          t.suggestFloat("x", 0, 1);
          throw new java.io.IOException("disk gone");
        },
        3,
        null,
        List.of(IllegalStateException.class)));
    assertEquals(0, wrapped.trialNumber());
    assertTrue(wrapped.getCause() instanceof java.io.IOException);
    assertEquals(1, study.trials().size());
    assertEquals(TrialState.FAIL, study.trials().get(0).state());
    List<FrozenTrial> run = study.optimize(
        t -> {
          t.suggestFloat("x", 0, 1);
          throw new java.io.UncheckedIOException(new java.io.IOException("flaky"));
        },
        2,
        null,
        List.of(RuntimeException.class));
    assertEquals(2, run.size(), "a subclass of a listed type is caught");
    assertTrue(run.stream().allMatch(t -> t.state() == TrialState.FAIL));
  }

  @Test
  void prunedTrialKeepsItsLastReportedValueUnlessNan() {
    Study study = minimize(new InMemoryStorage());
    study.optimize(
        t -> {
          t.report(3.0, 0);
          t.report(2.0, 1);
          if (t.number() == 1) {
            t.report(Double.NaN, 2);
          }
          if (t.number() < 3) {
            throw new TrialPrunedException();
          }
          return 1.0;
        },
        4,
        null);
    List<FrozenTrial> trials = study.trials();
    assertEquals(TrialState.PRUNED, trials.get(0).state());
    assertEquals(2.0, trials.get(0).value());
    assertEquals(TrialState.PRUNED, trials.get(1).state());
    assertNull(trials.get(1).value());
    assertEquals(TrialState.COMPLETE, trials.get(3).state());
  }

  @Test
  void enqueuedTrialsRunFirstWithTheirParams() {
    Study study =
        Study.create("q", new InMemoryStorage(), StudyDirection.MINIMIZE, new TpeSampler(0),
            new NopPruner());
    Map<String, Object> fixed = new LinkedHashMap<>();
    fixed.put("x", 0.25);
    fixed.put("opt", "sgd");
    study.enqueueTrial(fixed);
    study.enqueueTrial(Map.of("x", 0.75));
    study.optimize(
        t -> {
          double x = t.suggestFloat("x", 0, 1);
          String opt = t.suggestCategorical("opt", "adam", "sgd");
          int n = t.suggestInt("n", 1, 9);
          return x + (opt.equals("sgd") ? 1 : 0) + n;
        },
        3,
        null);
    List<FrozenTrial> trials = study.trials();
    assertEquals(3, trials.size());
    assertEquals(0.25, trials.get(0).params().get("x"));
    assertEquals("sgd", trials.get(0).params().get("opt"));
    assertEquals(0.75, trials.get(1).params().get("x"));
    assertTrue(trials.get(0).systemAttrs().containsKey(Study.FIXED_PARAMS));
    assertEquals(TrialState.COMPLETE, trials.get(0).state());
  }

  @Test
  void enqueuedValueOutsideTheRangeFailsTheTrial() {
    Study study = minimize(new InMemoryStorage());
    study.enqueueTrial(Map.of("x", 5.0));
    study.optimize(t -> t.suggestFloat("x", 0, 1), 1, null, List.of(IllegalArgumentException.class));
    FrozenTrial t = study.trials().get(0);
    assertEquals(TrialState.FAIL, t.state());
    assertTrue(((String) t.systemAttrs().get(Study.FAIL_REASON)).contains("enqueued value 5.0 of 'x'"));
  }

  @Test
  void bestTrialValueAndParamsFollowTheDirection() {
    for (StudyDirection d : new StudyDirection[] {StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE}) {
      Study study = Study.create("b", new InMemoryStorage(), d, new RandomSampler(4), new NopPruner());
      assertThrows(NoSuchElementException.class, study::bestTrial);
      study.optimize(t -> t.suggestInt("k", 0, 1000), 20, null);
      double expected =
          study.trials().stream()
              .mapToDouble(FrozenTrial::value)
              .reduce(d == StudyDirection.MINIMIZE ? Double.MAX_VALUE : -Double.MAX_VALUE,
                  d == StudyDirection.MINIMIZE ? Math::min : Math::max);
      assertEquals(expected, study.bestValue());
      assertEquals((int) expected, study.bestParams().get("k"));
      assertEquals(expected, study.bestTrial().value());
    }
  }

  @Test
  void listenersSeeEachFinishedTrial() {
    Study study = minimize(new InMemoryStorage());
    List<FrozenTrial> seen = new ArrayList<>();
    study.addListener((s, t) -> seen.add(t));
    study.optimize(t -> t.suggestFloat("x", 0, 1), 4, null);
    assertEquals(4, seen.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(i, seen.get(i).number());
      assertTrue(seen.get(i).isFinished());
    }
  }

  @Test
  void aParameterAskedTwiceKeepsItsValue() {
    Study study = minimize(new InMemoryStorage());
    study.optimize(
        t -> {
          double a = t.suggestFloat("x", 0, 1);
          double b = t.suggestFloat("x", 0, 1);
          assertEquals(a, b);
          t.suggestInt("x", 0, 1); // incompatible: the trial fails
          return a;
        },
        1,
        null,
        List.of(IllegalArgumentException.class));
    assertEquals(TrialState.FAIL, study.trials().get(0).state());
  }

  @Test
  void runningAgainContinuesTheStudy() {
    InMemoryStorage storage = new InMemoryStorage();
    Study first = Study.createOrLoad("cont", storage, StudyDirection.MINIMIZE, new RandomSampler(1), new NopPruner());
    first.optimize(t -> t.suggestFloat("x", 0, 1), 3, null);
    Study second = Study.createOrLoad("cont", storage, StudyDirection.MINIMIZE, new RandomSampler(2), new NopPruner());
    second.optimize(t -> t.suggestFloat("x", 0, 1), 2, null);
    assertEquals(List.of(0, 1, 2, 3, 4), second.trials().stream().map(FrozenTrial::number).toList());
    assertThrows(
        BadInputException.class,
        () -> Study.createOrLoad("cont", storage, StudyDirection.MAXIMIZE, new RandomSampler(1), new NopPruner()));
    assertThrows(
        BadInputException.class,
        () -> Study.load("missing", storage, new RandomSampler(1), new NopPruner()));
    assertEquals(5, Study.load("cont", storage, new RandomSampler(1), new NopPruner()).trials().size());
  }

  @Test
  void timeoutStopsStartingTrials() {
    Study study = minimize(new InMemoryStorage());
    study.optimize(
        t -> {
          Thread.sleep(30);
          return 1;
        },
        1000,
        Duration.ofMillis(100));
    int n = study.trials().size();
    assertTrue(n >= 1 && n <= 10, "ran " + n + " trials");
  }

  /** A clock tests move by hand. */
  private static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void trialsOfADeadWorkerAreFailedAndRetried() {
    ManualClock clock = new ManualClock();
    InMemoryStorage storage = new InMemoryStorage(clock);
    Study dead = minimize(storage);
    Trial orphan = dead.ask();
    orphan.suggestFloat("x", 0, 1);
    storage.recordHeartbeat(orphan.trialId());
    clock.advance(Duration.ofMinutes(5));

    Study alive = Study.load("s", storage, new RandomSampler(9), new NopPruner());
    alive.enableHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(60), true);
    alive.optimize(t -> t.suggestFloat("x", 0, 1), 2, null);

    List<FrozenTrial> trials = alive.trials();
    assertEquals(3, trials.size());
    FrozenTrial failed = trials.get(0);
    assertEquals(TrialState.FAIL, failed.state());
    assertNotNull(failed.systemAttrs().get(Study.FAIL_REASON));
    FrozenTrial retry = trials.get(1);
    assertEquals(TrialState.COMPLETE, retry.state());
    assertEquals(failed.params().get("x"), retry.params().get("x"));
    assertEquals(0, ((Number) retry.systemAttrs().get("failed_trial")).intValue());
    assertEquals(2, alive.trials(EnumSet.of(TrialState.COMPLETE)).size());
  }
  @Test
  void interruptEndsTheRunningTrialQueuesItAgainAndStopsTheStudy() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    Study first = minimize(storage);
    first.enableHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(60), true);
    first.optimize(t -> t.suggestFloat("x", 0, 1), 1, null);
    java.util.concurrent.CountDownLatch inSecond = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<Throwable> reportErrors = new ArrayList<>();
    Thread worker = new Thread(() -> first.optimize(t -> {
      double x = t.suggestFloat("x", 0, 1);
      inSecond.countDown();
      release.await();
      try {
        t.report(x, 0); // the trial is already FAIL: the storage refuses
      } catch (RuntimeException e) {
        reportErrors.add(e);
        throw e;
      }
      return x;
    }, 5, null));
    worker.start();
    assertTrue(inSecond.await(10, java.util.concurrent.TimeUnit.SECONDS));

    assertEquals(List.of(1), first.interrupt());
    assertTrue(first.isInterrupted());
    release.countDown();
    worker.join(10_000);
    assertTrue(!worker.isAlive(), "optimize returns after an interrupt");
    assertEquals(1, reportErrors.size(), "the objective could not write to the ended trial");
    assertThrows(IllegalStateException.class, first::ask);
    assertEquals(List.of(), first.optimize(t -> t.suggestFloat("x", 0, 1), 3, null), "runs nothing more");
    assertEquals(List.of(), first.interrupt(), "idempotent");

    List<FrozenTrial> trials = first.trials();
    assertEquals(3, trials.size(), "no trial started after the interrupt: " + trials);
    FrozenTrial ended = trials.get(1);
    assertEquals(TrialState.FAIL, ended.state());
    assertEquals(Study.INTERRUPTED, ended.systemAttrs().get(Study.FAIL_REASON),
        "the objective's later failure does not overwrite the reason");
    FrozenTrial queued = trials.get(2);
    assertEquals(TrialState.WAITING, queued.state());
    assertEquals(ended.params(), queued.params());
    assertEquals(List.of(1), queued.systemAttrs().get(Study.RETRY_HISTORY));

    // a new process resumes at once (no heartbeat grace to wait for) and runs the queued trial first
    Study resumed = Study.load("s", storage, new RandomSampler(2), new NopPruner());
    resumed.setWarningListener(w -> {});
    resumed.enableHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(60), true);
    List<FrozenTrial> run = resumed.optimize(t -> t.suggestFloat("x", 0, 1), 2, null);
    assertEquals(List.of(2, 3), run.stream().map(FrozenTrial::number).toList());
    assertEquals(TrialState.COMPLETE, run.get(0).state());
    assertEquals(ended.params(), run.get(0).params());
    assertEquals(trials.get(0), resumed.trials().get(0), "the trial finished before is unchanged");
  }
}
