package dev.tfblend.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.proto.Event;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

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

  @Test
  void aSeriesWrittenInChunksEqualsOneWritePerValue() throws Exception {
    Path ours = dir.resolve("ours");
    Path tfs = dir.resolve("tf");
    // two whole chunks and a remainder written one by one
    double[] values = new double[2 * TensorBoardWriter.CHUNK + 22];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 5 == 0 ? 2.302585 / (i + 1) : Math.sin(i) * 1e-3 - i;
    }
    try (TensorBoardWriter tb = new TensorBoardWriter(ours)) {
      tb.scalars("loss/train", 1, values);
      tb.scalar("accuracy/validation", 0, 0.25);
      tb.text("note", 3, "pruned at *epoch 3*");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      SummaryWriter writer = tf.summary.summaryWriter(SummaryWriter.sharedName("reference"));
      var create = tf.summary.createSummaryFileWriter(writer, tf.constant(tfs.toAbsolutePath().toString()),
          tf.constant(100), tf.constant(60_000), tf.constant(".v2"));
      Placeholder<TInt64> step = tf.placeholder(TInt64.class);
      Placeholder<TString> tag = tf.placeholder(TString.class);
      Placeholder<TFloat64> value = tf.placeholder(TFloat64.class);
      Placeholder<TString> text = tf.placeholder(TString.class);
      var scalar = tf.summary.writeScalarSummary(writer, step, tag, value);
      var textOp = tf.summary.writeSummary(writer, step, text, tag, tf.constant("\n\u0006\n\u0004text"));
      var close = tf.summary.closeSummaryWriter(writer);
      try (Session s = new Session(g)) {
        s.runner().addTarget(create).run();
        for (int i = 0; i <= values.length; i++) {
          try (TInt64 st = TInt64.scalarOf(i < values.length ? i + 1 : 0);
              TString t = TString.scalarOf(i < values.length ? "loss/train" : "accuracy/validation");
              TFloat64 v = TFloat64.scalarOf(i < values.length ? values[i] : 0.25)) {
            s.runner().feed(step, st).feed(tag, t).feed(value, v).addTarget(scalar).run();
          }
        }
        try (TInt64 st = TInt64.scalarOf(3); TString t = TString.scalarOf("note");
            TString v = TString.scalarOf("pruned at *epoch 3*")) {
          s.runner().feed(step, st).feed(tag, t).feed(text, v).addTarget(textOp).run();
        }
        s.runner().addTarget(close).run();
      }
    }
    List<Event> expected = events(tfs);
    List<Event> actual = events(ours);
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).toBuilder().clearWallTime().build(),
          actual.get(i).toBuilder().clearWallTime().build(), "event " + i);
    }
    String name = onlyFile(ours).getFileName().toString();
    String tfName = onlyFile(tfs).getFileName().toString();
    assertTrue(name.matches("events\\.out\\.tfevents\\.\\d{10}\\.[^.]+\\.\\d+\\.\\d+\\.v2"), name);
    assertEquals(tfName.split("\\.")[4], name.split("\\.")[4], "host name as TensorFlow writes it");
  }

  private static Path onlyFile(Path logDir) throws IOException {
    try (Stream<Path> files = Files.list(logDir)) {
      List<Path> all = files.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  /** The events of the one event file in {@code logDir}, parsed by the generated proto classes. */
  private static List<Event> events(Path logDir) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(onlyFile(logDir))).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> out = new ArrayList<>();
    while (b.hasRemaining()) {
      int length = (int) b.getLong();
      b.getInt();
      byte[] data = new byte[length];
      b.get(data);
      b.getInt();
      out.add(Event.parseFrom(data));
    }
    return out;
  }
}
