package dev.tfblend.tune;

/**
 * Whether a study minimises or maximises its objective, with Optuna's names.
 *
 * <p>{@link #NOT_SET} exists only because Optuna's schema has it; a study never uses it, and a
 * storage reading it from a database reports it as is.
 */
public enum StudyDirection {
  NOT_SET,
  MINIMIZE,
  MAXIMIZE;

  /** True when {@code a} is strictly better than {@code b} in this direction. */
  public boolean isBetter(double a, double b) {
    switch (this) {
      case MINIMIZE:
        return a < b;
      case MAXIMIZE:
        return a > b;
      default:
        throw new IllegalStateException("study direction is NOT_SET");
    }
  }

  /** {@code value} as a loss: itself when minimising, its negation when maximising. */
  public double toLoss(double value) {
    switch (this) {
      case MINIMIZE:
        return value;
      case MAXIMIZE:
        return -value;
      default:
        throw new IllegalStateException("study direction is NOT_SET");
    }
  }
}
