package dev.tfblend;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Loads TensorFlow's native library once per process, optionally on a background thread started
 * early, so that the load (about a second of one core, mostly the dynamic linker and TensorFlow's
 * static initialisers) runs while the command parses its options and config.
 *
 * <p>Order: {@link #startInBackground()} (at most once matters; later calls do nothing), then
 * {@link #await()} wherever the library must be there and the load's duration is wanted, and
 * {@link #awaitQuietly} before the process exits, so it never exits while the library is half
 * loaded. Code that simply uses TensorFlow needs none of this: the JVM makes it wait for the
 * class initialisation the background thread is running. Thread-safe.
 */
public final class TensorFlowLoad {
  private static FutureTask<Double> load;

  private TensorFlowLoad() {}

  /** Starts loading on a daemon thread, unless a load was started already. */
  public static synchronized void startInBackground() {
    if (load == null) {
      load = new FutureTask<>(TensorFlowLoad::loadNow);
      Thread t = new Thread(load, "tensorflow-load");
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Makes sure the library is loaded and returns the seconds the load took (on whichever thread
   * it ran; 0 when it was loaded earlier by other means).
   *
   * @throws Error what loading threw (for example {@link ExceptionInInitializerError})
   */
  public static double await() {
    FutureTask<Double> task;
    synchronized (TensorFlowLoad.class) {
      if (load == null) {
        load = new FutureTask<>(TensorFlowLoad::loadNow);
        load.run();
      }
      task = load;
    }
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while TensorFlow loads", e);
    }
  }

  /** Waits up to {@code seconds} for a started load to end, whatever its outcome. */
  public static void awaitQuietly(long seconds) {
    FutureTask<Double> task;
    synchronized (TensorFlowLoad.class) {
      task = load;
    }
    if (task == null) {
      return;
    }
    try {
      task.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // the command reported what mattered; a failed load is reported where TensorFlow is used
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Double loadNow() {
    long t = System.nanoTime();
    org.tensorflow.TensorFlow.version();
    return (System.nanoTime() - t) / 1e9;
  }
}
