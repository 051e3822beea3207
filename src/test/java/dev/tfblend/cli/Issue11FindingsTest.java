package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.testing.ModelFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Issue 11's findings on the command line, one test each (named after the finding): what the
 * user gets instead of a destroyed input, a stack trace, a silently accepted bad value or a
 * message about something they did not type.
 */
class Issue11FindingsTest {
  @TempDir static Path shared;
  static Path model;
  static Path csv;

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void fixtures() throws Exception {
    model = shared.resolve("model");
    Dataset test = ModelFixtures.trainedClassifier(model).test();
    csv = shared.resolve("test.csv");
    DatasetCsv.write(test, csv);
  }

  private int run(CommandLine cl, String... args) {
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private int run(String... args) {
    return run(TfBlendCommand.commandLine(), args);
  }

  private String firstErrLine() {
    return err.toString().lines().findFirst().orElse("");
  }

  @Test
  void finding04PredictRefusesToOverwriteItsInputAlsoThroughASymlink() throws Exception {
    Path input = tmp.resolve("in.csv");
    Files.copy(csv, input);
    byte[] before = Files.readAllBytes(input);
    Path link = tmp.resolve("link.csv");
    Files.createSymbolicLink(link, input);
    for (Path target : List.of(input, link, tmp.resolve("sub/../in.csv"))) {
      Files.createDirectories(tmp.resolve("sub"));
      assertEquals(2, run("predict", "--model", model.toString(), "--input", input.toString(),
          "--out", target.toString()), err.toString());
      assertTrue(firstErrLine().contains("is the --input file"), err.toString());
      assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(input)), "input unchanged");
    }
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Command(name = "wrapped-boom")
  static final class WrappedBoom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("while reading", new OutOfMemoryError("Java heap space"));
    }
  }

  @Test
  void finding09OutOfMemoryAnywhereIsOneLineAndExitOne() {
    for (Callable<Integer> cmd : List.<Callable<Integer>>of(new Boom(), new WrappedBoom())) {
      CommandLine cl = TfBlendCommand.commandLine();
      cl.addSubcommand(cmd);
      err.getBuffer().setLength(0);
      String name = cmd.getClass().getAnnotation(Command.class).name();
      assertEquals(1, run(cl, name), err.toString());
      assertEquals(List.of(TfBlendCommand.OUT_OF_MEMORY), err.toString().lines().toList());
    }
  }

  @Command(name = "full-disk")
  static final class FullDisk implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("2 root error(s) found.\n  (0) RESOURCE_EXHAUSTED: out/variables/"
          + "variables.data-00000-of-00001.tempstate; No space left on device\n\nHint: If you want to see"
          + " a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to"
          + " RunOptions for current allocation info.");
    }
  }

  @Test
  void messageFullDiskIsSaidPlainlyWithoutTheOutOfMemoryHint() {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.addSubcommand(new FullDisk());
    assertEquals(1, run(cl, "full-disk"));
    assertEquals("tf-blend full-disk: error: no space left on device (the disk is full); free some space and"
        + " run again", firstErrLine());
    assertFalse(err.toString().contains("OOM"), err.toString());
    assertFalse(err.toString().contains("Hint"), err.toString());
  }

  @Test
  void finding09HugeInputsAndModelsAreRefusedBeforeAllocation() throws Exception {
    assertEquals(2, run("predict", "--model", model.toString(), "--input", "/dev/zero"));
    assertTrue(firstErrLine().contains("/dev/zero: larger than the limit of 64 MiB"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run("tune", "--config", "/dev/zero"));
    assertTrue(firstErrLine().contains("--config /dev/zero: larger than the limit of 1 MiB"), err.toString());
    err.getBuffer().setLength(0);
    // a saved_model.pb over the limit is refused by its size, unread
    Path big = tmp.resolve("big");
    Files.createDirectories(big);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.resolve("saved_model.pb").toFile(), "rw")) {
      f.setLength(dev.tfblend.InputLimits.MAX_GRAPH_BYTES + 1); // sparse
    }
    assertEquals(2, run("predict", "--model", big.toString(), "--input", csv.toString()));
    assertTrue(firstErrLine().contains("saved_model.pb: larger than the limit of 64 MiB"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run("train", "--set", "model.layers=40,30000,30000,10", "--out", tmp.resolve("t").toString()));
    assertTrue(firstErrLine().contains("the limit is 10,000,000"), err.toString());
    assertFalse(Files.exists(tmp.resolve("t")));
  }

  @Test
  void finding10PredictRefusesAModelWithNonFiniteVariables() {
    Path nan = tmp.resolve("nan-model");
    ModelFixtures.nanClassifier(nan);
    Path pred = tmp.resolve("pred.csv");
    assertEquals(2, run("predict", "--model", nan.toString(), "--input", csv.toString(), "--out", pred.toString()));
    assertTrue(firstErrLine().contains("its variables are not finite"), err.toString());
    assertFalse(Files.exists(pred));
  }

  @Test
  void finding11PredictAndGateShareOneFeatureRule() throws Exception {
    Path gate = tmp.resolve("gate");
    ModelFixtures.gate(gate, new float[][] {{1f}, {1f}}, new float[] {0f}, new float[] {1f}, 0f, null);
    StringBuilder header = new StringBuilder("x0");
    for (int j = 1; j < 40; j++) {
      header.append(",x").append(j);
    }
    for (String bad : List.of("NaN", "Infinity", "-inf", "1e400", "0x1p3", "1.5f", "2d")) {
      Path p = tmp.resolve("p.csv");
      Files.writeString(p, header + "\n0.5," + bad + ",0.5".repeat(38) + "\n");
      err.getBuffer().setLength(0);
      assertEquals(2, run("predict", "--model", model.toString(), "--input", p.toString()), bad);
      assertTrue(firstErrLine().contains("line 2 column 2 ('x1'): "), err.toString());
      Path g = tmp.resolve("g.csv");
      Files.writeString(g, "0.5," + bad + "\n");
      err.getBuffer().setLength(0);
      assertEquals(2, run("gate", "--model", gate.toString(), "--input", g.toString()), bad);
      assertTrue(firstErrLine().contains("line 1 column 2: "), err.toString());
    }
  }

  @Test
  void messageTuneTrialsBlamesTheOption() {
    assertEquals(2, run("tune", "--trials", "-1", "--runs-dir", tmp.resolve("r").toString()));
    assertTrue(firstErrLine().endsWith("--trials: trials must be positive, got -1"), err.toString());
    assertFalse(err.toString().contains("seed-experiment.json"), err.toString());
  }

  @Test
  void messageTrainSetEpochsExponentNamesTheSetNotJackson() {
    assertEquals(2, run("train", "--set", "epochs=1e3", "--out", tmp.resolve("t").toString()));
    assertTrue(firstErrLine().contains("--set epochs=1e3: field epochs must be an integer"), err.toString());
    assertFalse(err.toString().contains("CoercionConfig"), err.toString());
  }

  @Test
  void messageByteOrderMarkIsNotAFeatureColumn() throws Exception {
    Path bom = tmp.resolve("bom.csv");
    Files.write(bom, ("\uFEFF" + Files.readString(csv)).getBytes(StandardCharsets.UTF_8));
    Path pred = tmp.resolve("pred.csv");
    assertEquals(0, run("predict", "--model", model.toString(), "--input", bom.toString(),
        "--out", pred.toString()), err.toString());
    assertTrue(Files.readAllLines(pred).get(0).endsWith(",label"), "the label column was recognised");
  }

  @Test
  void messageBadPortNamesThePort() {
    assertEquals(2, run("tune", "--storage", "postgresql://127.0.0.1:99999x/db", "--study", "s",
        "--runs-dir", tmp.resolve("r").toString(), "--saved-models-dir", tmp.resolve("m").toString()));
    // tune prints its plan first; the error is the line tf-blend prefixes with the command
    assertTrue(err.toString().lines().anyMatch(
        l -> l.equals("tf-blend tune: --storage: port '99999x' is not a port number (1-65535)")), err.toString());
    assertFalse(err.toString().contains("names no host"), err.toString());
  }

  @Test
  void messageSeedNearLongMaxIsRefusedNotOverflowed() {
    assertEquals(2, run("tune", "--seed", Long.toString(Long.MAX_VALUE - 10), "--runs-dir", tmp.resolve("r").toString()));
    assertTrue(firstErrLine().contains("--seed: seed must be in [0, 9223372036854774807]"), err.toString());
  }

  @Test
  void messageBadSavedModelsDirIsNoticedBeforeTuning() throws Exception {
    Path file = tmp.resolve("file");
    Files.writeString(file, "x");
    assertEquals(2, run("tune", "--saved-models-dir", file.toString(), "--runs-dir", tmp.resolve("r").toString()));
    assertTrue(firstErrLine().contains("--saved-models-dir " + file + ": exists and is not a directory"), err.toString());
    assertFalse(Files.exists(tmp.resolve("r")), "no run directory was started");
  }
}
