package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Mnist1dCache}: the generator's data bit for bit, keyed by config and code, damage ignored. */
class Mnist1dCacheTest {
  private static final Mnist1dConfig SMALL = Mnist1dConfig.defaults().withNumSamples(300);

  @TempDir Path dir;

  @Test
  void aCachedDataSetIsTheGeneratedOneBitForBit() throws Exception {
    Mnist1dData generated = Mnist1d.generate(SMALL);
    Mnist1dData first = Mnist1dCache.data(SMALL, dir);
    assertSame(generated, first);
    Path file = onlyFile();
    long written = Files.getLastModifiedTime(file).toMillis();
    Mnist1dData second = Mnist1dCache.data(SMALL, dir);
    assertSame(generated, second);
    assertEquals(written, Files.getLastModifiedTime(file).toMillis(), "read, not written again");
    assertEquals(SMALL, second.config());
  }

  @Test
  void anotherConfigHasAnotherFile() throws Exception {
    String a = Mnist1dCache.key(SMALL);
    String b = Mnist1dCache.key(SMALL.withSeed(SMALL.seed() + 1));
    assertNotNull(a);
    assertNotEquals(a, b);
    assertEquals(a, Mnist1dCache.key(Mnist1dConfig.defaults().withNumSamples(300)), "the same config, the same key");
    Mnist1dCache.data(SMALL, dir);
    Mnist1dCache.data(SMALL.withSeed(7), dir);
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(2, s.count());
    }
  }

  @Test
  void aDamagedOrTruncatedFileIsIgnoredAndReplaced() throws Exception {
    Mnist1dData generated = Mnist1d.generate(SMALL);
    Mnist1dCache.data(SMALL, dir);
    Path file = onlyFile();
    byte[] good = Files.readAllBytes(file);
    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 1;
    Files.write(file, flipped);
    assertNull(Mnist1dCache.read(file, SMALL), "one flipped bit fails the checksum");
    assertSame(generated, Mnist1dCache.data(SMALL, dir));
    assertArrayEquals(good, Files.readAllBytes(file), "the damaged file was replaced");
    Files.write(file, java.util.Arrays.copyOf(good, good.length - 9));
    assertNull(Mnist1dCache.read(file, SMALL));
    Files.write(file, new byte[0]);
    assertNull(Mnist1dCache.read(file, SMALL));
    assertSame(generated, Mnist1dCache.data(SMALL, dir));
  }

  @Test
  void anUnwritableDirectoryOnlyCostsTheGeneration() throws Exception {
    Path notADir = dir.resolve("file");
    Files.writeString(notADir, "x");
    assertSame(Mnist1d.generate(SMALL), Mnist1dCache.data(SMALL, notADir.resolve("cache")));
    assertSame(Mnist1d.generate(SMALL), Mnist1dCache.data(SMALL, null));
  }

  private Path onlyFile() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.toList();
      assertEquals(1, files.size(), files.toString());
      assertTrue(files.get(0).getFileName().toString().matches("mnist1d-[0-9a-f]{64}\\.bin"), files.toString());
      return files.get(0);
    }
  }

  /** Equal values, bit for bit, in every part of the data set. */
  private static void assertSame(Mnist1dData expected, Mnist1dData actual) {
    for (int s = 0; s < 2; s++) {
      Dataset e = s == 0 ? expected.train() : expected.test();
      Dataset a = s == 0 ? actual.train() : actual.test();
      assertEquals(e.numClasses(), a.numClasses());
      assertArrayEquals(e.y(), a.y());
      assertEquals(e.x().length, a.x().length);
      for (int i = 0; i < e.x().length; i++) {
        assertArrayEquals(bits(e.x()[i]), bits(a.x()[i]), "row " + i);
      }
    }
    assertArrayEquals(bits(expected.t()), bits(actual.t()));
    assertEquals(expected.templates().length, actual.templates().length);
    for (int r = 0; r < expected.templates().length; r++) {
      assertArrayEquals(bits(expected.templates()[r]), bits(actual.templates()[r]));
    }
  }

  private static long[] bits(double[] v) {
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Double.doubleToRawLongBits(v[i]);
    }
    return b;
  }
}
