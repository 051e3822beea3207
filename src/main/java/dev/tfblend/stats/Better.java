package dev.tfblend.stats;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which direction of a metric is better: {@code lower} for losses, {@code higher} for accuracies. */
public enum Better {
  /** Smaller values are better (losses). */
  LOWER,
  /** Larger values are better (accuracies). */
  HIGHER;

  /** Whether {@code x} is strictly better than {@code y}. */
  public boolean isBetter(double x, double y) {
    return this == LOWER ? x < y : x > y;
  }

  /** The JSON and config name: {@code lower} or {@code higher}. */
  @JsonValue
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
