package dev.tfblend.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reference data checked into {@code src/test/resources}. A missing resource is an error, never a
 * reason to skip: the tests that read reference data must run in every clone.
 */
public final class TestResources {
  private TestResources() {}

  /**
   * The file of classpath resource {@code name} (for example {@code
   * "/reference/mnist1d/t.csv"}).
   *
   * @throws AssertionError if the resource is not on the test classpath
   */
  public static Path path(String name) {
    URL url = TestResources.class.getResource(name);
    if (url == null) {
      throw new AssertionError("missing test resource " + name + " (src/test/resources" + name + ")");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError("test resource " + name + " is not a file: " + url, e);
    }
  }

  /** The lines of classpath resource {@code name}, which must exist. */
  public static List<String> lines(String name) {
    try {
      return Files.readAllLines(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
