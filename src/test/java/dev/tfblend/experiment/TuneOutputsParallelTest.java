package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link TuneOutputs#inParallel}: the charts' tasks, their order and their failures. */
class TuneOutputsParallelTest {
  @Test
  void resultsComeInTheTasksOrderWhateverFinishesFirst() {
    CountDownLatch firstMayEnd = new CountDownLatch(1);
    List<Callable<String>> tasks = new ArrayList<>();
    tasks.add(() -> {
      // waits for a later task (on another thread, when there is one) before it ends
      firstMayEnd.await(Runtime.getRuntime().availableProcessors() > 1 ? 10 : 0, TimeUnit.SECONDS);
      return "a";
    });
    tasks.add(() -> {
      firstMayEnd.countDown();
      return "b";
    });
    tasks.add(() -> "c");
    assertEquals(List.of("a", "b", "c"), TuneOutputs.inParallel(tasks));
  }

  @Test
  void theFirstFailureInTaskOrderIsThrownAsThrown() {
    UncheckedIOException disk = new UncheckedIOException("disk full", new java.io.IOException("disk full"));
    List<Callable<String>> tasks = List.of(() -> "a", () -> {
      throw disk;
    }, () -> {
      throw new IllegalStateException("later");
    });
    assertSame(disk, assertThrows(UncheckedIOException.class, () -> TuneOutputs.inParallel(tasks)));
  }
}
