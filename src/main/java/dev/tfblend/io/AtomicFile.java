package dev.tfblend.io;

import dev.tfblend.BadInputException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes one text file that appears complete or not at all: the content goes to a hidden
 * temporary sibling ({@code .NAME.partial-*}), which is then renamed over the target. If writing
 * fails, the temporary file is deleted and the target (new or old) is untouched. On POSIX file
 * systems the written file gets mode {@code 0666 & ~umask} (a temporary file starts owner-only).
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes the content to a {@link Writer}; may throw {@link IOException}. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Writer out) throws IOException;
  }

  /**
   * Writes {@code target} (UTF-8), creating its parent directories.
   *
   * @param option the option that named the file, for messages (for example {@code --out})
   * @throws BadInputException naming the option and path when {@code target} is a directory or
   *     its parent cannot be created or written
   */
  public static void write(Path target, String option, Content content) {
    Path abs = target.toAbsolutePath().normalize();
    if (Files.isDirectory(abs)) {
      throw BadInputException.of("%s %s is a directory", option, target);
    }
    Path tmp;
    try {
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".partial-", "");
    } catch (IOException | SecurityException e) {
      throw BadInputException.of("%s %s: cannot write there (%s)", option, target, e.getMessage());
    }
    boolean moved = false;
    try {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        content.writeTo(w);
      }
      Umask.apply(tmp, Umask.current());
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // best effort: a leftover partial file is hidden and harmless
        }
      }
    }
  }
}
