package dev.tfblend.tune.storage;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The record of studies and their trials (Optuna's {@code BaseStorage}, cut to what a
 * single-objective tuner needs).
 *
 * <h2>Who calls what, in which order</h2>
 *
 * <ol>
 *   <li>A study is created with {@link #createStudy} or found with {@link #getStudyIdByName}
 *       ({@link #loadOrCreateStudy} does either, race-free across processes).
 *   <li>A worker starts a trial: it first tries {@link #claimWaitingTrial} (enqueued trials go
 *       first, oldest first), else {@link #createTrial(long)}. Both return a trial id whose trial
 *       is {@link TrialState#RUNNING} with {@code datetimeStart} set. The trial's {@code number}
 *       is assigned by the storage, atomically: the numbers of a study's trials are exactly
 *       {@code 0..n-1} in creation order, even with many threads and processes creating trials.
 *   <li>While the trial is RUNNING, the worker (and only it) may call {@link #setTrialParam}
 *       (each name at most once), {@link #setTrialIntermediateValue} (a step written again is
 *       overwritten), {@link #setTrialUserAttr}, {@link #setTrialSystemAttr} and {@link
 *       #recordHeartbeat}.
 *   <li>The worker ends the trial with {@link #setTrialState} (COMPLETE, PRUNED or FAIL). From
 *       then on the trial is read-only: every setter throws {@link IllegalStateException}.
 *   <li>Anyone may read at any time: {@link #getTrial}, {@link #getAllTrials}, {@link
 *       #getAllStudies}. Samplers and pruners only read.
 *   <li>{@link #close()} releases connections; the storage must not be used afterwards.
 * </ol>
 *
 * <p>Several processes share one study's budget through {@link #startTrialWithinBudget}, which
 * counts and starts in one atomic step, and coordinate through study attributes: {@link
 * #compareAndSetStudySystemAttr} is the one atomic primitive (a claim, a lease, a value written
 * once at creation).
 *
 * <p>{@link #createTrial(long, FrozenTrial)} adds a trial from a template: a WAITING trial for
 * {@code enqueueTrial} (fixed params travel in the system attr {@code fixed_params}, as in
 * Optuna), or an already finished trial (e.g. imported). {@link #failStaleTrials} lets a new
 * worker fail RUNNING trials whose worker stopped sending heartbeats (a dead process).
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Thread-safe: every method may be called from any thread. Database-backed storages are
 *       also safe for several processes sharing one database.
 *   <li>Snapshots: {@link FrozenTrial}s and lists returned are immutable and never change after
 *       they were returned. {@link #getAllTrials} is a consistent view ordered by number.
 *   <li>Values: a trial value may be finite or infinite, never NaN; intermediate values may be
 *       NaN or infinite. Datetimes have microsecond resolution (Optuna's schema).
 *   <li>Params are stored as the internal double of their distribution; a study's parameter
 *       name keeps a compatible distribution across trials ({@link
 *       Distribution#checkCompatibility}).
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * Unknown study or trial ids: {@link NoSuchElementException}. Writing to a finished trial, or
 * setting a param name twice: {@link IllegalStateException}. Invalid arguments (NaN value, value
 * on a FAIL trial, incompatible distribution): {@link IllegalArgumentException}. Duplicate study
 * name: {@link DuplicateStudyException}. Backend failures: {@link StorageException}.
 */
public interface TrialStorage extends AutoCloseable {

  // ---- studies

  /**
   * Creates an empty study and returns its id.
   *
   * @throws DuplicateStudyException if the name is taken
   */
  long createStudy(String studyName, StudyDirection direction);

  /**
   * The id of the study with this name.
   *
   * @throws NoSuchElementException if there is none
   */
  long getStudyIdByName(String studyName);

  /** The id of the study with this name, or empty. */
  default OptionalLong findStudyIdByName(String studyName) {
    try {
      return OptionalLong.of(getStudyIdByName(studyName));
    } catch (NoSuchElementException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The id of the study with this name, creating it with {@code direction} when absent. Safe
   * when several processes call it at once: exactly one study results. The direction of an
   * existing study is not checked here.
   */
  default long loadOrCreateStudy(String studyName, StudyDirection direction) {
    OptionalLong existing = findStudyIdByName(studyName);
    if (existing.isPresent()) {
      return existing.getAsLong();
    }
    try {
      return createStudy(studyName, direction);
    } catch (DuplicateStudyException raced) {
      return getStudyIdByName(studyName);
    }
  }

  /** The study's name. @throws NoSuchElementException for an unknown id */
  String getStudyName(long studyId);

  /** The study's direction. @throws NoSuchElementException for an unknown id */
  StudyDirection getStudyDirection(long studyId);

  /** All studies, ordered by id. */
  List<StudySummary> getAllStudies();

  // ---- study attributes (Optuna's study_user_attributes and study_system_attributes)

  /**
   * The study's user attributes (JSON-like values; what optuna-dashboard shows), by key;
   * an unmodifiable snapshot.
   */
  Map<String, Object> getStudyUserAttrs(long studyId);

  /** The study's system attributes, by key; an unmodifiable snapshot. */
  Map<String, Object> getStudySystemAttrs(long studyId);

  /**
   * Sets a user ({@code system} false) or system attribute of the study to a JSON-like value,
   * replacing any earlier value.
   */
  void setStudyAttr(long studyId, boolean system, String key, Object value);

  /** Sets a user attribute of the study to a JSON-like value (replacing any earlier value). */
  default void setStudyUserAttr(long studyId, String key, Object value) {
    setStudyAttr(studyId, false, key, value);
  }

  /** Sets a system attribute of the study to a JSON-like value (replacing any earlier value). */
  default void setStudySystemAttr(long studyId, String key, Object value) {
    setStudyAttr(studyId, true, key, value);
  }

  /**
   * Atomically sets the study's system attribute {@code key} to {@code value} when its current
   * value equals {@code expected} ({@code null}: the attribute is absent; values compare by
   * their JSON text) and returns true; otherwise changes nothing and returns false. Of several
   * processes that race from the same {@code expected}, exactly one wins.
   */
  boolean compareAndSetStudySystemAttr(long studyId, String key, Object expected, Object value);

  // ---- trials: creation

  /**
   * Creates a RUNNING trial with {@code datetimeStart} = now and the next number of the study;
   * returns its trial id. The same as {@link #createTrial(long, FrozenTrial)} with an empty
   * RUNNING template.
   */
  default long createTrial(long studyId) {
    return createTrial(studyId, FrozenTrial.template(TrialState.RUNNING, null, null, null, null, null));
  }

  /**
   * Creates a trial from a template (its {@code trialId}, {@code number} and datetimes are
   * ignored) and returns its id. The template's state may be WAITING (no start time), RUNNING
   * (start = now) or finished (start and completion = now, value as given); params,
   * distributions, intermediate values and attributes are copied.
   *
   * @throws IllegalArgumentException if a param is outside its distribution, a distribution is
   *     incompatible with the study's, or the value does not fit the state (as {@link
   *     #setTrialState})
   */
  long createTrial(long studyId, FrozenTrial template);

  /**
   * Atomically moves the oldest WAITING trial of the study (smallest number) to RUNNING, sets
   * its start time and returns its id; empty when none waits. Two concurrent callers never get
   * the same trial.
   */
  OptionalLong claimWaitingTrial(long studyId);

  /**
   * Starts a trial only while the study's budget allows it, in one atomic step: when fewer than
   * {@code budget} of the study's trials are RUNNING or in a state of {@code counted}, claims the
   * oldest WAITING trial (as {@link #claimWaitingTrial}) or else creates a RUNNING one (as
   * {@link #createTrial(long)}) and returns its id; otherwise starts nothing and returns empty.
   * However many processes call it at once, the study never holds more than {@code budget}
   * trials that are RUNNING or counted because of it.
   *
   * @throws IllegalArgumentException if {@code budget} is negative or {@code counted} holds
   *     RUNNING or WAITING
   */
  OptionalLong startTrialWithinBudget(long studyId, int budget, Set<TrialState> counted);

  // ---- trials: writes by the worker that runs the trial

  /**
   * Records one parameter of a RUNNING trial as its internal value.
   *
   * @throws IllegalStateException if the trial is finished or already has this param
   * @throws IllegalArgumentException if {@code distribution} is incompatible with the one this
   *     param name has in the study's other trials, or does not contain {@code internalValue}
   */
  void setTrialParam(long trialId, String paramName, double internalValue, Distribution distribution);

  /**
   * Finishes a RUNNING (or WAITING) trial: {@code state} is COMPLETE (value not null), PRUNED
   * (value may be null) or FAIL (value must be null); sets {@code datetimeComplete} = now.
   *
   * @throws IllegalStateException if the trial is already finished
   * @throws IllegalArgumentException for a non-finished state, a NaN value or a value that does
   *     not fit the state
   */
  void setTrialState(long trialId, TrialState state, Double value);

  /** Records the value reported at {@code step} (overwrites an earlier report of that step). */
  void setTrialIntermediateValue(long trialId, int step, double value);

  /**
   * Sets a user ({@code system} false) or system attribute of an unfinished trial to a JSON-like
   * value (null, Boolean, Number, String, List, Map).
   */
  void setTrialAttr(long trialId, boolean system, String key, Object value);

  /** Sets a user attribute to a JSON-like value (null, Boolean, Number, String, List, Map). */
  default void setTrialUserAttr(long trialId, String key, Object value) {
    setTrialAttr(trialId, false, key, value);
  }

  /** Sets a system attribute to a JSON-like value (reserved for the library). */
  default void setTrialSystemAttr(long trialId, String key, Object value) {
    setTrialAttr(trialId, true, key, value);
  }

  // ---- reads

  /** A snapshot of one trial. @throws NoSuchElementException for an unknown id */
  FrozenTrial getTrial(long trialId);

  /**
   * Snapshots of the study's trials whose state is in {@code states}, ordered by number; an
   * unmodifiable list.
   */
  List<FrozenTrial> getAllTrials(long studyId, Set<TrialState> states);

  /** Snapshots of all of the study's trials, ordered by number. */
  default List<FrozenTrial> getAllTrials(long studyId) {
    return getAllTrials(studyId, EnumSet.allOf(TrialState.class));
  }

  /** Number of the study's trials whose state is in {@code states}. */
  default int getTrialCount(long studyId, Set<TrialState> states) {
    return getAllTrials(studyId, states).size();
  }

  // ---- heartbeats

  /** Records that the worker running this RUNNING trial is alive (time = storage clock). */
  void recordHeartbeat(long trialId);

  /**
   * Fails (state FAIL, completion = now, system attr {@code fail_reason}) every RUNNING trial
   * of the study that has recorded a heartbeat and whose last heartbeat is older than {@code
   * grace}; returns their ids in number order. Trials that never recorded a heartbeat are left
   * alone. Concurrent callers fail each trial once.
   */
  List<Long> failStaleTrials(long studyId, Duration grace);

  /**
   * {@link #failStaleTrials(long, Duration)}, and in the same transaction creates, for each
   * trial it fails, the trial {@code retry} makes of it (a WAITING template), so that no other
   * worker can find the budget short between the failure and the retry and start a new trial
   * instead of the retry. {@code retry} is called with the failed trial as stored after its failure.
   */
  List<Long> failStaleTrials(long studyId, Duration grace,
      java.util.function.Function<FrozenTrial, FrozenTrial> retry);

  /** Releases resources (connections); idempotent. */
  @Override
  void close();
}
