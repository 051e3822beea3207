package dev.tfblend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.testing.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code tf-blend.jar} run as a user runs it ({@code java -jar}, no
 * TF_CPP_MIN_LOG_LEVEL): version, help, exit codes for bad input, TensorFlow's native log lines
 * hidden by default and shown with {@code --verbose} / {@code TFBLEND_VERBOSE=1}, and the
 * dataset command's files.
 */
class JarIT {
  private static final List<String> SUBCOMMANDS =
      List.of("tune", "train", "dataset", "gradcheck", "predict", "gate", "graphs", "studies",
          "best-trial");

  @TempDir Path tmp;

  @Test
  void versionNamesTfBlendAndTensorFlowJava() {
    TfBlendJar.Result r = TfBlendJar.run("--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("tf-blend \\d+\\.\\d+\\.\\d+.*")), r.toString());
    assertTrue(r.out().contains("TensorFlow Java 1.1.0"), r.toString());
    assertEquals("", r.err(), r.toString());
  }

  @Test
  void helpListsEverySubcommand() {
    TfBlendJar.Result r = TfBlendJar.run("--help");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("Usage: tf-blend"), r.toString());
    for (String sub : SUBCOMMANDS) {
      assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+" + sub + "\\s+\\S.*")),
          "--help lists " + sub + ":\n" + r);
    }
  }

  @Test
  void unknownOptionExitsTwoWithOneLineReasonAndUsage() {
    TfBlendJar.Result r = TfBlendJar.run("--no-such-option");
    assertEquals(2, r.exitCode(), r.toString());
    List<String> lines = r.err().lines().toList();
    assertEquals("Unknown option: '--no-such-option'", lines.get(0), r.toString());
    assertTrue(lines.get(1).startsWith("Usage: tf-blend"), r.toString());
    assertEquals("", r.out(), r.toString());
  }

  @Test
  void trainHidesTensorFlowNativeLogLinesByDefault() throws Exception {
    Path out = tmp.resolve("train");
    TfBlendJar.Result r = TfBlendJar.run(
        "train", "--optimizer", "adam", "--epochs", "1", "--set", "data.source=blobs", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(List.of(), TfBlendJar.nativeLogLines(r.out() + r.err()), r.toString());
    assertTrue(r.out().contains("test loss") || r.err().contains("test loss"), r.toString());
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertEquals("adam", result.get("optimizer").asText());
    assertEquals(2, result.get("epochs").size(), "epoch 0 (before training) and epoch 1");
    double testLoss = result.get("test_loss").asDouble();
    assertTrue(testLoss > 0 && testLoss < 2.3, "one epoch on blobs learns something: " + testLoss);
    assertTrue(Files.isDirectory(out.resolve("saved-model")), "SavedModel written");
  }

  @Test
  void verboseLetsTheNativeLogLinesThrough() {
    TfBlendJar.Result flag = TfBlendJar.run("--verbose", "train", "--optimizer", "adam", "--epochs", "1",
        "--set", "data.source=blobs", "--out", tmp.resolve("verbose").toString());
    assertEquals(0, flag.exitCode(), flag.toString());
    TfBlendJar.Result env = TfBlendJar.run(Map.of("TFBLEND_VERBOSE", "1"),
        "graphs", "--out", tmp.resolve("graphs").toString());
    assertEquals(0, env.exitCode(), env.toString());
    assertTrue(Files.isRegularFile(tmp.resolve("graphs/adam_train_step.pbtxt")), env.toString());
    // TensorFlow Java 1.1.0 on linux-x86_64 logs at least oneDNN's notice when it loads; other
    // platforms may log nothing at INFO, so there only success is required.
    Assumptions.assumeTrue(isLinuxX86(), "native INFO lines are known only for linux-x86_64");
    assertFalse(TfBlendJar.nativeLogLines(flag.err()).isEmpty(), "--verbose shows native lines:\n" + flag);
    assertFalse(TfBlendJar.nativeLogLines(env.err()).isEmpty(), "TFBLEND_VERBOSE=1 shows native lines:\n" + env);
  }

  @Test
  void datasetWritesTheOfficialSplit() throws Exception {
    Path out = tmp.resolve("data");
    TfBlendJar.Result r = TfBlendJar.run("dataset", "--out", out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    List<String> train = Files.readAllLines(out.resolve("train.csv"));
    assertEquals(4001, train.size(), "header + 4000 samples");
    assertEquals(1001, Files.readAllLines(out.resolve("test.csv")).size(), "header + 1000 samples");
    assertTrue(train.get(0).startsWith("label,x0,x1,") && train.get(0).endsWith(",x39"), train.get(0));
    assertTrue(Files.isRegularFile(out.resolve("dataset.json")));
    List<String> ref = TestResources.lines("/reference/mnist1d/train_head.csv");
    assertEquals(ref, train.subList(0, ref.size()), "first rows equal the official data set, digit for digit");
  }

  @Test
  void badValueExitsTwoAndLeavesNoOutputDirectory() throws Exception {
    Path out = tmp.resolve("never");
    TfBlendJar.Result r = TfBlendJar.run("train", "--epochs", "0", "--out", out.toString());
    assertEquals(2, r.exitCode(), r.toString());
    List<String> lines = r.err().lines().toList();
    assertTrue(lines.get(0).startsWith("tf-blend train: ") && lines.get(0).contains("epochs"),
        "a one-line reason naming the field first: " + r);
    assertTrue(lines.get(1).startsWith("Usage: tf-blend train"), "then the usage: " + r);
    assertFalse(Files.exists(out), "nothing written");
    try (var entries = Files.list(tmp)) {
      assertEquals(List.of(), entries.toList(), "no staging directory left either");
    }
  }

  private static boolean isLinuxX86() {
    return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
        && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
  }
}
