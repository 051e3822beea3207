package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code tf-blend} command: parses options and hands each subcommand to its service.
 *
 * <p>Exit codes: 0 success; 1 an internal error (a bug or an environment failure); 2 bad input
 * (an unknown option, a bad value, a bad config field or file: the message names it); 130
 * interrupted.
 */
@Command(
    name = "tf-blend",
    mixinStandardHelpOptions = true,
    versionProvider = TfBlendCommand.Version.class,
    description = {
      "Meta-learned blending of Adam and SGD-momentum on TensorFlow Java, with an"
          + " Optuna-compatible tuner for a fair comparison on MNIST-1D."
    },
    subcommands = {
      TuneCommand.class,
      TrainCommand.class,
      DatasetCommand.class,
      GradcheckCommand.class,
      PredictCommand.class,
      GateCommand.class,
      GraphsCommand.class,
      StudiesCommand.class,
      BestTrialCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TfBlendCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Show TensorFlow's native log lines and full stack traces.")
  boolean verbose;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /** A {@link CommandLine} for tf-blend with tf-blend's error handling. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TfBlendCommand()) {
      @Override
      public int execute(String... args) {
        try {
          return super.execute(args);
        } catch (OutOfMemoryError e) {
          return outOfMemory(this);
        }
      }
    };
    cl.setExecutionExceptionHandler(TfBlendCommand::handleException);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Runs tf-blend with these arguments and returns the exit code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The one line printed for an {@link OutOfMemoryError}, wherever it was thrown. */
  static final String OUT_OF_MEMORY = "tf-blend: out of memory: the input or the model is too large"
      + " for this JVM; use smaller inputs or give Java more memory (java -Xmx8g -jar tf-blend.jar ...)";

  private static int outOfMemory(CommandLine cl) {
    PrintWriter err = cl.getErr();
    err.println(OUT_OF_MEMORY);
    err.flush();
    return 1;
  }

  /**
   * The reason for an internal failure on one line: a full disk is said plainly (TensorFlow
   * reports it as resource exhaustion, with a hint about GPU memory that does not apply);
   * otherwise the exception and the first line of its message.
   */
  static String oneLine(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("No space left on device")) {
        return "no space left on device (the disk is full); free some space and run again";
      }
    }
    // a storage failure's message names the database and what went wrong: no class name needed
    String text = ex instanceof dev.tfblend.tune.storage.StorageException && ex.getMessage() != null
        ? ex.getMessage() : ex.toString();
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).strip();
  }

  private static int handleException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    PrintWriter err = cl.getErr();
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return outOfMemory(cl);
      }
    }
    boolean verbose = parseResult.hasMatchedOption("--verbose")
        || cl.getCommandSpec().root().findOption("--verbose") != null
            && Boolean.TRUE.equals(cl.getCommandSpec().root().findOption("--verbose").getValue());
    String name = cl.getCommandSpec().qualifiedName();
    if (ex instanceof BadInputException || ex instanceof CommandLine.ParameterException) {
      err.println(name + ": " + ex.getMessage());
      // the one-line reason, then the command's synopsis (its full help is one --help away)
      CommandLine.Help help = cl.getHelp();
      err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
      err.println("Try '" + name + " --help' for more information.");
      if (verbose) {
        ex.printStackTrace(err);
      }
      err.flush();
      return 2;
    }
    err.println(name + ": error: " + oneLine(ex));
    if (verbose) {
      ex.printStackTrace(err);
    } else {
      err.println("(run again with --verbose for the stack trace)");
    }
    err.flush();
    return 1;
  }

  /** Prints the tf-blend, TensorFlow Java and Java versions. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "tf-blend " + BuildInfo.version(),
        "TensorFlow Java " + BuildInfo.tensorflowVersion(),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
