package dev.tfblend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Versions of tf-blend and the libraries it was built against, and the git commit of the
 * working directory when one is known. Written into every run manifest so a result can be traced
 * to the code that produced it.
 *
 * <p>All methods are cheap except {@link #gitCommit()}, which runs {@code git} once and caches
 * the answer. Nothing here loads the TensorFlow native library.
 */
public final class BuildInfo {
  private static final Properties PROPS = load();
  private static volatile String gitCommit;
  private static volatile boolean gitLooked;

  private BuildInfo() {}

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/tf-blend.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to defaults: a missing resource only loses version strings
    }
    return p;
  }

  /** The tf-blend version, for example {@code 0.1.0}. */
  public static String version() {
    return PROPS.getProperty("version", "unknown");
  }

  /** The TensorFlow Java version tf-blend was built against, for example {@code 1.1.0}. */
  public static String tensorflowVersion() {
    return PROPS.getProperty("tensorflow.version", "unknown");
  }

  /**
   * The commit of the git checkout in the current directory (with {@code -dirty} when it has
   * uncommitted changes), or {@code null} when there is none or git is not installed.
   */
  public static String gitCommit() {
    if (!gitLooked) {
      synchronized (BuildInfo.class) {
        if (!gitLooked) {
          gitCommit = runGit();
          gitLooked = true;
        }
      }
    }
    return gitCommit;
  }

  private static String runGit() {
    try {
      String head = exec("git", "rev-parse", "HEAD");
      if (head == null || head.isEmpty()) {
        return null;
      }
      String status = exec("git", "status", "--porcelain", "--untracked-files=no");
      return status != null && !status.isEmpty() ? head + "-dirty" : head;
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return null;
    }
  }

  private static String exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      return null;
    }
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  /** Versions as an ordered map, ready to be written into a manifest. */
  public static Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tf_blend", version());
    m.put("tensorflow_java", tensorflowVersion());
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("git_commit", gitCommit());
    return m;
  }
}
