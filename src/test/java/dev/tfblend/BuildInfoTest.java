package dev.tfblend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Issue 11 finding 7: the build identity is the one Maven wrote at build time. */
class BuildInfoTest {
  @Test
  void finding07CommitComesFromTheBuildResource() throws Exception {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/tf-blend.properties")) {
      assertNotNull(in, "tf-blend.properties on the class path");
      p.load(in);
    }
    String built = p.getProperty("git.commit");
    assertNotNull(built, "the build wrote git.commit");
    assertTrue(built.matches("[0-9a-f]{40}") || built.equals(BuildInfo.UNKNOWN), built);
    assertEquals(built, BuildInfo.gitCommit());
    assertEquals(built, BuildInfo.asMap().get("git_commit"));
  }

  @Test
  void versionsAreFiltered() {
    assertTrue(BuildInfo.version().matches("\\d+\\.\\d+\\.\\d+.*"), BuildInfo.version());
    assertEquals("1.1.0", BuildInfo.tensorflowVersion());
  }
}
