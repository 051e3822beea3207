package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.sampler.Sampler;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** {@link Study#optimizeShared} with {@code jobs} &gt; 1: several trials of one study object at once. */
class StudyJobsTest {
  private static final Duration POLL = Duration.ofMillis(20);

  private static Study study(Sampler sampler) {
    Study s = Study.create("jobs", new InMemoryStorage(), StudyDirection.MINIMIZE, sampler, new NopPruner());
    s.setWarningListener(w -> { });
    return s;
  }

  /** Draws x and y when the trial starts; scores x^2 + y after a pause that depends on the trial. */
  private static final class Quadratic implements Objective {
    @Override
    public void sample(Trial trial) {
      trial.suggestFloat("x", -3, 3);
      trial.suggestFloat("y", 1e-3, 1, true);
    }

    @Override
    public double evaluate(Trial trial) throws Exception {
      double x = trial.suggestFloat("x", -3, 3);
      double y = trial.suggestFloat("y", 1e-3, 1, true);
      // uneven durations, so that trials finish out of order
      Thread.sleep(5 + 13 * (trial.number() % 3));
      return x * x + y;
    }
  }

  @Test
  void runsTrialsAtOnceAndMeetsTheBudgetExactly() {
    Study study = study(new RandomSampler(1));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch together = new CountDownLatch(3);
    List<FrozenTrial> ran = study.optimizeShared(trial -> {
      int now = inside.incrementAndGet();
      most.accumulateAndGet(now, Math::max);
      together.countDown();
      // the first three trials wait for each other: only concurrent trials get past this at once
      together.await(10, TimeUnit.SECONDS);
      inside.decrementAndGet();
      return trial.suggestFloat("x", 0, 1);
    }, 10, POLL, running -> { }, List.of(), 3);
    assertEquals(3, most.get(), "trials running at once");
    assertEquals(10, ran.size());
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), ran.stream().map(FrozenTrial::number).toList());
    assertEquals(10, study.trials(EnumSet.of(TrialState.COMPLETE)).size());
    assertEquals(10, study.trials().size(), "no trial beyond the budget");
  }

  @Test
  void trialsDrawWhatTheyDrawOneAtATime() {
    List<LongFunction<Sampler>> samplers = List.of(RandomSampler::new, TpeSampler::new,
        seed -> new TpeSampler(TpeSampler.Config.defaults(seed).withConstantLiar(true)));
    for (LongFunction<Sampler> sampler : samplers) {
      Study one = study(sampler.apply(42));
      one.optimizeShared(new Quadratic(), 9, POLL, running -> { }, List.of(), 1);
      Study three = study(sampler.apply(42));
      three.optimizeShared(new Quadratic(), 9, POLL, running -> { }, List.of(), 3);
      // 9 trials: TPE is in its random startup throughout
      List<Map<String, Object>> a = one.trials().stream().map(FrozenTrial::params).toList();
      List<Map<String, Object>> b = three.trials().stream().map(FrozenTrial::params).toList();
      assertEquals(a, b, sampler.apply(42).getClass().getSimpleName());
      assertEquals(one.trials().stream().map(FrozenTrial::value).toList(),
          three.trials().stream().map(FrozenTrial::value).toList());
    }
  }

  @Test
  void anUncaughtExceptionStopsNewTrialsLetsRunningOnesFinishAndIsRethrown() {
    Study study = study(new RandomSampler(3));
    CountDownLatch bothStarted = new CountDownLatch(2);
    AtomicReference<Thread> failing = new AtomicReference<>();
    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
        study.optimizeShared(trial -> {
          bothStarted.countDown();
          bothStarted.await(10, TimeUnit.SECONDS);
          if (trial.number() == 0) {
            failing.set(Thread.currentThread());
            throw new IllegalStateException("broken objective");
          }
          // trial 1 ends only after the failing worker has stopped
          while (failing.get() == null) {
            Thread.sleep(5);
          }
          failing.get().join(10_000);
          return 1.0;
        }, 10, POLL, running -> { }, List.of(), 2));
    assertEquals("broken objective", e.getMessage());
    List<FrozenTrial> trials = study.trials();
    assertEquals(2, trials.size(), "no trial started after the failure: " + trials);
    assertEquals(TrialState.FAIL, trials.get(0).state());
    assertEquals(TrialState.COMPLETE, trials.get(1).state(), "the running trial finished as it would");
  }

  @Test
  void aStudyWhoseTrialsAllFailRunsAsManyAsOneAtATime() {
    Study study = study(new RandomSampler(4));
    List<FrozenTrial> ran = study.optimizeShared(trial -> {
      throw new ArithmeticException("diverged");
    }, 3, POLL, running -> { }, List.of(ArithmeticException.class), 2);
    assertEquals(3, ran.size());
    assertEquals(3, study.trials().size());
    assertTrue(ran.stream().allMatch(t -> t.state() == TrialState.FAIL));
  }

  /** After stopStarting, the running trial finishes as it would and no other starts. */
  @Test
  void stopStartingLetsTheRunningTrialFinishAndStartsNoOther() throws Exception {
    Study study = study(new RandomSampler(7));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch letFinish = new CountDownLatch(1);
    AtomicReference<List<FrozenTrial>> ran = new AtomicReference<>();
    Thread worker = new Thread(() -> ran.set(study.optimizeShared(trial -> {
      inside.countDown();
      letFinish.await(10, TimeUnit.SECONDS);
      return trial.suggestFloat("x", 0, 1);
    }, 5, POLL, running -> { }, List.of(), 1)));
    worker.start();
    assertTrue(inside.await(10, TimeUnit.SECONDS));
    study.stopStarting();
    assertTrue(study.isInterrupted());
    letFinish.countDown();
    worker.join(10_000);
    assertEquals(1, ran.get().size(), "no trial after the first");
    assertEquals(List.of(TrialState.COMPLETE), study.trials().stream().map(FrozenTrial::state).toList());
    assertThrows(IllegalStateException.class, study::ask);
  }

  /**
   * The same, 200 times: a worker decides whether to start another trial from one view of the
   * failed trials and its own running ones (a trial leaves the running ones and becomes FAIL in
   * one step). Before, about one run in thirty started a fourth trial.
   */
  @Test
  void aStudyWhoseTrialsAllFailNeverStartsMoreThanOneAtATimeWouldAcrossManyRuns() {
    for (int round = 0; round < 200; round++) {
      Study study = study(new RandomSampler(round));
      study.optimizeShared(trial -> {
        throw new ArithmeticException("diverged");
      }, 3, POLL, running -> { }, List.of(ArithmeticException.class), 2);
      assertEquals(3, study.trials().size(), "round " + round);
    }
  }

  /**
   * An interrupt that comes while a trial is being started waits until it has drawn its
   * parameters, so the retry it queues carries them (Ctrl-C just after a trial started).
   */
  @Test
  void anInterruptWhileATrialDrawsWaitsForItsParameters() throws Exception {
    Study study = study(new RandomSampler(6));
    CountDownLatch drawing = new CountDownLatch(1);
    CountDownLatch letDraw = new CountDownLatch(1);
    Thread worker = new Thread(() -> study.optimizeShared(new Objective() {
      @Override
      public void sample(Trial trial) throws Exception {
        drawing.countDown();
        letDraw.await(10, TimeUnit.SECONDS);
        trial.suggestFloat("x", 0, 1);
      }

      @Override
      public double evaluate(Trial trial) throws Exception {
        Thread.sleep(10_000);
        return 0;
      }
    }, 1, POLL, running -> { }, List.of(), 1));
    worker.setDaemon(true);
    worker.start();
    assertTrue(drawing.await(10, TimeUnit.SECONDS));
    AtomicReference<List<Integer>> ended = new AtomicReference<>();
    Thread interrupter = new Thread(() -> ended.set(study.interrupt()));
    interrupter.start();
    interrupter.join(300);
    assertTrue(interrupter.isAlive(), "the interrupt waits while the trial draws");
    letDraw.countDown();
    interrupter.join(10_000);
    assertEquals(List.of(0), ended.get());
    List<FrozenTrial> trials = study.trials();
    assertEquals(TrialState.FAIL, trials.get(0).state());
    assertTrue(trials.get(0).params().containsKey("x"), "the interrupted trial has its parameter");
    assertEquals(TrialState.WAITING, trials.get(1).state());
    assertEquals(trials.get(0).params(), trials.get(1).params(), "the retry carries it");
    worker.interrupt();
    worker.join(10_000);
  }

  @Test
  void interruptEndsEveryRunningTrialAndQueuesThemAgain() throws Exception {
    Study study = study(new RandomSampler(5));
    CountDownLatch bothStarted = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<List<FrozenTrial>> ran = new AtomicReference<>();
    Thread optimizing = new Thread(() -> ran.set(study.optimizeShared(trial -> {
      trial.suggestFloat("x", 0, 1);
      bothStarted.countDown();
      release.await(10, TimeUnit.SECONDS);
      return 0.5;
    }, 10, POLL, running -> { }, List.of(), 2)));
    optimizing.start();
    assertTrue(bothStarted.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(0, 1), study.interrupt());
    release.countDown();
    optimizing.join(10_000);
    assertFalse(optimizing.isAlive());
    Map<Integer, FrozenTrial> byNumber = new ConcurrentHashMap<>();
    study.trials().forEach(t -> byNumber.put(t.number(), t));
    assertEquals(4, byNumber.size(), "two ended trials and their two retries, nothing else: " + byNumber);
    for (int n : new int[] {0, 1}) {
      assertEquals(TrialState.FAIL, byNumber.get(n).state());
      assertEquals(Study.INTERRUPTED, byNumber.get(n).systemAttrs().get(Study.FAIL_REASON));
    }
    List<Object> retried = new ArrayList<>();
    for (int n : new int[] {2, 3}) {
      assertEquals(TrialState.WAITING, byNumber.get(n).state());
      retried.add(byNumber.get(n).systemAttrs().get("failed_trial"));
      assertEquals(byNumber.get(n - 2).params(), byNumber.get(n).params());
    }
    assertEquals(List.of(0, 1), retried);
    assertEquals(List.of(0, 1), ran.get().stream().map(FrozenTrial::number).toList());
    assertTrue(ran.get().stream().allMatch(t -> t.state() == TrialState.FAIL), "the objective's late value is dropped");
  }

  @Test
  void jobsMustBePositive() {
    Study study = study(new RandomSampler(6));
    assertThrows(IllegalArgumentException.class,
        () -> study.optimizeShared(t -> 0.0, 1, POLL, running -> { }, List.of(), 0));
  }
}
