package dev.tfblend.testing;

import dev.tfblend.cli.TfBlendCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs tf-blend's command line in this JVM, as the command tests do, capturing what it prints. */
public final class CliRuns {
  private CliRuns() {}

  /**
   * Runs {@code args} through {@link TfBlendCommand#commandLine()} with standard output going to
   * {@code out} and standard error to {@code err} (both appended to); returns the exit code.
   */
  public static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
