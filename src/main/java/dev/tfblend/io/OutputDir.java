package dev.tfblend.io;

import dev.tfblend.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An output directory that appears complete or not at all.
 *
 * <p>{@link #stage(Path)} creates a hidden sibling staging directory; the caller writes
 * everything into {@link #path()} and then calls {@link #commit()}, which moves the staging
 * directory to the target in one rename (replacing an existing target directory). If
 * {@link #close()} runs before {@code commit()} (an exception, Ctrl-C), the staging directory is
 * deleted, so nothing half-written is ever left under the target's name.
 *
 * <p>An existing target is replaced only when it is empty or looks like an earlier tf-blend
 * output: it holds, at its top level, one of {@link #KNOWN_OUTPUT_FILES} or a {@code *.pbtxt}
 * file. Any other non-empty directory, and the current working directory or one of its
 * ancestors, is refused by {@link #stage(Path)} with a {@link BadInputException}, before anything
 * is computed or written, so a mistyped {@code --out} never deletes a user's files.
 *
 * <p>Before the final rename, the staged tree is given ordinary permissions (directories
 * {@code rwxr-xr-x}, files {@code rw-r--r--}) on POSIX file systems; the temporary directory it
 * starts as would otherwise leave it owner-only.
 *
 * <pre>{@code
 * try (OutputDir out = OutputDir.stage(dir)) {
 *   Files.writeString(out.path().resolve("result.json"), json);
 *   out.commit();
 * }
 * }</pre>
 *
 * Not thread-safe; one writer per instance.
 */
public final class OutputDir implements AutoCloseable {
  /** The file names whose presence marks a directory as an earlier tf-blend output. */
  public static final List<String> KNOWN_OUTPUT_FILES =
      List.of("manifest.json", "result.json", "dataset.json", "saved_model.pb");

  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

  private final Path target;
  private final Path staging;
  private boolean committed;

  private OutputDir(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /**
   * Prepares to write {@code target}. Fails with {@link BadInputException} naming the path when
   * the parent cannot be created or written, when {@code target} exists and is not a directory,
   * when it is the current directory or one of its ancestors, or when it is a non-empty
   * directory that does not look like an earlier tf-blend output (see the class comment).
   */
  public static OutputDir stage(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw BadInputException.of("--out %s exists and is not a directory", target);
    }
    checkReplaceable(target, abs);
    Path parent = abs.getParent();
    try {
      Files.createDirectories(parent);
      Path staging = Files.createTempDirectory(parent, "." + abs.getFileName() + ".partial-");
      return new OutputDir(abs, staging);
    } catch (IOException | SecurityException e) {
      throw new BadInputException(
          "cannot write output directory " + target + ": " + describe(e), e);
    }
  }

  private static void checkReplaceable(Path target, Path abs) {
    if (isCurrentDirOrAncestor(abs)) {
      throw BadInputException.of(
          "--out %s is the current directory or contains it; choose a new directory", target);
    }
    if (Files.isDirectory(abs) && !isEmptyOrEarlierOutput(abs)) {
      throw BadInputException.of(
          "--out %s exists and is not empty; choose a new directory or remove it", target);
    }
  }

  private static boolean isCurrentDirOrAncestor(Path abs) {
    Path cwd = Path.of("").toAbsolutePath().normalize();
    if (cwd.startsWith(abs)) {
      return true;
    }
    try {
      return Files.exists(abs) && cwd.toRealPath().startsWith(abs.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code dir} is empty or holds, at its top level, a file tf-blend writes. */
  static boolean isEmptyOrEarlierOutput(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).toList();
      return names.isEmpty()
          || names.stream().anyMatch(n -> KNOWN_OUTPUT_FILES.contains(n) || n.endsWith(".pbtxt"));
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(Exception e) {
    if (e instanceof FileAlreadyExistsException) {
      return "a file is in the way: " + e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  /** Where to write: the staging directory until {@link #commit()}. */
  public Path path() {
    return staging;
  }

  /** The final directory. */
  public Path target() {
    return target;
  }

  /** Moves everything written into place. Call once, after the last file is written. */
  public void commit() {
    if (committed) {
      throw new IllegalStateException("already committed: " + target);
    }
    checkReplaceable(target, target); // again: the directory may have changed meanwhile
    try {
      setOrdinaryPermissions(staging);
      if (Files.isDirectory(target)) {
        Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        move(staging, target);
        deleteTree(old);
      } else {
        move(staging, target);
      }
      committed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + staging + " to " + target, e);
    }
  }

  /**
   * Gives every directory under {@code root} (itself included) mode {@code rwxr-xr-x} and every
   * regular file {@code rw-r--r--}; does nothing on file systems without POSIX permissions.
   */
  static void setOrdinaryPermissions(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, DIR_MODE);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, FILE_MODE);
        }
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own defaults apply
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
      Files.move(from, to);
    }
  }

  @Override
  public void close() {
    if (!committed) {
      deleteTree(staging);
    }
  }

  /** Deletes a directory tree, ignoring what cannot be deleted. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover staging directory is hidden and harmless
    }
  }
}
