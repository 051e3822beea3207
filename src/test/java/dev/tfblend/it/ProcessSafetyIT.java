package dev.tfblend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as one process tree with its identity from the build (issue 11, findings 7 and 8):
 * killing the {@code java -jar} process with SIGKILL leaves no relaunched child behind, and a
 * manifest records the commit the jar was built from, never that of the repository the user
 * happens to stand in (whose hooks must not run).
 */
class ProcessSafetyIT {
  @TempDir Path tmp;

  @Test
  void finding08KillNineOfTheLauncherLeavesNoChildJvm() throws Exception {
    Assumptions.assumeTrue(!System.getProperty("os.name").startsWith("Windows"), "SIGKILL is POSIX");
    Path out = tmp.resolve("train");
    Process launcher = TfBlendJar.command(Map.of(), List.of("train", "--optimizer", "adam",
            "--epochs", "100000", "--set", "data.source=blobs", "--out", out.toString()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      ProcessHandle child = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (child == null && System.nanoTime() < deadline) {
        child = launcher.children().findFirst().orElse(null);
        Thread.sleep(100);
      }
      assertTrue(child != null && child.isAlive(), "the launcher relaunched a child JVM");
      launcher.destroyForcibly(); // SIGKILL: no shutdown hook of the launcher runs
      assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "launcher killed");
      Thread.sleep(5000);
      if (child.isAlive()) {
        child.destroyForcibly();
        fail("the child JVM " + child.pid() + " still runs 5 s after kill -9 of its launcher");
      }
    } finally {
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }

  @Test
  void finding07ManifestCommitIsTheJarsNotTheCurrentRepositorys() throws Exception {
    Assumptions.assumeTrue(new ProcessBuilder("git", "--version").start().waitFor() == 0, "git installed");
    // a foreign repository with a hook git would run on `git status`
    Path repo = tmp.resolve("foreign");
    Files.createDirectories(repo);
    Path marker = tmp.resolve("hook-ran");
    Path hook = tmp.resolve("fsmonitor.sh");
    Files.writeString(hook, "#!/bin/sh\ntouch '" + marker + "'\n", StandardCharsets.UTF_8);
    assertTrue(hook.toFile().setExecutable(true));
    git(repo, "init", "-q", ".");
    git(repo, "config", "core.fsmonitor", hook.toString());
    Files.writeString(repo.resolve("f.txt"), "x");
    git(repo, "add", "f.txt");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "foreign");
    Files.deleteIfExists(marker);

    Path out = tmp.resolve("data");
    ProcessBuilder pb = TfBlendJar.command(Map.of(), List.of("dataset", "--num-samples", "20",
        "--out", out.toString())).directory(repo.toFile());
    Process p = pb.redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), text);

    String recorded = new ObjectMapper().readTree(out.resolve("dataset.json").toFile())
        .get("versions").get("git_commit").asText();
    assertEquals(builtCommit(), recorded, "the manifest names the jar's own commit");
    assertFalse(Files.exists(marker), "the foreign repository's fsmonitor hook ran");
  }

  private static String builtCommit() throws Exception {
    try (JarFile jar = new JarFile(TfBlendJar.jar().toFile());
        InputStream in = jar.getInputStream(jar.getEntry("tf-blend.properties"))) {
      Properties p = new Properties();
      p.load(in);
      String commit = p.getProperty("git.commit");
      assertTrue(commit != null && (commit.matches("[0-9a-f]{40}") || commit.equals("unknown")), commit);
      return commit;
    }
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + text);
  }
}
