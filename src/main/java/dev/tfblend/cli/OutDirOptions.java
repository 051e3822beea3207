package dev.tfblend.cli;

import dev.tfblend.io.OutputDir;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The output directory options of the commands that write one ({@code train}, {@code dataset},
 * {@code graphs}): {@code --out DIR} and {@code --force}. The directory is replaced only as
 * {@link OutputDir} allows: when the same kind of command wrote it, and inside
 * {@code saved-models/} only with {@code --force}.
 */
final class OutDirOptions {
  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output directory (replaces an earlier output of the same command).")
  Path out;

  @Option(names = "--force", description = "Allow replacing an earlier output of this command inside saved-models/.")
  boolean force;

  /** Stages the output directory for a command of {@code kind} (see {@link OutputDir#stage}). */
  OutputDir stage(String kind) {
    return OutputDir.stage(out, kind, force);
  }
}
