package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TrialSlots}, alone and shared by studies tuned at once. */
class TrialSlotsTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  @Test
  void refusesNoSlots() {
    assertThrows(IllegalArgumentException.class, () -> new TrialSlots(0));
  }

  @Test
  void givesAtMostItsSlotsAndTimesOut() throws Exception {
    TrialSlots slots = new TrialSlots(2);
    assertTrue(slots.tryAcquire(0, LONG));
    assertTrue(slots.tryAcquire(5, LONG));
    assertEquals(2, slots.taken());
    long t0 = System.nanoTime();
    assertFalse(slots.tryAcquire(0, Duration.ofMillis(50)), "no slot is free");
    assertTrue(System.nanoTime() - t0 >= 45_000_000L, "it waited for its timeout");
    slots.release();
    assertTrue(slots.tryAcquire(0, Duration.ofMillis(50)));
    slots.release();
    slots.release();
    assertEquals(0, slots.taken());
    assertThrows(IllegalStateException.class, slots::release, "nothing is taken");
  }

  @Test
  void aFreedSlotGoesToTheLowestPriorityNumberThenToTheEarliest() throws Exception {
    TrialSlots slots = new TrialSlots(1);
    assertTrue(slots.tryAcquire(0, LONG));
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    List<Thread> waiters = new ArrayList<>();
    // asked in this order: late (2), first-of-1, second-of-1, urgent (0)
    String[] names = {"late", "first-of-1", "second-of-1", "urgent"};
    int[] priorities = {2, 1, 1, 0};
    for (int i = 0; i < names.length; i++) {
      String name = names[i];
      int priority = priorities[i];
      Thread t = new Thread(() -> {
        try {
          if (slots.tryAcquire(priority, LONG)) {
            order.add(name);
            slots.release();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      waiters.add(t);
      // each waiter is queued before the next asks
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
        Thread.sleep(1);
      }
    }
    slots.release();
    for (Thread t : waiters) {
      t.join(10_000);
    }
    assertEquals(List.of("urgent", "first-of-1", "second-of-1", "late"), order);
  }

  @Test
  void tellsAHolderWhenAMoreUrgentWorkerWaits() throws Exception {
    TrialSlots slots = new TrialSlots(1);
    assertTrue(slots.tryAcquire(1, LONG));
    assertFalse(slots.moreUrgentWaiting(1), "nobody waits");
    Thread later = new Thread(() -> {
      try {
        if (slots.tryAcquire(2, Duration.ofMillis(300))) {
          slots.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    later.start();
    while (later.getState() != Thread.State.TIMED_WAITING) {
      Thread.sleep(1);
    }
    assertFalse(slots.moreUrgentWaiting(1), "a less urgent worker waits: the holder keeps its slot");
    Thread urgent = new Thread(() -> {
      try {
        if (slots.tryAcquire(0, LONG)) {
          slots.release();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    urgent.start();
    while (urgent.getState() != Thread.State.TIMED_WAITING) {
      Thread.sleep(1);
    }
    assertTrue(slots.moreUrgentWaiting(1));
    slots.release();
    urgent.join(10_000);
    later.join(10_000);
    assertEquals(0, slots.taken());
  }

  @Test
  void anInterruptedWaiterTakesNoSlotAndLeavesTheQueue() throws Exception {
    TrialSlots slots = new TrialSlots(1);
    assertTrue(slots.tryAcquire(0, LONG));
    List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
    Thread t = new Thread(() -> {
      try {
        slots.tryAcquire(0, LONG);
      } catch (InterruptedException e) {
        thrown.add(e);
      }
    });
    t.start();
    while (t.getState() != Thread.State.TIMED_WAITING) {
      Thread.sleep(1);
    }
    t.interrupt();
    t.join(10_000);
    assertEquals(1, thrown.size());
    slots.release();
    // the interrupted waiter does not block the next one
    assertTrue(slots.tryAcquire(3, Duration.ofMillis(200)));
    assertEquals(1, slots.taken());
  }

  @Test
  void studiesTunedAtOnceShareTheSlotsAndEachMeetsItsBudget() throws Exception {
    TrialSlots slots = new TrialSlots(2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch twoAtOnce = new CountDownLatch(2);
    List<Study> studies = new ArrayList<>();
    InMemoryStorage storage = new InMemoryStorage();
    for (int s = 0; s < 3; s++) {
      Study st = Study.create("s" + s, storage, StudyDirection.MINIMIZE, new RandomSampler(s), new NopPruner());
      st.setWarningListener(w -> { });
      studies.add(st);
    }
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int s = 0; s < studies.size(); s++) {
      Study st = studies.get(s);
      int priority = s;
      Thread t = new Thread(() -> {
        try {
          // each study would run 3 trials at once on its own; the shared slots allow 2 in all
          st.optimizeShared(trial -> {
            int now = inside.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            twoAtOnce.countDown();
            twoAtOnce.await(10, TimeUnit.SECONDS);
            Thread.sleep(5);
            inside.decrementAndGet();
            return trial.suggestFloat("x", 0, 1);
          }, 6, Duration.ofMillis(20), running -> { }, List.of(), 3, slots, priority);
        } catch (RuntimeException | Error e) {
          failures.add(e);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertEquals(List.of(), failures);
    assertEquals(2, most.get(), "trials running at once across the three studies");
    for (Study st : studies) {
      assertEquals(6, st.trials(EnumSet.of(TrialState.COMPLETE)).size(), st.name());
      assertEquals(6, st.trials().size(), "no trial beyond the budget in " + st.name());
    }
    assertEquals(0, slots.taken(), "every slot given back");
  }

  @Test
  void theMostUrgentStudyKeepsItsSlotsUntilItsBudgetIsMet() throws Exception {
    TrialSlots slots = new TrialSlots(1);
    InMemoryStorage storage = new InMemoryStorage();
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    Study urgent = Study.create("urgent", storage, StudyDirection.MINIMIZE, new RandomSampler(1), new NopPruner());
    Study other = Study.create("other", storage, StudyDirection.MINIMIZE, new RandomSampler(2), new NopPruner());
    CountDownLatch bothAsked = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (Study st : List.of(urgent, other)) {
      st.setWarningListener(w -> { });
      int priority = st == urgent ? 0 : 1;
      Thread t = new Thread(() -> st.optimizeShared(trial -> {
        order.add(st.name());
        // the first trial (whichever study got the free slot) waits until both studies wait
        bothAsked.await(10, TimeUnit.SECONDS);
        Thread.sleep(2);
        return 0.0;
      }, 4, Duration.ofMillis(20), running -> { }, List.of(), 1, slots, priority));
      threads.add(t);
      t.start();
    }
    // both studies have a worker holding or waiting for the one slot
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (order.isEmpty() || !threads.stream().allMatch(t -> t.getState() != Thread.State.RUNNABLE
        && t.getState() != Thread.State.NEW) && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    bothAsked.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }
    // whichever started first, once the urgent study runs it runs all its trials in a row
    String joined = String.join(",", order);
    int firstUrgent = order.indexOf("urgent");
    assertEquals(List.of("urgent", "urgent", "urgent", "urgent"), order.subList(firstUrgent, firstUrgent + 4), joined);
    assertEquals(8, order.size(), joined);
  }
}
