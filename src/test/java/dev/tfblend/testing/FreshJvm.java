package dev.tfblend.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code tf-blend} in a new JVM on the test class path (for round trips across processes). */
public final class FreshJvm {
  private FreshJvm() {}

  /** Exit code and combined standard output and error of a child run. */
  public record Run(int exitCode, String output) {}

  /** Runs {@code dev.tfblend.cli.Launcher args} in a child JVM and waits up to two minutes. */
  public static Run tfBlend(String... args) throws IOException, InterruptedException {
    return main("dev.tfblend.cli.Launcher", Duration.ofMinutes(2), args);
  }

  /**
   * Runs {@code mainClass args} in a child JVM on the test class path, with TensorFlow's native
   * log quiet, and waits up to {@code limit}.
   *
   * @throws IllegalStateException when the child does not finish in time (it is killed)
   */
  public static Run main(String mainClass, Duration limit, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("child JVM did not finish: " + cmd);
    }
    return new Run(p.exitValue(), output);
  }
}
