package dev.tfblend.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the built {@code target/tf-blend.jar} the way a user does: {@code java -jar}, in the
 * project directory, with the user's environment minus the variables tf-blend reads itself
 * ({@code TF_CPP_MIN_LOG_LEVEL}, {@code TFBLEND_VERBOSE} and the launcher's own), so each test
 * decides them.
 */
final class TfBlendJar {
  /** Lines TensorFlow's native library logs (absl, TF's own logger, cpu_feature_guard's continuation). */
  private static final Pattern NATIVE_LOG = Pattern.compile(
      "cpu_feature_guard|oneDNN|absl::InitializeLog|I0000|rebuild TensorFlow with the appropriate compiler flags"
          + "|^[IWEF]\\d{4} \\d\\d:\\d\\d:\\d\\d|^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [IWEF] ");

  private TfBlendJar() {}

  /** The outcome of a finished run. */
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** The jar under test ({@code tfblend.jar}, set by the pom; else {@code target/tf-blend.jar}). */
  static Path jar() {
    Path jar = Path.of(System.getProperty("tfblend.jar", "target/tf-blend.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run `mvn -B verify` (package builds it)");
    return jar;
  }

  /** The project directory, where a user runs the jar from (configs/ is there). */
  static Path basedir() {
    return Path.of(System.getProperty("tfblend.basedir", ".")).toAbsolutePath();
  }

  /** A process builder for {@code java -jar tf-blend.jar args} with {@code env} added. */
  static ProcessBuilder command(Map<String, String> env, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(basedir().toFile());
    Map<String, String> e = pb.environment();
    for (String name : List.of("TF_CPP_MIN_LOG_LEVEL", "TFBLEND_VERBOSE", "TFBLEND_CHILD", "TFBLEND_TTY", "TFBLEND_LAUNCHER_PID")) {
      e.remove(name);
    }
    e.putAll(env);
    return pb;
  }

  /** Runs {@code java -jar tf-blend.jar args} to the end (at most two minutes). */
  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /** Runs {@code java -jar tf-blend.jar args} with {@code env} added, to the end (at most two minutes). */
  static Result run(Map<String, String> env, String... args) {
    try {
      Process p = command(env, List.of(args)).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      p.getOutputStream().close();
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        fail("tf-blend " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads a stream to its end on another thread. */
  static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, runnable -> {
      Thread t = new Thread(runnable, "drain");
      t.setDaemon(true);
      t.start();
    });
  }

  /** The lines of {@code text} that TensorFlow's native library logged. */
  static List<String> nativeLogLines(String text) {
    return text.lines().filter(l -> NATIVE_LOG.matcher(l).find()).toList();
  }
}
