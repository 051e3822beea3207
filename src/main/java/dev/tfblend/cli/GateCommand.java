package dev.tfblend.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.serve.GateAlphas;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tf-blend gate}: alpha from a trained gating network SavedModel (see {@link GateAlphas}). */
@Command(
    name = "gate",
    mixinStandardHelpOptions = true,
    header = "Alpha from a gate SavedModel, or describe one.",
    description = {
      "The blend weight alpha for each feature vector, from a gate SavedModel (signature gate:",
      "features float32 [-1, n] -> alpha [-1, 1]). Input: CSV of numbers (optional header) or",
      "JSON lines ([..] or {\"features\": [..]}). Writes {\"model\", \"input_mode\", \"input_size\",",
      "\"alpha\": [...]} as JSON to --out or standard output. --describe prints the manifest and",
      "the signature without running the model.",
      "Loading a SavedModel runs its graph: load only models you trust."
    })
public final class GateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Gate SavedModel directory.")
  Path model;

  @Option(names = "--input", paramLabel = "FILE", description = "Feature vectors (CSV or JSON lines).")
  Path input;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Output JSON (written whole or not at all; default: standard output).")
  Path out;

  @Option(names = "--describe", description = "Print the manifest and the signature as JSON.")
  boolean describe;

  @Override
  public Integer call() throws Exception {
    if (describe == (input != null)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          describe ? "--describe takes no --input" : "give --input FILE or --describe");
    }
    OutputFiles.refuseOverwritingInput(out, "--out", input, "--input");
    Map<String, Object> json = describe ? GateAlphas.describe(model) : GateAlphas.compute(model, input).toJson();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    String text = mapper.writeValueAsString(json) + "\n";
    if (out != null) {
      AtomicFile.write(out, "--out", w -> w.write(text));
    } else {
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(text);
      stdout.flush();
    }
    return 0;
  }
}
