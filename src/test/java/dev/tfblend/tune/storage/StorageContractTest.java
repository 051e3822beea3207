package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link TrialStorage} contract. Every storage's test extends this class and implements
 * {@link #newStorage(Clock)} (a fresh, empty storage per test whose timestamps and heartbeats
 * come from the given clock, so that tests move time instead of sleeping); {@link #cleanup()}
 * runs after each test, after the storage was closed.
 */
public abstract class StorageContractTest {

  protected TrialStorage storage;

  /** The clock of {@link #storage}: it stands still until a test advances it. */
  protected final ManualClock clock = new ManualClock();

  /** A fresh, empty storage reading time from {@code clock}. */
  protected abstract TrialStorage newStorage(Clock clock) throws Exception;

  /** Removes what {@link #newStorage(Clock)} left behind (files, schemas); default nothing. */
  protected void cleanup() throws Exception {}

  @BeforeEach
  void openStorage() throws Exception {
    storage = newStorage(clock);
  }

  @AfterEach
  void closeStorage() throws Exception {
    storage.close();
    cleanup();
  }

  // ---- studies

  @Test
  void createsFindsAndListsStudies() {
    long a = storage.createStudy("alpha", StudyDirection.MINIMIZE);
    long b = storage.createStudy("beta", StudyDirection.MAXIMIZE);
    assertNotEquals(a, b);
    assertEquals(a, storage.getStudyIdByName("alpha"));
    assertEquals(b, storage.getStudyIdByName("beta"));
    assertEquals("beta", storage.getStudyName(b));
    assertEquals(StudyDirection.MINIMIZE, storage.getStudyDirection(a));
    assertEquals(StudyDirection.MAXIMIZE, storage.getStudyDirection(b));
    storage.createTrial(b);
    List<StudySummary> all = storage.getAllStudies();
    assertEquals(2, all.size());
    assertEquals(new StudySummary(a, "alpha", StudyDirection.MINIMIZE, 0), all.get(0));
    assertEquals(new StudySummary(b, "beta", StudyDirection.MAXIMIZE, 1), all.get(1));
  }

  @Test
  void duplicateStudyNameIsRejectedAndLoadOrCreateReturnsExisting() {
    long a = storage.createStudy("s", StudyDirection.MINIMIZE);
    assertThrows(DuplicateStudyException.class, () -> storage.createStudy("s", StudyDirection.MINIMIZE));
    assertEquals(a, storage.loadOrCreateStudy("s", StudyDirection.MINIMIZE));
    long c = storage.loadOrCreateStudy("new", StudyDirection.MAXIMIZE);
    assertEquals(c, storage.getStudyIdByName("new"));
    assertEquals(StudyDirection.MAXIMIZE, storage.getStudyDirection(c));
  }

  @Test
  void unknownIdsAndNamesThrowNoSuchElement() {
    assertThrows(NoSuchElementException.class, () -> storage.getStudyIdByName("missing"));
    assertEquals(OptionalLong.empty(), storage.findStudyIdByName("missing"));
    assertThrows(NoSuchElementException.class, () -> storage.getStudyDirection(987654));
    assertThrows(NoSuchElementException.class, () -> storage.getTrial(987654));
    assertThrows(NoSuchElementException.class, () -> storage.createTrial(987654));
  }

  // ---- trials

  @Test
  void trialNumbersCountUpPerStudy() {
    long s1 = storage.createStudy("one", StudyDirection.MINIMIZE);
    long s2 = storage.createStudy("two", StudyDirection.MINIMIZE);
    long t0 = storage.createTrial(s1);
    long u0 = storage.createTrial(s2);
    long t1 = storage.createTrial(s1);
    long t2 = storage.createTrial(s1);
    assertEquals(0, storage.getTrial(t0).number());
    assertEquals(1, storage.getTrial(t1).number());
    assertEquals(2, storage.getTrial(t2).number());
    assertEquals(0, storage.getTrial(u0).number());
    assertEquals(3, new HashSet<>(List.of(t0, t1, t2)).size());
    FrozenTrial t = storage.getTrial(t1);
    assertEquals(TrialState.RUNNING, t.state());
    assertEquals(t1, t.trialId());
    assertNotNull(t.datetimeStart());
    assertNull(t.datetimeComplete());
    assertNull(t.value());
    List<FrozenTrial> all = storage.getAllTrials(s1);
    assertEquals(List.of(0, 1, 2), all.stream().map(FrozenTrial::number).toList());
  }

  @Test
  void paramsRoundTripForAllDistributions() {
    long s = storage.createStudy("p", StudyDirection.MINIMIZE);
    long id = storage.createTrial(s);
    FloatDistribution lr = new FloatDistribution(1e-5, 0.1, true, null);
    FloatDistribution mom = new FloatDistribution(0.5, 0.99, false, 0.01);
    IntDistribution units = new IntDistribution(8, 256, false, 8);
    IntDistribution layers = new IntDistribution(1, 64, true, 1);
    CategoricalDistribution opt = CategoricalDistribution.of("adam", "sgd", null, 3, 2.5, true);
    storage.setTrialParam(id, "lr", 0.0031622776601683794, lr);
    storage.setTrialParam(id, "momentum", 0.93, mom);
    storage.setTrialParam(id, "units", 136, units);
    storage.setTrialParam(id, "layers", 7, layers);
    storage.setTrialParam(id, "optimizer", 3, opt);
    FrozenTrial t = storage.getTrial(id);
    assertEquals(List.of("lr", "momentum", "units", "layers", "optimizer"), new ArrayList<>(t.params().keySet()));
    assertEquals(0.0031622776601683794, (Double) t.params().get("lr"));
    assertEquals(0.93, (Double) t.params().get("momentum"));
    assertEquals(136, t.params().get("units"));
    assertEquals(7, t.params().get("layers"));
    assertEquals(3, t.params().get("optimizer"));
    assertEquals(lr, t.distributions().get("lr"));
    assertEquals(mom, t.distributions().get("momentum"));
    assertEquals(units, t.distributions().get("units"));
    assertEquals(layers, t.distributions().get("layers"));
    assertEquals(opt, t.distributions().get("optimizer"));
    assertEquals(3.0, t.internalParam("optimizer"));

    long id2 = storage.createTrial(s);
    storage.setTrialParam(id2, "optimizer", 2, opt);
    assertNull(storage.getTrial(id2).params().get("optimizer"));
    assertTrue(storage.getTrial(id2).params().containsKey("optimizer"));
  }

  @Test
  void paramErrors() {
    long s = storage.createStudy("p", StudyDirection.MINIMIZE);
    long id = storage.createTrial(s);
    FloatDistribution x = FloatDistribution.of(0, 1);
    storage.setTrialParam(id, "x", 0.5, x);
    assertThrows(IllegalStateException.class, () -> storage.setTrialParam(id, "x", 0.25, x));
    long id2 = storage.createTrial(s);
    assertThrows(
        IllegalArgumentException.class,
        () -> storage.setTrialParam(id2, "x", 0.5, IntDistribution.of(0, 1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> storage.setTrialParam(id2, "y", 2.0, FloatDistribution.of(0, 1)));
    storage.setTrialParam(id2, "x", 0.75, FloatDistribution.of(0, 2));
    assertEquals(0.75, storage.getTrial(id2).params().get("x"));
  }

  @Test
  void valuesIncludingInfinitiesAndStates() {
    long s = storage.createStudy("v", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    long b = storage.createTrial(s);
    long c = storage.createTrial(s);
    long d = storage.createTrial(s);
    long e = storage.createTrial(s);
    long f = storage.createTrial(s);
    storage.setTrialState(a, TrialState.COMPLETE, 1.25);
    storage.setTrialState(b, TrialState.COMPLETE, Double.POSITIVE_INFINITY);
    storage.setTrialState(c, TrialState.COMPLETE, Double.NEGATIVE_INFINITY);
    storage.setTrialState(d, TrialState.PRUNED, 0.5);
    storage.setTrialState(e, TrialState.PRUNED, null);
    storage.setTrialState(f, TrialState.FAIL, null);
    assertEquals(1.25, storage.getTrial(a).value());
    assertEquals(Double.POSITIVE_INFINITY, storage.getTrial(b).value());
    assertEquals(Double.NEGATIVE_INFINITY, storage.getTrial(c).value());
    assertEquals(0.5, storage.getTrial(d).value());
    assertNull(storage.getTrial(e).value());
    assertNull(storage.getTrial(f).value());
    for (long id : List.of(a, b, c, d, e, f)) {
      FrozenTrial t = storage.getTrial(id);
      assertNotNull(t.datetimeComplete(), "complete time of " + t.number());
      assertFalse(t.datetimeComplete().isBefore(t.datetimeStart()));
    }
    assertEquals(TrialState.PRUNED, storage.getTrial(e).state());
    assertEquals(TrialState.FAIL, storage.getTrial(f).state());
    assertEquals(
        List.of(3, 4),
        storage.getAllTrials(s, EnumSet.of(TrialState.PRUNED)).stream().map(FrozenTrial::number).toList());
    assertEquals(
        3, storage.getAllTrials(s, EnumSet.of(TrialState.COMPLETE)).size());
    assertEquals(1, storage.getTrialCount(s, EnumSet.of(TrialState.FAIL)));
  }

  @Test
  void invalidFinishesAreRejectedAndFinishedTrialsAreFrozen() {
    long s = storage.createStudy("f", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    assertThrows(IllegalArgumentException.class, () -> storage.setTrialState(a, TrialState.COMPLETE, null));
    assertThrows(IllegalArgumentException.class, () -> storage.setTrialState(a, TrialState.COMPLETE, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> storage.setTrialState(a, TrialState.FAIL, 1.0));
    assertThrows(IllegalArgumentException.class, () -> storage.setTrialState(a, TrialState.RUNNING, null));
    assertEquals(TrialState.RUNNING, storage.getTrial(a).state());
    storage.setTrialState(a, TrialState.COMPLETE, 2.0);
    assertThrows(IllegalStateException.class, () -> storage.setTrialState(a, TrialState.FAIL, null));
    assertThrows(IllegalStateException.class, () -> storage.setTrialIntermediateValue(a, 0, 1.0));
    assertThrows(IllegalStateException.class, () -> storage.setTrialUserAttr(a, "k", 1));
    assertThrows(IllegalStateException.class, () -> storage.setTrialSystemAttr(a, "k", 1));
    assertThrows(
        IllegalStateException.class, () -> storage.setTrialParam(a, "x", 0.5, FloatDistribution.of(0, 1)));
    assertEquals(2.0, storage.getTrial(a).value());
    assertEquals(TrialState.COMPLETE, storage.getTrial(a).state());
  }

  @Test
  void intermediateValuesIncludingNanAndInfinities() {
    long s = storage.createStudy("iv", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    storage.setTrialIntermediateValue(a, 2, 0.5);
    storage.setTrialIntermediateValue(a, 0, Double.NaN);
    storage.setTrialIntermediateValue(a, 1, Double.POSITIVE_INFINITY);
    storage.setTrialIntermediateValue(a, 3, Double.NEGATIVE_INFINITY);
    storage.setTrialIntermediateValue(a, 2, 0.25);
    FrozenTrial t = storage.getTrial(a);
    assertEquals(List.of(0, 1, 2, 3), new ArrayList<>(t.intermediateValues().keySet()));
    assertTrue(t.intermediateValues().get(0).isNaN());
    assertEquals(Double.POSITIVE_INFINITY, t.intermediateValues().get(1));
    assertEquals(0.25, t.intermediateValues().get(2));
    assertEquals(Double.NEGATIVE_INFINITY, t.intermediateValues().get(3));
    assertEquals(3, t.lastStep().getAsInt());
  }

  @Test
  void userAndSystemAttrs() {
    long s = storage.createStudy("attrs", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("k", List.of(1, "two", 3.5));
    storage.setTrialUserAttr(a, "note", "hello");
    storage.setTrialUserAttr(a, "epochs", 12);
    storage.setTrialUserAttr(a, "nested", nested);
    storage.setTrialUserAttr(a, "note", "again");
    storage.setTrialSystemAttr(a, "fail_reason", "boom");
    FrozenTrial t = storage.getTrial(a);
    assertEquals("again", t.userAttrs().get("note"));
    assertEquals(12, ((Number) t.userAttrs().get("epochs")).intValue());
    @SuppressWarnings("unchecked")
    Map<String, Object> back = (Map<String, Object>) t.userAttrs().get("nested");
    List<?> list = (List<?>) back.get("k");
    assertEquals(1, ((Number) list.get(0)).intValue());
    assertEquals("two", list.get(1));
    assertEquals(3.5, ((Number) list.get(2)).doubleValue());
    assertEquals("boom", t.systemAttrs().get("fail_reason"));
    assertFalse(t.systemAttrs().containsKey("note"));
  }

  @Test
  void snapshotsNeverChangeAfterRead() {
    long s = storage.createStudy("snap", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    storage.setTrialParam(a, "x", 0.5, FloatDistribution.of(0, 1));
    storage.setTrialIntermediateValue(a, 0, 3.0);
    FrozenTrial before = storage.getTrial(a);
    List<FrozenTrial> listBefore = storage.getAllTrials(s);
    storage.setTrialParam(a, "y", 1, IntDistribution.of(0, 3));
    storage.setTrialIntermediateValue(a, 1, 2.0);
    storage.setTrialUserAttr(a, "u", 1);
    storage.setTrialState(a, TrialState.COMPLETE, 1.0);
    storage.createTrial(s);
    assertEquals(TrialState.RUNNING, before.state());
    assertNull(before.value());
    assertEquals(Set.of("x"), before.params().keySet());
    assertEquals(1, before.intermediateValues().size());
    assertTrue(before.userAttrs().isEmpty());
    assertEquals(1, listBefore.size());
    assertEquals(TrialState.RUNNING, listBefore.get(0).state());
    assertThrows(UnsupportedOperationException.class, () -> listBefore.add(before));
    assertThrows(UnsupportedOperationException.class, () -> before.params().put("z", 1.0));
    assertThrows(UnsupportedOperationException.class, () -> before.intermediateValues().put(5, 1.0));
    FrozenTrial after = storage.getTrial(a);
    assertEquals(Set.of("x", "y"), after.params().keySet());
    assertEquals(TrialState.COMPLETE, after.state());
  }

  // ---- enqueue

  @Test
  void waitingTrialsAreClaimedOldestFirstAndOnce() {
    long s = storage.createStudy("q", StudyDirection.MINIMIZE);
    assertTrue(storage.claimWaitingTrial(s).isEmpty());
    long running = storage.createTrial(s);
    Map<String, Object> sys1 = Map.of("fixed_params", Map.of("x", 0.25));
    Map<String, Object> sys2 = Map.of("fixed_params", Map.of("x", 0.75, "opt", "sgd"));
    long w1 = storage.createTrial(s, FrozenTrial.template(TrialState.WAITING, null, null, null, null, sys1));
    long w2 = storage.createTrial(s, FrozenTrial.template(TrialState.WAITING, null, null, null, null, sys2));
    FrozenTrial waiting = storage.getTrial(w1);
    assertEquals(TrialState.WAITING, waiting.state());
    assertNull(waiting.datetimeStart());
    assertEquals(1, waiting.number());
    assertEquals(w1, storage.claimWaitingTrial(s).getAsLong());
    assertEquals(w2, storage.claimWaitingTrial(s).getAsLong());
    assertTrue(storage.claimWaitingTrial(s).isEmpty());
    FrozenTrial claimed = storage.getTrial(w2);
    assertEquals(TrialState.RUNNING, claimed.state());
    assertNotNull(claimed.datetimeStart());
    @SuppressWarnings("unchecked")
    Map<String, Object> fixed = (Map<String, Object>) claimed.systemAttrs().get("fixed_params");
    assertEquals(0.75, ((Number) fixed.get("x")).doubleValue());
    assertEquals("sgd", fixed.get("opt"));
    assertEquals(TrialState.RUNNING, storage.getTrial(running).state());
  }

  @Test
  void finishedTemplatesAreStoredAsGiven() {
    long s = storage.createStudy("add", StudyDirection.MAXIMIZE);
    FloatDistribution d = FloatDistribution.of(-1, 1);
    long id =
        storage.createTrial(
            s,
            FrozenTrial.template(TrialState.COMPLETE, 0.75, Map.of("x", 0.5), Map.of("x", d), Map.of("u", "v"), null));
    FrozenTrial t = storage.getTrial(id);
    assertEquals(TrialState.COMPLETE, t.state());
    assertEquals(0.75, t.value());
    assertEquals(0.5, t.params().get("x"));
    assertEquals(d, t.distributions().get("x"));
    assertEquals("v", t.userAttrs().get("u"));
    assertNotNull(t.datetimeComplete());
  }

  @Test
  void invalidTemplatesAreRejected() {
    long s = storage.createStudy("bad", StudyDirection.MINIMIZE);
    FloatDistribution d = FloatDistribution.of(0, 1);
    assertThrows(
        IllegalArgumentException.class,
        () -> storage.createTrial(
            s, FrozenTrial.template(TrialState.COMPLETE, 1.0, Map.of("x", 2.0), Map.of("x", d), null, null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> storage.createTrial(s, FrozenTrial.template(TrialState.COMPLETE, null, null, null, null, null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> storage.createTrial(s, FrozenTrial.template(TrialState.FAIL, 1.0, null, null, null, null)));
    assertEquals(0, storage.getAllTrials(s).size());
  }

  @Test
  void waitingTrialsAreClaimedOnceUnderContention() throws Exception {
    long s = storage.createStudy("qc", StudyDirection.MINIMIZE);
    int n = 40;
    for (int i = 0; i < n; i++) {
      storage.createTrial(s, FrozenTrial.template(TrialState.WAITING, null, null, null, null, null));
    }
    List<Long> got = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(4, () -> {
      while (true) {
        OptionalLong id = storage.claimWaitingTrial(s);
        if (id.isEmpty()) {
          return;
        }
        got.add(id.getAsLong());
      }
    });
    assertEquals(n, got.size());
    assertEquals(n, new HashSet<>(got).size());
  }

  // ---- study attributes and the shared budget

  @Test
  void studyAttrsAreKeptPerStudyAndKind() {
    long s = storage.createStudy("attrs", StudyDirection.MINIMIZE);
    long other = storage.createStudy("other", StudyDirection.MINIMIZE);
    assertEquals(Map.of(), storage.getStudyUserAttrs(s));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("epochs", 5);
    config.put("layers", List.of(40, 16, 10));
    storage.setStudyUserAttr(s, "optimizer", "Adam");
    storage.setStudySystemAttr(s, "config", config);
    storage.setStudyUserAttr(s, "optimizer", "SGD");
    assertEquals(Map.of("optimizer", "SGD"), storage.getStudyUserAttrs(s));
    assertEquals(Map.of("config", config), storage.getStudySystemAttrs(s));
    assertEquals(Map.of(), storage.getStudySystemAttrs(other));
    assertThrows(NoSuchElementException.class, () -> storage.getStudyUserAttrs(s + other + 100));
  }

  @Test
  void compareAndSetStudySystemAttrWritesOnlyOnMatch() {
    long s = storage.createStudy("cas", StudyDirection.MINIMIZE);
    assertTrue(storage.compareAndSetStudySystemAttr(s, "k", null, Map.of("owner", "a", "beat", 0)));
    assertFalse(storage.compareAndSetStudySystemAttr(s, "k", null, Map.of("owner", "b", "beat", 0)));
    assertFalse(storage.compareAndSetStudySystemAttr(s, "k", Map.of("owner", "a", "beat", 1), "x"));
    // values compare by content, not by map order or number type
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("beat", 0L);
    reordered.put("owner", "a");
    assertTrue(storage.compareAndSetStudySystemAttr(s, "k", reordered, Map.of("owner", "a", "beat", 1)));
    assertEquals(Map.of("owner", "a", "beat", 1), storage.getStudySystemAttrs(s).get("k"));
  }

  @Test
  void exactlyOneOfConcurrentClaimsWins() throws Exception {
    long s = storage.createStudy("claim", StudyDirection.MINIMIZE);
    List<String> winners = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(4, () -> {
      String me = Thread.currentThread().getName();
      if (storage.compareAndSetStudySystemAttr(s, "final", null, me)) {
        winners.add(me);
      }
    });
    assertEquals(1, winners.size());
    assertEquals(winners.get(0), storage.getStudySystemAttrs(s).get("final"));
  }

  @Test
  void budgetCountsFinishedAndRunningTrials() {
    long s = storage.createStudy("budget", StudyDirection.MINIMIZE);
    long a = storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED)).getAsLong();
    long b = storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED)).getAsLong();
    storage.setTrialState(a, TrialState.COMPLETE, 1.0);
    storage.setTrialState(b, TrialState.FAIL, null);
    long waiting = storage.createTrial(s, FrozenTrial.template(TrialState.WAITING, null, null, null, null, null));
    // 1 COMPLETE, 0 RUNNING: the WAITING trial is claimed first
    assertEquals(waiting, storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE)).getAsLong());
    assertEquals(TrialState.RUNNING, storage.getTrial(waiting).state());
    long c = storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE)).getAsLong();
    assertNotEquals(waiting, c);
    // 1 COMPLETE + 2 RUNNING = 3: the budget is taken; the FAIL trial does not count
    assertTrue(storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE)).isEmpty());
    storage.setTrialState(c, TrialState.FAIL, null);
    assertTrue(storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.COMPLETE)).isPresent());
    assertThrows(IllegalArgumentException.class,
        () -> storage.startTrialWithinBudget(s, 3, EnumSet.of(TrialState.RUNNING)));
    assertThrows(IllegalArgumentException.class,
        () -> storage.startTrialWithinBudget(s, -1, EnumSet.of(TrialState.COMPLETE)));
  }

  @Test
  void concurrentWorkersNeverExceedTheBudget() throws Exception {
    long s = storage.createStudy("budget-conc", StudyDirection.MINIMIZE);
    int budget = 30;
    List<Long> ran = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(4, () -> {
      while (true) {
        OptionalLong id = storage.startTrialWithinBudget(s, budget, EnumSet.of(TrialState.COMPLETE));
        if (id.isEmpty()) {
          return;
        }
        storage.setTrialState(id.getAsLong(), TrialState.COMPLETE, 1.0);
        ran.add(id.getAsLong());
      }
    });
    assertEquals(budget, ran.size());
    assertEquals(budget, storage.getAllTrials(s).size());
  }

  // ---- concurrency

  @Test
  void concurrentCreateTrialGivesDistinctNumbers() throws Exception {
    long s = storage.createStudy("conc", StudyDirection.MINIMIZE);
    int threads = 4;
    int perThread = 25;
    List<Long> ids = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(threads, () -> {
      for (int i = 0; i < perThread; i++) {
        long id = storage.createTrial(s);
        storage.setTrialState(id, TrialState.COMPLETE, (double) i);
        ids.add(id);
      }
    });
    int n = threads * perThread;
    assertEquals(n, new HashSet<>(ids).size());
    List<FrozenTrial> all = storage.getAllTrials(s);
    assertEquals(n, all.size());
    List<Integer> numbers = new ArrayList<>();
    for (FrozenTrial t : all) {
      numbers.add(t.number());
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    assertEquals(expected, numbers);
  }

  // ---- heartbeats

  @Test
  void staleRunningTrialsAreFailedAfterGrace() throws Exception {
    long s = storage.createStudy("hb", StudyDirection.MINIMIZE);
    long stale = storage.createTrial(s);
    long fresh = storage.createTrial(s);
    long silent = storage.createTrial(s);
    long done = storage.createTrial(s);
    storage.recordHeartbeat(stale);
    storage.recordHeartbeat(done);
    storage.setTrialState(done, TrialState.COMPLETE, 1.0);
    clock.advance(Duration.ofMillis(2500));
    storage.recordHeartbeat(fresh);
    List<Long> failed = storage.failStaleTrials(s, Duration.ofMillis(1500));
    assertEquals(List.of(stale), failed);
    assertEquals(TrialState.FAIL, storage.getTrial(stale).state());
    assertNotNull(storage.getTrial(stale).datetimeComplete());
    assertEquals(TrialState.RUNNING, storage.getTrial(fresh).state());
    assertEquals(TrialState.RUNNING, storage.getTrial(silent).state());
    assertEquals(TrialState.COMPLETE, storage.getTrial(done).state());
    assertEquals(List.of(), storage.failStaleTrials(s, Duration.ofMillis(1500)));
  }

  @Test
  void aStaleTrialsRetryIsCreatedWithItsFailure() throws Exception {
    long s = storage.createStudy("hb-retry", StudyDirection.MINIMIZE);
    long stale = storage.createTrial(s);
    storage.setTrialParam(stale, "x", 0.25, new FloatDistribution(0, 1, false, null));
    storage.recordHeartbeat(stale);
    clock.advance(Duration.ofMillis(2500));
    List<FrozenTrial> seen = new ArrayList<>();
    List<Long> failed = storage.failStaleTrials(s, Duration.ofMillis(1500), t -> {
      seen.add(t);
      return FrozenTrial.template(TrialState.WAITING, null, t.params(), t.distributions(), Map.of(),
          Map.of("failed_trial", t.number()));
    });
    assertEquals(List.of(stale), failed);
    assertEquals(TrialState.FAIL, seen.get(0).state(), "the retry sees the failed trial");
    List<FrozenTrial> waiting = storage.getAllTrials(s, EnumSet.of(TrialState.WAITING));
    assertEquals(1, waiting.size());
    assertEquals(Map.of("x", 0.25), waiting.get(0).params());
    assertEquals(0, ((Number) waiting.get(0).systemAttrs().get("failed_trial")).intValue());
    assertEquals(List.of(), storage.failStaleTrials(s, Duration.ofMillis(1500), t -> {
      throw new AssertionError("no stale trial left");
    }));
  }

  /** Runs {@code body} on {@code threads} threads started together; rethrows any failure. */
  protected static void runConcurrently(int threads, ThrowingRunnable body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          body.run();
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A runnable that may throw. */
  @FunctionalInterface
  protected interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** The distribution JSON round trip a database-backed storage relies on. */
  @Test
  void distributionsSurviveTheirJson() {
    for (Distribution d :
        List.of(
            new FloatDistribution(1e-5, 0.1, true, null),
            new FloatDistribution(0.5, 0.99, false, 0.01),
            new IntDistribution(8, 256, false, 8),
            CategoricalDistribution.of("adam", null, 3, 2.5, true))) {
      assertEquals(d, Distribution.fromJson(d.toJson()));
    }
  }
}
