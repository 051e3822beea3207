package dev.tfblend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed outputs carry ordinary permissions, not the owner-only ones of temporary files. */
class OutputDirPermissionsTest {
  @TempDir Path tmp;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aCommittedDirectoryTreeIsWorldReadable() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Assumptions.assumeTrue(Umask.current() == 0022, "the usual umask 022");
    Path target = tmp.resolve("out");
    try (OutputDir out = OutputDir.stage(target, "train", false)) {
      Files.writeString(out.path().resolve("result.json"), "{}");
      Path sub = Files.createTempDirectory(out.path(), "sub");
      Files.writeString(Files.createTempFile(sub, "part", ".txt"), "x");
      out.commit();
    }
    assertEquals("rwxr-xr-x", mode(target));
    assertEquals("rw-r--r--", mode(target.resolve("result.json")));
    try (var subs = Files.list(target)) {
      Path sub = subs.filter(Files::isDirectory).findFirst().orElseThrow();
      assertEquals("rwxr-xr-x", mode(sub));
      try (var files = Files.list(sub)) {
        assertEquals("rw-r--r--", mode(files.findFirst().orElseThrow()));
      }
    }
  }

  @Test
  void anAtomicFileIsWorldReadable() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Assumptions.assumeTrue(Umask.current() == 0022, "the usual umask 022");
    Path f = tmp.resolve("pred.csv");
    AtomicFile.write(f, "--out", w -> w.write("a,b\n"));
    assertEquals("rw-r--r--", mode(f));
    AtomicFile.write(f, "--out", w -> w.write("c,d\n"));
    assertEquals("rw-r--r--", mode(f));
    assertEquals("c,d\n", Files.readString(f));
  }

  /** Issue 11 finding 6 (umask rule): under umask 077 outputs stay owner-only. */
  @Test
  void finding6OutputsRespectTheUmask() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path root = Files.createDirectory(tmp.resolve("tree"));
    Path sub = Files.createDirectory(root.resolve("sub"));
    Path file = Files.writeString(sub.resolve("result.json"), "{}");
    Umask.apply(root, 0077);
    assertEquals("rwx------", mode(root));
    assertEquals("rwx------", mode(sub));
    assertEquals("rw-------", mode(file));
    Umask.apply(root, 0027);
    assertEquals("rwxr-x---", mode(sub));
    assertEquals("rw-r-----", mode(file));
  }
}
