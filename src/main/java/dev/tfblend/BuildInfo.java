package dev.tfblend;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Versions of tf-blend and the libraries it was built against, and the git commit the jar was
 * built from. Written into every run manifest so a result can be traced to the code that produced
 * it.
 *
 * <p>Everything comes from {@code tf-blend.properties}, which Maven writes at build time; nothing
 * here runs a process or looks at the current directory. A value the build did not know (a build
 * outside a git checkout, or without git installed) reads {@code unknown}. Nothing here loads the
 * TensorFlow native library.
 */
public final class BuildInfo {
  /** What a value the build did not know reads as. */
  public static final String UNKNOWN = "unknown";

  private static final Properties PROPS = load();

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

  private static String get(String key) {
    String v = PROPS.getProperty(key, "").strip();
    // an unfiltered resource (classes built outside Maven) still holds the ${...} placeholder
    return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
  }

  /** The tf-blend version, for example {@code 0.1.0}. */
  public static String version() {
    return get("version");
  }

  /** The TensorFlow Java version tf-blend was built against, for example {@code 1.1.0}. */
  public static String tensorflowVersion() {
    return get("tensorflow.version");
  }

  /**
   * The full commit hash of the sources the jar was built from, or {@value #UNKNOWN} when the
   * build did not know it.
   */
  public static String gitCommit() {
    return get("git.commit");
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
