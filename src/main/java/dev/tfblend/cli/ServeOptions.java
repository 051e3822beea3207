package dev.tfblend.cli;

import dev.tfblend.io.AtomicFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options {@code predict} and {@code gate} share: the SavedModel they load and the file their
 * answer goes to ({@code --out}, written whole or not at all, or standard output), and how that
 * answer is written. An {@code --out} that is the input file is refused before the model loads.
 */
final class ServeOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "SavedModel directory (as train or tune writes it).")
  Path model;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Output file (written whole or not at all; default: standard output).")
  Path out;

  /** The command line of the command these options belong to. */
  CommandLine commandLine() {
    return spec.commandLine();
  }

  /** Refuses an {@code --out} that is {@code input} (by any path); no-op without either. */
  void refuseOverwriting(Path input) {
    OutputFiles.refuseOverwritingInput(out, "--out", input, "--input");
  }

  /** Writes the answer to {@code --out} atomically, or to the command's standard output. */
  void write(AtomicFile.Content content) throws IOException {
    if (out != null) {
      AtomicFile.write(out, "--out", content);
    } else {
      PrintWriter stdout = spec.commandLine().getOut();
      content.writeTo(stdout);
      stdout.flush();
    }
  }
}
