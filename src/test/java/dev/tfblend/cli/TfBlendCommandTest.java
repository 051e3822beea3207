package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TfBlendCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  @Test
  void versionNamesTfBlendAndTensorFlow() {
    assertEquals(0, run("--version"));
    assertTrue(out.toString().contains("tf-blend"), out.toString());
    assertTrue(out.toString().contains("TensorFlow Java 1.1.0"), out.toString());
  }

  @Test
  void helpListsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().contains("Usage: tf-blend"), out.toString());
  }

  /**
   * Help texts are paragraphs that picocli wraps to the terminal: no element of a command's or
   * option's description breaks a sentence (each ends like a sentence or a parenthesis).
   */
  @Test
  void helpTextsHaveNoHardLineBreaks() {
    java.util.List<String> broken = new java.util.ArrayList<>();
    java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(TfBlendCommand.commandLine()));
    while (!todo.isEmpty()) {
      CommandLine cl = todo.pop();
      todo.addAll(cl.getSubcommands().values());
      if (cl.getCommand() instanceof CommandLine.HelpCommand) {
        continue; // picocli's own text
      }
      java.util.List<String> texts = new java.util.ArrayList<>(
          java.util.Arrays.asList(cl.getCommandSpec().usageMessage().description()));
      cl.getCommandSpec().options().forEach(o -> texts.addAll(java.util.Arrays.asList(o.description())));
      for (String t : texts) {
        if (!t.strip().matches("(?s).*[.?!):]$") || t.contains("\n") || t.contains("%n")) {
          broken.add(cl.getCommandName() + ": " + t);
        }
      }
    }
    assertTrue(broken.isEmpty(), String.join("\n", broken));
  }

  @Test
  void unknownOptionExitsWithTwoAndSaysWhy() {
    assertEquals(2, run("--no-such-option"));
    assertTrue(err.toString().contains("--no-such-option"), err.toString());
    assertTrue(err.toString().contains("Usage:"), err.toString());
  }

  @Test
  void nativeLogLinesAreFiltered() {
    String input = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        + "I0000 00:00:1732800000.123456   12345 cpu_feature_guard.cc:210] This TensorFlow binary is optimized\n"
        + "2026-11-28 13:45:12.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.\n"
        + "epoch 1/10 loss 1.23\n";
    java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    Launcher.filter(new java.io.ByteArrayInputStream(input.getBytes()), new java.io.PrintStream(sink));
    assertEquals("epoch 1/10 loss 1.23\n", sink.toString());
  }

  @Test
  void tensorflowStartsLoadingEarlyOnlyForCommandsThatUseIt() {
    assertTrue(Launcher.usesTensorFlow(new String[] {"tune", "--trials", "3"}));
    assertTrue(Launcher.usesTensorFlow(new String[] {"--verbose", "train", "--epochs", "1"}));
    assertTrue(Launcher.usesTensorFlow(new String[] {"bench", "--json"}));
    assertFalse(Launcher.usesTensorFlow(new String[] {"tune", "--help"}));
    assertFalse(Launcher.usesTensorFlow(new String[] {"studies", "--storage", "tune"}));
    assertFalse(Launcher.usesTensorFlow(new String[] {"dataset", "--out", "x"}));
    assertFalse(Launcher.usesTensorFlow(new String[] {"-V"}));
    assertFalse(Launcher.usesTensorFlow(new String[] {}));
  }

  @Test
  void theRelaunchedJvmUsesTheSerialCollectorAndTheClientCompilerUnlessTheUserChose() {
    assertEquals(java.util.List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        Launcher.childJvmOptions(java.util.List.of("-Xmx1g")));
    assertEquals(java.util.List.of("-XX:+UseG1GC", "-XX:TieredStopAtLevel=1"),
        Launcher.childJvmOptions(java.util.List.of("-XX:+UseG1GC")));
    assertEquals(java.util.List.of("-XX:+UseZGC", "-Xss2m", "-XX:TieredStopAtLevel=4"),
        Launcher.childJvmOptions(java.util.List.of("-XX:+UseZGC", "-Xss2m", "-XX:TieredStopAtLevel=4")));
    assertEquals(java.util.List.of("-XX:-TieredCompilation", "-XX:+UseSerialGC"),
        Launcher.childJvmOptions(java.util.List.of("-XX:-TieredCompilation")));
  }
}
