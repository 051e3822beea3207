package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on where a command will write, made before it starts working. */
final class OutputFiles {
  private OutputFiles() {}

  /**
   * Refuses an output file that is the input file, also when named through another path or a
   * symbolic link.
   */
  static void refuseOverwritingInput(Path out, String outOption, Path in, String inOption) {
    if (out == null || in == null || !Files.exists(out) || !Files.exists(in)) {
      return;
    }
    try {
      if (Files.isSameFile(out, in)) {
        throw BadInputException.of("%s %s is the %s file; write the output elsewhere", outOption, out, inOption);
      }
    } catch (IOException e) {
      throw BadInputException.of("%s %s: cannot check it against %s (%s)", outOption, out, inOption, e.getMessage());
    }
  }

  /**
   * Refuses an output directory that cannot be created or written: it is a file, or its nearest
   * existing ancestor is not a writable directory.
   */
  static void requireWritableDirectory(Path dir, String option) {
    Path p = dir.toAbsolutePath().normalize();
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw BadInputException.of("%s %s: exists and is not a directory", option, dir);
    }
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null || !Files.isDirectory(p)) {
      throw BadInputException.of("%s %s: %s is not a directory", option, dir, p);
    }
    if (!Files.isWritable(p)) {
      throw BadInputException.of("%s %s: %s is not writable", option, dir, p);
    }
  }
}
