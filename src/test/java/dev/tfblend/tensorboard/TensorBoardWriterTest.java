package dev.tfblend.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event files written by {@link TensorBoardWriter} read back with an independent reader: a
 * Python script that parses the TFRecord framing (checking every CRC-32C) and the event protos
 * by hand, with no TensorFlow or protobuf library. Runs with {@code $TFBLEND_PYTHON} (else
 * {@code /usr/bin/python3}); skipped when there is no Python 3.
 */
class TensorBoardWriterTest {
  private static String python;

  @TempDir Path dir;

  @BeforeAll
  static void findPython() {
    String env = System.getenv("TFBLEND_PYTHON");
    String candidate = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    boolean ok;
    try {
      Process p = new ProcessBuilder(candidate, "-c", "import json, struct")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      ok = false;
    }
    Assumptions.assumeTrue(ok, "TensorBoard read-back skipped: no Python 3 at " + candidate);
    python = candidate;
  }

  private JsonNode read(Path logDir) throws Exception {
    Path script = dir.resolve("read_events.py");
    if (!Files.exists(script)) {
      try (InputStream in = getClass().getResourceAsStream("read_events.py")) {
        Files.copy(in, script);
      }
    }
    Process p = new ProcessBuilder(python, script.toString(), logDir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "reader failed: " + out);
    return new ObjectMapper().readTree(out);
  }

  @Test
  void scalarsAndTextReadBackWithTheirStepsAndValues() throws Exception {
    Path run = dir.resolve("runs/Adam/trial-0");
    double[] loss = {2.302585, 1.7, 1.25, 1.0807, Math.PI};
    Map<String, Object> hp = new LinkedHashMap<>();
    hp.put("lr", 0.003);
    hp.put("momentum", 0.9);
    try (TensorBoardWriter tb = new TensorBoardWriter(run)) {
      tb.scalars("loss/train", 1, loss);
      for (int e = 4; e >= 0; e--) {
        tb.scalar("accuracy/validation", e, 0.1 * e);
      }
      tb.hyperparameters("hyperparameters", hp);
      tb.text("note", 3, "pruned at *epoch 3*");
    }
    JsonNode r = read(run);
    assertEquals(1, r.get("files").asInt());
    assertTrue(r.get("file_version").asText().startsWith("brain.Event:"), r.toString());
    JsonNode train = r.get("scalars").get("loss/train");
    assertEquals(loss.length, train.size());
    for (int i = 0; i < loss.length; i++) {
      assertEquals(i + 1, train.get(i).get(0).asLong());
      assertEquals((float) loss[i], (float) train.get(i).get(1).asDouble(), 0f, "float32 value");
    }
    JsonNode acc = r.get("scalars").get("accuracy/validation");
    assertEquals(5, acc.size());
    assertEquals(4, acc.get(0).get(0).asLong(), "written in the order given");
    assertEquals((float) 0.4, (float) acc.get(0).get(1).asDouble(), 0f);
    assertEquals("text", r.get("plugins").get("hyperparameters").asText());
    assertEquals("| name | value |\n|---|---|\n| lr | 0.003 |\n| momentum | 0.9 |\n",
        r.get("texts").get("hyperparameters").get(0).get(1).get(0).asText());
    assertEquals(3, r.get("texts").get("note").get(0).get(0).asLong());
  }

  @Test
  void twoRunsInOneProcessWriteTheirOwnFiles() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    try (TensorBoardWriter ta = new TensorBoardWriter(a);
        TensorBoardWriter tb = new TensorBoardWriter(b)) {
      ta.scalar("x", 0, 1.0);
      tb.scalar("x", 0, 2.0);
      ta.flush();
      tb.flush();
    }
    assertEquals(1.0, read(a).get("scalars").get("x").get(0).get(1).asDouble());
    assertEquals(2.0, read(b).get("scalars").get("x").get(0).get(1).asDouble());
    try (Stream<Path> files = Files.list(a)) {
      List<Path> events = files.toList();
      assertEquals(1, events.size());
      assertTrue(events.get(0).getFileName().toString().startsWith("events.out.tfevents."));
    }
  }

  @Test
  void closedWriterRefusesWritesAndBlankTagsAreRefused() {
    TensorBoardWriter tb = new TensorBoardWriter(dir.resolve("c"));
    assertThrows(IllegalArgumentException.class, () -> tb.scalar(" ", 0, 1));
    tb.close();
    tb.close();
    assertThrows(IllegalStateException.class, () -> tb.scalar("x", 0, 1));
  }
}
