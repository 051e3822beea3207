package dev.tfblend.tune;

/**
 * Life-cycle state of a trial, with Optuna's names (they are stored as text in Optuna's schema).
 *
 * <p>A trial is created {@link #RUNNING}, or {@link #WAITING} when enqueued; a waiting trial is
 * claimed into {@code RUNNING} by a worker; a running trial ends in exactly one of the finished
 * states {@link #COMPLETE}, {@link #PRUNED} or {@link #FAIL} and never changes again.
 */
public enum TrialState {
  /** Being evaluated by a worker. */
  RUNNING,
  /** Evaluated; holds the objective value. */
  COMPLETE,
  /** Stopped early by the pruner; holds the last reported finite intermediate value, if any. */
  PRUNED,
  /** The objective threw, returned a non-finite value, or the worker died; holds no value. */
  FAIL,
  /** Enqueued and not yet claimed by a worker. */
  WAITING;

  /** True for {@link #COMPLETE}, {@link #PRUNED} and {@link #FAIL}: the trial will not change. */
  public boolean isFinished() {
    return this == COMPLETE || this == PRUNED || this == FAIL;
  }
}
