package dev.tfblend.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reference values from numpy's {@code numpy.random.RandomState(seed)}. */
class Mt19937Test {
  @Test
  void seedingMatchesNumpyStateKey() throws IOException {
    long[] want = goldenRow("numpy-legacy-rng.v1.txt", "state_key_head");
    assertArrayEquals(want, new Mt19937(42).keyHead(want.length));
  }

  /** The integers of line {@code key} of a {@code /golden/} file ({@code key v1 v2 ...}). */
  private static long[] goldenRow(String file, String key) throws IOException {
    try (InputStream in = Mt19937Test.class.getResourceAsStream("/golden/" + file)) {
      assertNotNull(in, "missing test resource /golden/" + file);
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] p = line.trim().split(" ");
        if (p[0].equals(key)) {
          return Arrays.stream(p, 1, p.length).mapToLong(Long::parseLong).toArray();
        }
      }
    }
    throw new AssertionError("golden key missing: " + key);
  }

  @Test
  void matchesNumpyRandomState() {
    Mt19937 r = new Mt19937(0);
    assertEquals(0.5488135039273248, r.nextDouble());
    assertEquals(0.7151893663724195, r.nextDouble());
    assertEquals(8.944241392257219, new Mt19937(12345).uniform(-5, 10));
    Mt19937 s = new Mt19937(7);
    double last = 0;
    for (int i = 0; i < 700; i++) {
      last = s.nextDouble(); // crosses a twist of the 624-word state
    }
    assertEquals(0.33871568992326884, last);
  }

  @Test
  void rejectsSeedsNumpyRejects() {
    assertThrows(IllegalArgumentException.class, () -> new Mt19937(-1));
    assertThrows(IllegalArgumentException.class, () -> new Mt19937(1L << 32));
  }
}
