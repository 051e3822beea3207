package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataSplitsTest {
  private static final Mnist1dData SMALL = Mnist1d.generate(
      Mnist1dConfig.defaults().withNumSamples(500));

  @Test
  void defaultSplitCarvesValidationFromTrainAndLeavesTestAlone() {
    DataSplits s = DataSplits.mnist1dDefault();
    Mnist1dData d = Mnist1d.defaultData();
    assertEquals(3200, s.train().size());
    assertEquals(800, s.validation().size());
    assertSame(d.test(), s.test());
    Set<double[]> rows = Collections.newSetFromMap(new IdentityHashMap<>());
    Collections.addAll(rows, s.train().x());
    Collections.addAll(rows, s.validation().x());
    assertEquals(4000, rows.size(), "train and validation are disjoint and cover all 4000");
    for (double[] r : d.train().x()) {
      assertTrue(rows.contains(r));
    }
  }

  @Test
  void sameSeedSameSplitOtherSeedOtherSplit() {
    DataSplits a = DataSplits.of(SMALL, 80, 5);
    DataSplits b = DataSplits.of(SMALL, 80, 5);
    DataSplits c = DataSplits.of(SMALL, 80, 6);
    assertSame(a.validation().x()[0], b.validation().x()[0]);
    assertNotEquals(a.validation().x()[0], c.validation().x()[0]);
  }

  @Test
  void validationIsTheSortedHeadOfANumpyPermutation() {
    DataSplits s = DataSplits.of(SMALL, 3, 42);
    int[] perm = new LegacyRandomState(42).permutation(400);
    int[] head = {perm[0], perm[1], perm[2]};
    java.util.Arrays.sort(head);
    for (int k = 0; k < 3; k++) {
      assertSame(SMALL.train().x()[head[k]], s.validation().x()[k]);
    }
  }

  @Test
  void badSizesAreRejected() {
    assertThrows(BadInputException.class, () -> DataSplits.of(SMALL, 0, 1));
    assertThrows(BadInputException.class, () -> DataSplits.of(SMALL, 400, 1));
    assertThrows(BadInputException.class, () -> DataSplits.of(SMALL, 10, -1));
  }
}
