package dev.tfblend.meta;

import dev.tfblend.BadInputException;
import java.util.Arrays;

/**
 * What a gate outputs: one {@code alpha} for the whole step ({@code global}, the published
 * method), or one {@code alpha} per parameter tensor ({@code per-tensor}: the gate's last layer
 * has one unit per model variable, in the model's parameter order, each weighting that tensor's
 * Adam and SGD increments).
 */
public enum GateOutput {
  /** One alpha per step. */
  GLOBAL("global"),
  /** One alpha per parameter tensor per step. */
  PER_TENSOR("per-tensor");

  private final String configName;

  GateOutput(String configName) {
    this.configName = configName;
  }

  /** The name in configs and on the command line. */
  public String configName() {
    return configName;
  }

  /**
   * The output named {@code s} (case-insensitive).
   *
   * @throws BadInputException naming the value and the accepted ones when unknown
   */
  public static GateOutput parse(String s) {
    for (GateOutput o : values()) {
      if (o.configName.equalsIgnoreCase(s == null ? "" : s.trim())) {
        return o;
      }
    }
    throw BadInputException.of("unknown gate output '%s', expected one of %s", s,
        Arrays.stream(values()).map(GateOutput::configName).toList());
  }
}
