package dev.tfblend.tune;

import java.time.Duration;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * A limit on how many trials run at once across several studies tuned together in one process
 * (for example {@code tune}'s three studies sharing {@code --jobs} cores), handed out by
 * priority: a waiting worker of a study with a lower priority number gets the next free slot
 * before any worker of a study with a higher one, and workers of one priority get slots in the
 * order they asked. Giving the study with the longest trials the lowest number schedules the
 * longest work first, so the short trials of the others fill the gaps at the end.
 *
 * <p>Thread-safe. A study's worker takes a slot before it starts a trial and keeps it for its next
 * trial unless {@link #moreUrgentWaiting} ({@link Study#optimizeShared(Objective, int, Duration,
 * java.util.function.Consumer, java.util.List, int, TrialSlots, int)}), so the most urgent study
 * keeps the slots it has until its budget is met.
 */
public final class TrialSlots {
  private final int slots;
  private int taken;
  private long asked;
  // the waiting workers, most urgent first: by priority, then in asking order
  private final TreeSet<long[]> waiting =
      new TreeSet<>(Comparator.<long[]>comparingLong(w -> w[0]).thenComparingLong(w -> w[1]));

  /**
   * @param slots how many trials may run at once (positive)
   * @throws IllegalArgumentException when {@code slots} is not positive
   */
  public TrialSlots(int slots) {
    if (slots <= 0) {
      throw new IllegalArgumentException("slots must be positive, got " + slots);
    }
    this.slots = slots;
  }

  /** How many slots are taken now. */
  public synchronized int taken() {
    return taken;
  }

  /**
   * Takes a slot, waiting at most {@code timeout} for one: a slot is free and no worker of a
   * lower priority number, nor an earlier one of the same number, is waiting.
   *
   * @param priority lower numbers are served first
   * @return true when a slot was taken (give it back with {@link #release}), false when the
   *     time passed
   * @throws InterruptedException when the thread is interrupted while waiting (no slot taken)
   */
  public synchronized boolean tryAcquire(int priority, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long[] me = {priority, asked++};
    waiting.add(me);
    try {
      while (taken >= slots || waiting.first() != me) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      taken++;
      return true;
    } finally {
      waiting.remove(me);
      notifyAll();
    }
  }

  /**
   * Whether a worker with a lower priority number than {@code priority} is waiting for a slot: a
   * worker holding a slot between two trials gives it back then, and keeps it otherwise.
   */
  public synchronized boolean moreUrgentWaiting(int priority) {
    return !waiting.isEmpty() && waiting.first()[0] < priority;
  }

  /** Gives back a slot taken by {@link #tryAcquire}. */
  public synchronized void release() {
    if (taken <= 0) {
      throw new IllegalStateException("no slot is taken");
    }
    taken--;
    notifyAll();
  }
}
