package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.experiment.GraphSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in {@code graphs/*.pbtxt} must equal what the code builds: the same set of files
 * (no stale extra one, none missing), each with the same text. When a graph changes on
 * purpose, regenerate them with {@code java -jar target/tf-blend.jar graphs --out graphs} and
 * commit the diff.
 */
class GraphSnapshotTest {
  private static final String HOW = "; regenerate with: java -jar target/tf-blend.jar graphs --out graphs";

  @Test
  void checkedInGraphsMatchTheCode() throws IOException {
    Path dir = Path.of("graphs");
    Map<String, String> built = GraphSnapshots.build();
    TreeSet<String> onDisk;
    try (Stream<Path> files = Files.list(dir)) {
      onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pbtxt"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(new TreeSet<>(built.keySet()), onDisk,
        "graphs/*.pbtxt must be exactly the graphs the code builds (a stale extra file or a missing"
            + " one fails)" + HOW);
    for (Map.Entry<String, String> e : built.entrySet()) {
      String checkedIn = Files.readString(dir.resolve(e.getKey()));
      assertEquals(checkedIn, e.getValue(), "graphs/" + e.getKey() + " is out of date" + HOW);
      // the blended train+meta step has ~700 ops (about 240 KB of text); what must never be
      // embedded is data or initial values: every constant stays small
      assertTrue(e.getValue().length() < 500_000, e.getKey() + " should be kilobytes");
      for (String line : e.getValue().split("\n")) {
        String t = line.strip();
        if (t.startsWith("tensor_content:") || t.startsWith("float_val:") || t.startsWith("int_val:")) {
          assertTrue(t.length() < 200, () -> e.getKey() + " embeds a large constant: " + t.substring(0, 80));
        }
      }
    }
  }
}
