package dev.tfblend.cli;

import dev.tfblend.experiment.GraphSnapshots;
import dev.tfblend.io.OutputDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tf-blend graphs}: writes the GraphDef snapshots ({@link GraphSnapshots}). */
@Command(
    name = "graphs",
    mixinStandardHelpOptions = true,
    header = "Write the GraphDefs of the train, meta and eval functions.",
    description = "Writes text GraphDefs (.pbtxt) of the default train steps (adam, sgd, blended), evaluate and predict functions.")
public final class GraphsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin OutDirOptions output;

  @Override
  public Integer call() {
    try (OutputDir dir = output.stage("graphs")) {
      for (Map.Entry<String, String> e : GraphSnapshots.build().entrySet()) {
        Files.writeString(dir.path().resolve(e.getKey()), e.getValue());
        spec.commandLine().getErr().println("wrote " + output.out.resolve(e.getKey()) + " (" + e.getValue().length() + " bytes)");
      }
      dir.commit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return 0;
  }
}
