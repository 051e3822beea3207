package dev.tfblend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download {@code target/tf-blend-<version>.zip}: unzipped into a fresh directory far from
 * the project, {@code java -jar tf-blend-<version>/tf-blend.jar} runs (its {@code lib/} beside
 * it, TensorFlow's natives included) from an unrelated working directory.
 */
class DistZipIT {
  @TempDir Path tmp;

  static Path zip() {
    Path zip = Path.of(System.getProperty("tfblend.zip", "target/tf-blend-0.1.0.zip")).toAbsolutePath();
    assertTrue(Files.isRegularFile(zip), zip + " is missing: `mvn package` builds it");
    return zip;
  }

  static void unzip(Path zip, Path into) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path target = into.resolve(e.getName()).normalize();
        assertTrue(target.startsWith(into), "entry stays inside: " + e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target);
        }
      }
    }
  }

  static TfBlendJar.Result run(Path jar, Path cwd, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    for (String name : List.of("TF_CPP_MIN_LOG_LEVEL", "TFBLEND_VERBOSE", "TFBLEND_CHILD", "TFBLEND_TTY")) {
      pb.environment().remove(name);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished within two minutes");
    return new TfBlendJar.Result(p.exitValue(), out.get(), err.get());
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void unzippedAnywhereTheJarRunsWithItsLibraries() throws Exception {
    Path zip = zip();
    String base = zip.getFileName().toString().replaceFirst("\\.zip$", "");
    Path into = Files.createDirectories(tmp.resolve("somewhere else"));
    unzip(zip, into);
    Path dir = into.resolve(base);
    Path jar = dir.resolve("tf-blend.jar");
    assertTrue(Files.isRegularFile(jar), "jar at the top of " + base);
    assertTrue(Files.isRegularFile(dir.resolve("README.md")));
    assertTrue(Files.isRegularFile(dir.resolve("configs/smoke.json")));
    try (var libs = Files.list(dir.resolve("lib"))) {
      assertTrue(libs.anyMatch(p -> p.getFileName().toString().startsWith("tensorflow-core-native")),
          "TensorFlow's natives in lib/");
    }
    Path cwd = Files.createDirectories(tmp.resolve("cwd"));

    TfBlendJar.Result version = run(jar, cwd, "--version");
    assertEquals(0, version.exitCode(), version.toString());
    assertTrue(version.out().contains("tf-blend " + base.substring("tf-blend-".length())),
        version.toString());

    // runs TensorFlow: the natives load from the unzipped lib/
    TfBlendJar.Result grad = run(jar, cwd, "gradcheck", "--optimizer", "adam");
    assertEquals(0, grad.exitCode(), grad.toString());
    assertTrue(grad.out().contains("\"passed\" : true"), grad.toString());
  }
}
