package dev.tfblend.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the {@code name v1 v2 ...} lines of a golden file under {@code /golden/}. */
final class GoldenFile {
  private final Map<String, double[]> rows = new LinkedHashMap<>();

  private GoldenFile() {}

  /** The whole file as text. */
  static String text(String name) {
    try (InputStream in = GoldenFile.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing golden file " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GoldenFile load(String name) {
    GoldenFile g = new GoldenFile();
    {
      for (String line : text(name).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] p = line.trim().split(" ");
        g.rows.put(p[0], Arrays.stream(p, 1, p.length).mapToDouble(Double::parseDouble).toArray());
      }
    }
    return g;
  }

  double[] get(String key) {
    double[] v = rows.get(key);
    if (v == null) {
      throw new IllegalStateException("golden key missing: " + key);
    }
    return v;
  }
}
