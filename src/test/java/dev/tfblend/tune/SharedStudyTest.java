package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Several {@link Study} objects on one study: one shared budget ({@link Study#optimizeShared}),
 * the best trial within a search space, and the {@link StudyClaim} that lets exactly one of them
 * do the final work.
 */
class SharedStudyTest {

  private static Study open(InMemoryStorage storage, long seed) {
    return Study.createOrLoad("shared", storage, StudyDirection.MINIMIZE, new RandomSampler(seed), new NopPruner());
  }

  @Test
  void workersShareOneBudgetOfFinishedTrials() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    AtomicInteger calls = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<FrozenTrial>>> runs = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Study study = open(storage, w);
        runs.add(pool.submit(() -> study.optimizeShared(trial -> {
          double x = trial.suggestFloat("x", -1, 1);
          if (calls.incrementAndGet() % 5 == 0) {
            throw new IllegalStateException("every fifth call fails");
          }
          if (x > 0.8) {
            throw new TrialPrunedException("pruned");
          }
          return x * x;
        }, 24, Duration.ofMillis(5), running -> { }, List.of(IllegalStateException.class))));
      }
      int ran = 0;
      for (Future<List<FrozenTrial>> f : runs) {
        ran += f.get(60, TimeUnit.SECONDS).size();
      }
      Study any = open(storage, 9);
      assertEquals(24, any.trials(Study.BUDGET_STATES).size(), "exactly the budget finished");
      assertEquals(ran, any.trials().size(), "every trial was run by one of the workers");
      assertTrue(any.trials(EnumSet.of(TrialState.FAIL)).size() > 0, "failures happened and did not count");
      assertEquals(0, any.trials(EnumSet.of(TrialState.RUNNING, TrialState.WAITING)).size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStudyWhoseTrialsKeepFailingStopsAfterBudgetFailures() {
    InMemoryStorage storage = new InMemoryStorage();
    Study study = open(storage, 1);
    List<String> warnings = new ArrayList<>();
    study.setWarningListener(warnings::add);
    List<FrozenTrial> ran = study.optimizeShared(trial -> {
      throw new IllegalStateException("always");
    }, 3, Duration.ofMillis(5), running -> { }, List.of(IllegalStateException.class));
    assertEquals(3, ran.size());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("3 trials failed")), warnings.toString());
  }

  @Test
  void aWorkerWaitsForAnotherWorkersStaleTrialAndRunsItAgain() {
    InMemoryStorage storage = new InMemoryStorage();
    Study live = open(storage, 3);
    // a worker that started a trial, beat once and died (SIGKILL: the trial stays RUNNING)
    long orphan = storage.startTrialWithinBudget(live.studyId(), 2, Study.BUDGET_STATES).getAsLong();
    storage.setTrialParam(orphan, "x", 0.25, new FloatDistribution(-1, 1, false, null));
    storage.recordHeartbeat(orphan);
    live.enableHeartbeat(Duration.ofMillis(50), Duration.ofMillis(300), true);
    List<FrozenTrial> ran = live.optimizeShared(t -> t.suggestFloat("x", -1, 1), 2, Duration.ofMillis(20));
    assertEquals(2, ran.size(), "its own trial, then the dead worker's again");
    assertEquals(0.25, ran.get(1).params().get("x"), "the stale trial's params were run again");
    assertEquals(TrialState.FAIL, storage.getTrial(orphan).state());
    assertEquals(2, live.trials(Study.BUDGET_STATES).size());
    assertEquals(3, live.trials().size());
  }

  @Test
  void bestTrialIgnoresTrialsOutsideTheSearchSpace() {
    InMemoryStorage storage = new InMemoryStorage();
    Study study = open(storage, 1);
    SearchSpace space = SearchSpace.of(Map.of("lr", new FloatDistribution(1e-4, 1e-1, true, null)));
    long foreign = storage.createTrial(study.studyId(), FrozenTrial.template(TrialState.COMPLETE, 0.01,
        Map.of("lr", 5.0), Map.of("lr", new FloatDistribution(1e-4, 10, true, null)), null, null));
    long inside = storage.createTrial(study.studyId(), FrozenTrial.template(TrialState.COMPLETE, 0.5,
        Map.of("lr", 0.01), Map.of("lr", new FloatDistribution(1e-5, 1, true, null)), null, null));
    assertEquals(foreign, study.findBestTrial().orElseThrow().trialId());
    assertEquals(inside, study.findBestTrial(space::admits).orElseThrow().trialId());
    assertFalse(space.admits(storage.getTrial(foreign)));
    Map<String, Object> extra = new LinkedHashMap<>(Map.of("lr", 0.01, "momentum", 0.9));
    assertFalse(space.admits(storage.getTrial(storage.createTrial(study.studyId(), FrozenTrial.template(
        TrialState.COMPLETE, 0.1, extra, Map.of("lr", new FloatDistribution(1e-4, 1e-1, true, null),
            "momentum", new FloatDistribution(0, 1, false, null)), null, null)))));
  }

  // ---- claims

  @Test
  void exactlyOneOfManyTakesTheClaimAndOthersSeeWhoHoldsIt() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    long s = open(storage, 1).studyId();
    List<StudyClaim.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String owner = "p" + i;
        fs.add(pool.submit(() -> outcomes.add(StudyClaim.acquire(storage, s, "final", owner,
            Duration.ofMillis(100), Duration.ofMillis(300)))));
      }
      for (Future<?> f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<StudyClaim> won = outcomes.stream().filter(o -> o instanceof StudyClaim.Acquired)
        .map(o -> ((StudyClaim.Acquired) o).claim()).toList();
    assertEquals(1, won.size(), outcomes.toString());
    String holder = won.get(0).owner();
    assertTrue(outcomes.stream().filter(o -> o instanceof StudyClaim.HeldBy)
        .allMatch(o -> ((StudyClaim.HeldBy) o).owner().equals(holder)), outcomes.toString());
    won.get(0).finish();
    won.get(0).close();
    StudyClaim.Outcome later = StudyClaim.acquire(storage, s, "final", "late", Duration.ofMillis(100),
        Duration.ofMillis(300));
    assertEquals(new StudyClaim.Done(holder), later);
  }

  @Test
  void aLiveHolderKeepsTheClaimEvenWithAStaleLookingClock() throws Exception {
    InMemoryStorage storage = new InMemoryStorage();
    long s = open(storage, 1).studyId();
    // a holder whose clock is an hour behind: its beat times look stale, but its beats go on
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
    try (StudyClaim holder = ((StudyClaim.Acquired) StudyClaim.acquire(storage, s, "final", "a",
        Duration.ofMillis(50), Duration.ofMillis(200), behind)).claim()) {
      StudyClaim.Outcome o = StudyClaim.acquire(storage, s, "final", "b", Duration.ofMillis(50),
          Duration.ofMillis(200));
      assertEquals(new StudyClaim.HeldBy("a"), o);
      assertTrue(holder.held());
    }
  }

  @Test
  void aDeadHoldersClaimIsTakenOverAfterTheGraceAndAReleasedOneAtOnce() {
    InMemoryStorage storage = new InMemoryStorage();
    long s = open(storage, 1).studyId();
    Map<String, Object> dead = new LinkedHashMap<>();
    dead.put("owner", "gone");
    dead.put("state", "held");
    dead.put("beat", 7);
    dead.put("beat_utc", Instant.now().minusSeconds(60).toString());
    storage.setStudySystemAttr(s, "final", dead);
    long t0 = System.nanoTime();
    StudyClaim.Outcome o = StudyClaim.acquire(storage, s, "final", "heir", Duration.ofMillis(50),
        Duration.ofMillis(300));
    double waited = (System.nanoTime() - t0) / 1e9;
    StudyClaim claim = assertInstanceOf(StudyClaim.Acquired.class, o).claim();
    assertTrue(waited >= 0.3, "watched for the grace, waited " + waited);
    assertEquals("gone", ((Map<?, ?>) storage.getStudySystemAttrs(s).get("final")).get("took_over_from"));
    claim.close();
    assertEquals("released", ((Map<?, ?>) storage.getStudySystemAttrs(s).get("final")).get("state"));
    long t1 = System.nanoTime();
    assertInstanceOf(StudyClaim.Acquired.class, StudyClaim.acquire(storage, s, "final", "next",
        Duration.ofMillis(50), Duration.ofMillis(300))).claim().close();
    assertTrue((System.nanoTime() - t1) / 1e9 < 0.3, "a released claim is taken at once");
  }
}
