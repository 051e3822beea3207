package dev.tfblend.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.train.GradientCheck;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tf-blend gradcheck}: checks the meta-gradient of the gate (or, for {@code adam}/{@code sgd},
 * the training loss gradient) against central finite differences in float64, prints the JSON
 * report ({@code {"max_relative_error": ..., "passed": ..., "checks": [...]}}, snake_case keys) and exits 0 only when the maximum relative error is below 1e-5 (1 otherwise; 2 for bad
 * options). See {@link GradientCheck}.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
    header = "Check gradients and the meta-gradient against finite differences.",
    description = {
      "Check the blended optimizer's meta-gradient (or the plain loss gradient) against central"
          + " finite differences in float64; prints a JSON report."
    })
public final class GradcheckCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--optimizer", defaultValue = "blended", description = "blended or hypergradient-blend (meta-gradient), adam or sgd (loss gradient). Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of data, initial values and directions. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--gate-input", defaultValue = "flat-gradients", description = "flat-gradients or gradient-stats. Default: ${DEFAULT-VALUE}.")
  String gateInput;

  @Option(names = "--step", defaultValue = "1e-5", description = "Finite-difference step h. Default: ${DEFAULT-VALUE}.")
  double step;

  @Option(names = "--unroll", paramLabel = "K", defaultValue = "1",
      description = "blended: check the meta-gradient through K look-ahead steps. Default: ${DEFAULT-VALUE}.")
  int unroll;

  @Option(names = "--first-order",
      description = "blended: check the first-order meta-gradient (inner gradients held fixed in the differences).")
  boolean firstOrder;

  @Override
  public Integer call() throws Exception {
    GradientCheck.Report r = GradientCheck.run(optimizer, gateInput, seed, step, unroll, firstOrder);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    spec.commandLine().getOut().println(json.writeValueAsString(r));
    spec.commandLine().getOut().flush();
    return r.passed() ? 0 : 1;
  }
}
