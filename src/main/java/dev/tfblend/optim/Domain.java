package dev.tfblend.optim;

import java.util.function.DoublePredicate;

/**
 * The values a hyperparameter may take, with the wording used in messages ({@code "> 0"},
 * {@code "in [0, 1)"}). Every domain admits finite numbers only. A discrete domain (a flag, a
 * count) admits integers only.
 *
 * @param wording how messages state the domain
 * @param discrete whether only integers are admitted
 * @param test whether a finite value lies inside it
 */
public record Domain(String wording, boolean discrete, DoublePredicate test) {

  /** {@code v > 0}. */
  public static final Domain POSITIVE = new Domain("> 0", false, v -> v > 0);
  /** {@code v >= 0}. */
  public static final Domain NON_NEGATIVE = new Domain(">= 0", false, v -> v >= 0);
  /** {@code 0 <= v < 1} (a decay rate). */
  public static final Domain UNIT = new Domain("in [0, 1)", false, v -> v >= 0 && v < 1);
  /** {@code 0} or {@code 1} (a flag). */
  public static final Domain FLAG = new Domain("0 or 1", true, v -> v == 0 || v == 1);
  /** A positive integer. */
  public static final Domain POSITIVE_INTEGER =
      new Domain("a positive integer", true, v -> v >= 1 && v <= Integer.MAX_VALUE);

  /** Whether {@code v} is finite and inside the domain. */
  public boolean contains(double v) {
    return Double.isFinite(v) && (!discrete || v == Math.rint(v)) && test.test(v);
  }

  /**
   * Whether every value a search range can produce lies inside: both ends are inside, and a
   * discrete domain gets integer values only ({@code integerValued}). The domains here are
   * intervals, so the ends decide.
   */
  public boolean admitsRange(double low, double high, boolean integerValued) {
    return contains(low) && contains(high) && (!discrete || integerValued);
  }

  @Override
  public String toString() {
    return wording;
  }
}
