package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
  @Test
  void eachEpochIsAPermutationRepeatableAndDifferentFromTheLast() {
    int[] e0 = Batches.epochOrder(100, 7, 0);
    int[] e1 = Batches.epochOrder(100, 7, 1);
    assertArrayEquals(e0, Batches.epochOrder(100, 7, 0));
    assertFalse(Arrays.equals(e0, e1));
    assertFalse(Arrays.equals(e0, Batches.epochOrder(100, 8, 0)));
    int[] sorted = e1.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 100; i++) {
      assertEquals(i, sorted[i]);
    }
  }

  @Test
  void epochOrderIsANumpyPermutationOfTheEpochSeed() {
    assertArrayEquals(new LegacyRandomState(Batches.epochSeed(3, 4)).permutation(50),
        Batches.epochOrder(50, 3, 4));
  }

  @Test
  void lastPartialBatchIsKept() {
    List<int[]> b = Batches.epochBatches(10, 4, 1, 0);
    assertEquals(3, b.size());
    assertEquals(4, b.get(0).length);
    assertEquals(2, b.get(2).length);
    int[] order = Batches.epochOrder(10, 1, 0);
    assertArrayEquals(Arrays.copyOfRange(order, 8, 10), b.get(2));
    assertEquals(800, Batches.numBatches(3200, 4));
    assertEquals(25, Batches.numBatches(3200, 128));
    assertEquals(11, Batches.numBatches(3200, 300));
    assertThrows(IndexOutOfBoundsException.class, () -> Batches.batch(order, 3, 4));
    assertThrows(IllegalArgumentException.class, () -> Batches.numBatches(10, 0));
  }
}
