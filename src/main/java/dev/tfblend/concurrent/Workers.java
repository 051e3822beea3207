package dev.tfblend.concurrent;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Waits for worker threads to end, whatever happens to the waiting thread meanwhile, and hands
 * on the first failure a worker recorded.
 */
public final class Workers {
  private Workers() {}

  /**
   * Starts {@code workers} and returns when every one has ended. When the calling thread is
   * interrupted while it waits, {@code onInterrupt} runs, every worker is interrupted and the wait
   * goes on; the caller's interrupt flag is set again before this returns or throws. Then the
   * throwable in {@code failure} (the first one a worker recorded there), if any, is re-thrown.
   *
   * @param workers threads not yet started
   * @param failure where the workers record the first {@link RuntimeException} or {@link Error}
   *     one of them threw
   * @param onInterrupt what the caller does to make its workers stop, besides interrupting them
   */
  public static void startAndJoin(List<Thread> workers, AtomicReference<Throwable> failure, Runnable onInterrupt) {
    workers.forEach(Thread::start);
    boolean interrupted = false;
    for (Thread t : workers) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          onInterrupt.run();
          workers.forEach(Thread::interrupt);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable first = failure.get();
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof Error e) {
      throw e;
    }
  }
}
