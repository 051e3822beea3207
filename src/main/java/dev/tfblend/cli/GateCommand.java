package dev.tfblend.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.serve.GateAlphas;
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
      "The blend weight alpha for each feature vector, from a gate SavedModel (signature gate:"
          + " features float32 [-1, n] -> alpha [-1, 1]). Input: CSV of numbers (optional header) or"
          + " JSON lines ([..] or {\"features\": [..]}). Writes {\"model\", \"input_mode\","
          + " \"input_size\", \"alpha\": [...]} as JSON to --out or standard output. --describe prints"
          + " the manifest and the signature without running the model.",
      "Loading a SavedModel runs its graph: load only models you trust."
    })
public final class GateCommand implements Callable<Integer> {
  @CommandLine.Mixin ServeOptions serve;

  @Option(names = "--input", paramLabel = "FILE", description = "Feature vectors (CSV or JSON lines).")
  Path input;

  @Option(names = "--describe", description = "Print the manifest and the signature as JSON.")
  boolean describe;

  @Override
  public Integer call() throws Exception {
    if (describe == (input != null)) {
      throw new CommandLine.ParameterException(serve.commandLine(),
          describe ? "--describe takes no --input" : "give --input FILE or --describe");
    }
    serve.refuseOverwriting(input);
    Path model = serve.model;
    Map<String, Object> json = describe ? GateAlphas.describe(model) : GateAlphas.compute(model, input).toJson();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    String text = mapper.writeValueAsString(json) + "\n";
    serve.write(w -> w.write(text));
    return 0;
  }
}
