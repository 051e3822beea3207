package dev.tfblend.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The process's file-creation mask, and the modes outputs get under it: directories
 * {@code 0777 & ~umask}, files {@code 0666 & ~umask}, as a shell's {@code mkdir} and {@code >}
 * give them. Read once from {@code /proc/self/status} (Linux); where that is unavailable the
 * common default {@code 022} is assumed.
 */
public final class Umask {
  /** The mask assumed when the process's own cannot be read. */
  static final int DEFAULT = 0022;
  private static final int CURRENT = read();
  private static final List<PosixFilePermission> BITS = List.of(
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ);

  private Umask() {}

  /** The process's umask (for example {@code 022}). */
  public static int current() {
    return CURRENT;
  }

  private static int read() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines.filter(l -> l.startsWith("Umask:")).findFirst()
          .map(l -> Integer.parseInt(l.substring("Umask:".length()).trim(), 8)).orElse(DEFAULT);
    } catch (IOException | RuntimeException e) {
      return DEFAULT;
    }
  }

  /** The permissions of octal {@code mode}. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < BITS.size(); i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(BITS.get(i));
      }
    }
    return out;
  }

  /**
   * Gives every directory under {@code root} (itself included) mode {@code 0777 & ~umask} and
   * every regular file {@code 0666 & ~umask}; does nothing on file systems without POSIX
   * permissions. Temporary files and directories start owner-only; this gives them the modes
   * the user's umask asks for.
   */
  static void apply(Path root, int umask) throws IOException {
    Set<PosixFilePermission> dirMode = permissions(0777 & ~umask);
    Set<PosixFilePermission> fileMode = permissions(0666 & ~umask);
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, dirMode);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, fileMode);
        }
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own defaults apply
    }
  }
}
