package dev.tfblend.tune;

/**
 * A checked exception thrown by an {@link Objective}, re-thrown by {@link Study#optimize} after
 * the trial was stored as FAIL; {@link #getCause()} is the objective's exception.
 */
public final class ObjectiveException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int trialNumber;

  /** Wraps {@code cause}, thrown by the objective in trial {@code trialNumber}. */
  public ObjectiveException(int trialNumber, Exception cause) {
    super("trial " + trialNumber + " failed: " + cause, cause);
    this.trialNumber = trialNumber;
  }

  /** The number of the trial whose objective threw. */
  public int trialNumber() {
    return trialNumber;
  }
}
