package dev.tfblend.experiment;

import dev.tfblend.concurrent.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs tasks {@code 0..n-1} on up to {@code threads} threads of their own, each thread taking the
 * next task in index order, and returns when all have ended. When a task throws, no thread starts
 * another task, the other threads are interrupted (a study's workers then finish their running
 * trial and stop), and the first exception is re-thrown once every thread has stopped.
 */
final class Concurrently {
  private Concurrently() {}

  /**
   * @param name the threads' name prefix
   * @param n how many tasks
   * @param threads at most this many run at once; 1 runs them in order on the calling thread
   * @param task runs task {@code i}
   */
  static void run(String name, int n, int threads, IntConsumer task) {
    if (threads <= 1 || n <= 1) {
      for (int i = 0; i < n; i++) {
        task.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(threads, n); w++) {
      Thread t = new Thread(() -> {
        for (int i = next.getAndIncrement(); i < n && failure.get() == null; i = next.getAndIncrement()) {
          try {
            task.accept(i);
          } catch (RuntimeException | Error e) {
            if (failure.compareAndSet(null, e)) {
              workers.forEach(o -> {
                if (o != Thread.currentThread()) {
                  o.interrupt();
                }
              });
            }
            return;
          }
        }
      }, name + "-" + w);
      t.setDaemon(true);
      workers.add(t);
    }
    // an interrupted caller passes it on to the workers, and waits for the tasks to stop
    Workers.startAndJoin(workers, failure, () -> {});
  }
}
