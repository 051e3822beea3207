package dev.tfblend.cli;

import dev.tfblend.serve.Predictions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tf-blend predict}: class probabilities from a classifier SavedModel (see {@link Predictions}). */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    header = "Class probabilities from a classifier SavedModel.",
    description = {
      "Class probabilities and the predicted label for each row of a data set CSV, from a"
          + " classifier SavedModel (signature serving_default, as train writes to saved-model/)."
          + " Writes the CSV row,predicted,p0..p<C-1>[,label] to --out or standard output; when the"
          + " input has a label column, prints the accuracy on standard error.",
      "Loading a SavedModel runs its graph: load only models you trust."
    })
public final class PredictCommand implements Callable<Integer> {
  @CommandLine.Mixin ServeOptions serve;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "CSV with a header, with or without a leading label column.")
  Path input;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1024",
      description = "Rows per model call (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    serve.refuseOverwriting(input);
    Predictions p = Predictions.compute(serve.model, input, batchSize);
    serve.write(p::writeCsv);
    PrintWriter err = serve.commandLine().getErr();
    String summary = String.format(Locale.ROOT, "predict: %d rows, %d classes", p.size(), p.numClasses());
    if (p.hasLabels()) {
      summary += String.format(Locale.ROOT, ", accuracy %.4f (%d/%d)", p.accuracy(), p.correct(), p.size());
    }
    err.println(summary + (serve.out == null ? "" : " -> " + serve.out));
    err.flush();
    return 0;
  }
}
