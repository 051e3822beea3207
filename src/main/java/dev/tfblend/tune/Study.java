package dev.tfblend.tune;

import dev.tfblend.BadInputException;
import dev.tfblend.concurrent.Workers;
import dev.tfblend.tune.pruner.Pruner;
import dev.tfblend.tune.sampler.Sampler;
import dev.tfblend.tune.storage.TrialStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An optimisation task: a named record of trials in a {@link TrialStorage}, plus the sampler
 * that proposes parameters and the pruner that stops poor trials (Optuna's {@code Study}).
 *
 * <p>Use {@link #create}, {@link #load} or {@link #createOrLoad}, then {@link #optimize}. Each
 * trial runs {@link Objective#evaluate} on the calling thread and ends:
 *
 * <ul>
 *   <li>COMPLETE with the returned value, when it is finite;
 *   <li>PRUNED when the objective throws {@link TrialPrunedException}, with the value reported
 *       at the trial's last step unless that is NaN (Optuna's rule);
 *   <li>FAIL when the objective returns NaN or an infinity; the reason goes to the system
 *       attribute {@value #FAIL_REASON} and the study continues;
 *   <li>FAIL when the objective throws anything else; the reason is recorded the same way. If the
 *       exception is an instance of one of the types passed as {@code catchExceptions} to {@link
 *       #optimize(Objective, int, Duration, List)} the study continues; otherwise {@code optimize}
 *       re-throws it after storing the trial (Optuna's {@code catch} parameter, empty by
 *       default). A checked exception is re-thrown wrapped in an {@link ObjectiveException}.
 * </ul>
 *
 * <p>Several {@code Study} objects (threads or processes) may share one study through a storage
 * that supports it; each runs its own trials. A single {@code Study} object runs one trial at a
 * time, except in {@link #optimizeShared(Objective, int, Duration, Consumer, List, int)} with
 * {@code jobs} &gt; 1, which runs that many trials at once on worker threads. Starting a trial and
 * drawing its parameters (the sampler's calls, {@link Objective#sample}) happen under one
 * sampling lock, so the sampler, which need not be thread-safe, is used by one thread at a time
 * and trials of one object draw in trial-number order. {@link #interrupt} (from any thread) ends
 * its running trials so that the study can be resumed at once, by this or another process.
 */
public final class Study {
  /** System attribute holding the reason a trial failed. */
  public static final String FAIL_REASON = "fail_reason";

  /** System attribute holding an enqueued trial's fixed params (Optuna's name). */
  public static final String FIXED_PARAMS = "fixed_params";

  /**
   * System attribute of a trial enqueued again after a stale or interrupted trial: the numbers
   * of the trials it retries, oldest first (Optuna's {@code RetryFailedTrialCallback} name).
   */
  public static final String RETRY_HISTORY = "retry_history";

  /** The states a shared budget counts ({@link #optimizeShared}): COMPLETE and PRUNED. */
  public static final Set<TrialState> BUDGET_STATES =
      java.util.Collections.unmodifiableSet(EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED));

  /** The {@value #FAIL_REASON} of a trial ended by {@link #interrupt}. */
  public static final String INTERRUPTED = "interrupted";

  private static final System.Logger LOG = System.getLogger(Study.class.getName());

  private final TrialStorage storage;
  private final long studyId;
  private final String name;
  private final StudyDirection direction;
  private final Sampler sampler;
  private final Pruner pruner;
  private final List<TrialListener> listeners = new CopyOnWriteArrayList<>();
  private volatile Consumer<String> warnings = msg -> LOG.log(System.Logger.Level.WARNING, msg);
  private final Set<String> noticesGiven = ConcurrentHashMap.newKeySet();
  private Duration heartbeatInterval;
  private Duration heartbeatGrace;
  private boolean retryStaleTrials;
  private ScheduledExecutorService heartbeatExecutor;
  private final Map<Long, ScheduledFuture<?>> beats = new ConcurrentHashMap<>();
  // trials this object runs now, and those interrupt() ended; guarded by this
  private final Set<Long> running = new java.util.HashSet<>();
  private final Set<Long> interruptedTrials = new java.util.HashSet<>();
  private volatile boolean interrupted;
  // held while a trial is started and its parameters drawn (the sampler is not thread-safe)
  private final ReentrantLock samplingLock = new ReentrantLock();
  // notified whenever a trial of this object ends, for workers waiting on their siblings
  private final Object trialEnded = new Object();

  private Study(
      TrialStorage storage, long studyId, String name, StudyDirection direction, Sampler sampler,
      Pruner pruner) {
    this.storage = storage;
    this.studyId = studyId;
    this.name = name;
    this.direction = direction;
    this.sampler = Objects.requireNonNull(sampler, "sampler");
    this.pruner = Objects.requireNonNull(pruner, "pruner");
  }

  /**
   * Creates a new study.
   *
   * @throws dev.tfblend.tune.storage.DuplicateStudyException if the name is taken
   */
  public static Study create(
      String name, TrialStorage storage, StudyDirection direction, Sampler sampler, Pruner pruner) {
    checkDirection(direction);
    long id = storage.createStudy(name, direction);
    return new Study(storage, id, name, direction, sampler, pruner);
  }

  /**
   * Opens an existing study.
   *
   * @throws BadInputException if no study has this name
   */
  public static Study load(String name, TrialStorage storage, Sampler sampler, Pruner pruner) {
    OptionalLong id = storage.findStudyIdByName(name);
    if (id.isEmpty()) {
      throw BadInputException.of("no study named '%s' in the storage", name);
    }
    StudyDirection direction = storage.getStudyDirection(id.getAsLong());
    checkDirection(direction);
    return new Study(storage, id.getAsLong(), name, direction, sampler, pruner);
  }

  /**
   * Opens the study with this name, creating it when absent, so that running again continues
   * it.
   *
   * @throws BadInputException if the existing study has another direction
   */
  public static Study createOrLoad(
      String name, TrialStorage storage, StudyDirection direction, Sampler sampler, Pruner pruner) {
    checkDirection(direction);
    long id = storage.loadOrCreateStudy(name, direction);
    StudyDirection stored = storage.getStudyDirection(id);
    if (stored != direction) {
      throw BadInputException.of(
          "study '%s' exists with direction %s, not %s", name, stored, direction);
    }
    return new Study(storage, id, name, direction, sampler, pruner);
  }

  private static void checkDirection(StudyDirection direction) {
    if (direction == null || direction == StudyDirection.NOT_SET) {
      throw new IllegalArgumentException("a study needs direction MINIMIZE or MAXIMIZE");
    }
  }

  public String name() {
    return name;
  }

  public long studyId() {
    return studyId;
  }

  public StudyDirection direction() {
    return direction;
  }

  public TrialStorage storage() {
    return storage;
  }

  /** The sampler that proposes this study's parameters (called by {@link Trial}). */
  Sampler sampler() {
    return sampler;
  }

  /** The pruner that decides whether a trial stops early (called by {@link Trial}). */
  Pruner pruner() {
    return pruner;
  }

  /** Snapshots of all trials, ordered by number. */
  public List<FrozenTrial> trials() {
    return storage.getAllTrials(studyId);
  }

  /** Snapshots of the trials in the given states, ordered by number. */
  public List<FrozenTrial> trials(Set<TrialState> states) {
    return storage.getAllTrials(studyId, states);
  }

  /** Adds a listener called after each trial this object finishes. */
  public void addListener(TrialListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Where warnings go (default: {@link System.Logger} at WARNING). */
  public void setWarningListener(Consumer<String> listener) {
    this.warnings = Objects.requireNonNull(listener, "listener");
  }

  void warn(String message) {
    warnings.accept(message);
  }

  /**
   * The sampler's notice for a budget of {@code nTrials}, e.g. "TPE samples randomly for the
   * first 10 trials; with 5 trials this study is a random search."; empty if none applies.
   */
  public Optional<String> budgetNotice(int nTrials) {
    return sampler.budgetNotice(nTrials);
  }

  /**
   * Makes each trial this object runs record a heartbeat every {@code interval}, and makes
   * {@link #optimize} first fail the study's RUNNING trials whose heartbeat is older than {@code
   * grace} (left by a dead process). With {@code retry}, each such trial is enqueued again with
   * its params (system attrs {@code failed_trial}, {@code retry_history}, as Optuna's
   * RetryFailedTrialCallback).
   */
  public synchronized void enableHeartbeat(Duration interval, Duration grace, boolean retry) {
    if (interval.isNegative() || interval.isZero() || grace.compareTo(interval) <= 0) {
      throw new IllegalArgumentException(
          "need 0 < interval < grace, got interval " + interval + ", grace " + grace);
    }
    this.heartbeatInterval = interval;
    this.heartbeatGrace = grace;
    this.retryStaleTrials = retry;
  }

  /**
   * Fails stale RUNNING trials (see {@link #enableHeartbeat}) and, when retry is on, re-queues
   * them; returns the failed trials' ids. Does nothing without heartbeats enabled.
   */
  public synchronized List<Long> failStaleTrials() {
    if (heartbeatGrace == null) {
      return List.of();
    }
    // the retries are created in the failing transaction: no worker sees the budget short in between
    List<Long> failed = retryStaleTrials ? storage.failStaleTrials(studyId, heartbeatGrace, Study::retryOf)
        : storage.failStaleTrials(studyId, heartbeatGrace);
    for (long id : failed) {
      FrozenTrial t = storage.getTrial(id);
      warn("trial " + t.number() + " had no heartbeat for " + heartbeatGrace + " and was failed");
    }
    return failed;
  }

  /** Enqueues a WAITING trial with the params of failed trial {@code t}. */
  private void enqueueRetry(FrozenTrial t) {
    storage.createTrial(studyId, retryOf(t));
  }

  /** The WAITING template that runs failed trial {@code t}'s params again. */
  private static FrozenTrial retryOf(FrozenTrial t) {
    Map<String, Object> sys = new LinkedHashMap<>();
    Object first = t.systemAttrs().getOrDefault("failed_trial", t.number());
    sys.put("failed_trial", first);
    List<Object> history = new ArrayList<>();
    if (t.systemAttrs().get(RETRY_HISTORY) instanceof List<?> h) {
      history.addAll(h);
    }
    history.add(t.number());
    sys.put(RETRY_HISTORY, history);
    return FrozenTrial.template(TrialState.WAITING, null, t.params(), t.distributions(), t.userAttrs(), sys);
  }

  /**
   * Stops this object for good; safe from any thread, meant for a shutdown hook (Ctrl-C). Each
   * trial this object is running ends as FAIL with reason {@value #INTERRUPTED} and is enqueued
   * again with its params (system attrs {@code failed_trial}, {@value #RETRY_HISTORY}), so the
   * next {@link #optimize} on this study, in this process or another, runs it first. Afterwards
   * this object starts no trial ({@link #ask} throws {@link IllegalStateException}, {@link
   * #optimize} returns after the current objective calls) and writes nothing more to the trials
   * it ended. Returns the numbers of the trials it ended, in trial order (several with {@code
   * jobs} &gt; 1); idempotent. It waits for a trial being started to have drawn its parameters
   * (the sampling lock), so the trial enqueued again always carries them.
   */
  public List<Integer> interrupt() {
    samplingLock.lock();
    try {
      synchronized (this) {
        interrupted = true;
        List<Integer> ended = new ArrayList<>();
        for (long id : running.stream().sorted().toList()) {
          stopHeartbeat(id);
          running.remove(id);
          interruptedTrials.add(id);
          storage.setTrialSystemAttr(id, FAIL_REASON, INTERRUPTED);
          storage.setTrialState(id, TrialState.FAIL, null);
          FrozenTrial t = storage.getTrial(id);
          enqueueRetry(t);
          ended.add(t.number());
        }
        return ended;
      }
    } finally {
      samplingLock.unlock();
    }
  }

  /**
   * The first half of {@link #interrupt}: this object starts no trial from now on, and its running
   * trials go on (until {@link #interrupt} ends them or they finish). Lets a caller that interrupts
   * several studies tuned together stop them all from starting trials before it ends any trial,
   * so that a slot freed by one study's ended trial is not taken by another's new one. Waits for a
   * trial being started to have drawn its parameters; idempotent.
   */
  public void stopStarting() {
    samplingLock.lock();
    try {
      synchronized (this) {
        interrupted = true;
      }
    } finally {
      samplingLock.unlock();
    }
  }

  /** Whether {@link #interrupt} (or {@link #stopStarting}) was called. */
  public boolean isInterrupted() {
    return interrupted;
  }

  /**
   * Enqueues a trial whose named params take the given external values instead of sampled
   * ones; it runs before any newly sampled trial. Params the objective asks for that are not
   * named here are sampled as usual.
   */
  public void enqueueTrial(Map<String, ?> params) {
    Map<String, Object> sys = new LinkedHashMap<>();
    sys.put(FIXED_PARAMS, new LinkedHashMap<>(params));
    storage.createTrial(
        studyId, FrozenTrial.template(TrialState.WAITING, null, null, null, null, sys));
  }

  /**
   * Starts a trial: claims an enqueued one if any waits, else creates one; draws the sampler's
   * joint parameters. Pair with {@link #tell}. Most callers use {@link #optimize}.
   */
  public Trial ask() {
    return start(() -> {
      OptionalLong claimed = storage.claimWaitingTrial(studyId);
      return OptionalLong.of(claimed.isPresent() ? claimed.getAsLong() : storage.createTrial(studyId));
    }).orElseThrow();
  }

  /**
   * {@link #ask} within a shared budget: starts a trial only while fewer than {@code budget} of
   * the study's trials are COMPLETE, PRUNED or RUNNING, counted and started in one atomic storage
   * step ({@link TrialStorage#startTrialWithinBudget}); empty when the budget is taken.
   */
  public Optional<Trial> askWithinBudget(int budget) {
    return start(() -> storage.startTrialWithinBudget(studyId, budget, BUDGET_STATES));
  }

  /**
   * Starts the trial {@code newTrial} gives (under the sampling lock, and with this object's
   * monitor while the trial is registered as running and its heartbeat starts), or none when it
   * gives none.
   *
   * @throws IllegalStateException when the study was interrupted
   */
  private Optional<Trial> start(Supplier<OptionalLong> newTrial) {
    samplingLock.lock();
    try {
      long trialId;
      synchronized (this) {
        if (interrupted) {
          throw new IllegalStateException("study '" + name + "' was interrupted");
        }
        OptionalLong started = newTrial.get();
        if (started.isEmpty()) {
          return Optional.empty();
        }
        trialId = started.getAsLong();
        running.add(trialId);
        startHeartbeat(trialId);
      }
      return Optional.of(started(trialId));
    } finally {
      samplingLock.unlock();
    }
  }

  /**
   * The lock under which trials are started and their parameters drawn; {@link Trial#suggest}
   * takes it around each sampler call.
   */
  ReentrantLock samplingLock() {
    return samplingLock;
  }

  private Trial started(long trialId) {
    FrozenTrial t = storage.getTrial(trialId);
    Map<String, Distribution> space = sampler.inferRelativeSearchSpace(this, t);
    Map<String, Double> relative =
        space.isEmpty() ? Map.of() : sampler.sampleRelative(this, t, space);
    return new Trial(this, trialId, space, relative);
  }

  /**
   * Finishes a trial started with {@link #ask}. For PRUNED with a null value, the value becomes
   * the one reported at the trial's last step unless it is NaN. Returns the stored snapshot. A
   * trial that {@link #interrupt} ended stays as it is: tell writes nothing and calls no
   * listener.
   */
  public FrozenTrial tell(Trial trial, TrialState state, Double value) {
    synchronized (this) {
      stopHeartbeat(trial.trialId());
      if (interruptedTrials.contains(trial.trialId())) {
        return storage.getTrial(trial.trialId());
      }
      running.remove(trial.trialId());
      if (state == TrialState.PRUNED && value == null) {
        FrozenTrial t = storage.getTrial(trial.trialId());
        if (!t.intermediateValues().isEmpty()) {
          double last = t.intermediateValues().get(t.intermediateValues().lastKey());
          value = Double.isNaN(last) ? null : last;
        }
      }
      storage.setTrialState(trial.trialId(), state, value);
    }
    FrozenTrial done = storage.getTrial(trial.trialId());
    try {
      for (TrialListener l : listeners) {
        l.trialFinished(this, done);
      }
    } finally {
      synchronized (trialEnded) {
        trialEnded.notifyAll();
      }
    }
    return done;
  }

  /**
   * Runs trials one after another until {@code nTrials} have run or {@code timeout} (nullable)
   * has passed, or {@link #interrupt} was called; the timeout is checked between trials. Returns
   * the snapshots of the trials run. An exception thrown by the objective fails its trial and is
   * re-thrown (see {@link #optimize(Objective, int, Duration, List)} to catch some types).
   */
  public List<FrozenTrial> optimize(Objective objective, int nTrials, Duration timeout) {
    return optimize(objective, nTrials, timeout, List.of());
  }

  /**
   * As {@link #optimize(Objective, int, Duration)}, but a trial whose objective throws an
   * instance of one of {@code catchExceptions} ends as FAIL and the study goes on (Optuna's
   * {@code study.optimize(..., catch=(...))}). Any other exception fails its trial and is
   * re-thrown: unchecked exceptions as they are, checked ones wrapped in an {@link
   * ObjectiveException}. An {@link Error} is always re-thrown.
   *
   * @param catchExceptions the exception types that fail a trial without ending the study
   */
  public List<FrozenTrial> optimize(
      Objective objective, int nTrials, Duration timeout,
      List<Class<? extends Exception>> catchExceptions) {
    if (nTrials <= 0) {
      throw new IllegalArgumentException("nTrials must be positive, got " + nTrials);
    }
    List<Class<? extends Exception>> caught = List.copyOf(catchExceptions);
    // the sampler's startup phase counts the study's trials, not this call's: a resumed study
    // that already holds finished trials is told about its whole budget
    int finished = storage.getTrialCount(studyId,
        EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL));
    budgetNotice(finished + nTrials).ifPresent(msg -> {
      if (noticesGiven.add(msg)) {
        warn(msg);
      }
    });
    failStaleTrials();
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    List<FrozenTrial> done = new ArrayList<>();
    for (int i = 0; i < nTrials && System.nanoTime() < deadline && !interrupted; i++) {
      FrozenTrial t = runTrial(objective, caught);
      if (t == null) {
        break;
      }
      done.add(t);
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    return done;
  }

  /**
   * Runs trials until the study, across every process and object sharing it, holds {@code
   * budget} finished trials (COMPLETE or PRUNED), then returns the trials this object ran. No
   * trial starts once the study's COMPLETE, PRUNED and RUNNING trials reach the budget ({@link
   * #askWithinBudget}); while others' running trials take the rest of the budget this object
   * waits, polling every {@code poll}, and fails stale ones ({@link #failStaleTrials}, which with
   * retry on queues their params again, so the trials of a killed process are run again). FAIL
   * trials do not count. So that a study whose trials keep failing ends, it also returns once the
   * study holds {@code budget} FAIL trials (with a warning). Returns early when {@link
   * #interrupt} is called or the thread is interrupted.
   */
  public List<FrozenTrial> optimizeShared(Objective objective, int budget, Duration poll) {
    return optimizeShared(objective, budget, poll, running -> { });
  }

  /**
   * {@link #optimizeShared(Objective, int, Duration)}, calling {@code waiting} with the numbers
   * of the study's RUNNING trials each time this object starts to wait for them (once per
   * spell of waiting, not per poll).
   */
  public List<FrozenTrial> optimizeShared(Objective objective, int budget, Duration poll,
      Consumer<List<Integer>> waiting) {
    return optimizeShared(objective, budget, poll, waiting, List.of());
  }

  /**
   * {@link #optimizeShared(Objective, int, Duration, Consumer)}, with the exception types that
   * fail a trial without ending the study, as {@link #optimize(Objective, int, Duration, List)}
   * takes them; any other exception fails its trial and is re-thrown.
   */
  public List<FrozenTrial> optimizeShared(Objective objective, int budget, Duration poll,
      Consumer<List<Integer>> waiting, List<Class<? extends Exception>> catchExceptions) {
    return optimizeShared(objective, budget, poll, waiting, catchExceptions, 1);
  }

  /**
   * {@link #optimizeShared(Objective, int, Duration, Consumer, List)} running up to {@code jobs}
   * trials at once, each on a worker thread of its own (Optuna's {@code n_jobs}); {@code jobs} 1
   * runs them one after another on the calling thread. The objective's {@link Objective#evaluate}
   * and the listeners are then called from several threads at once.
   *
   * <p>Each worker starts a trial and draws its parameters ({@link Objective#sample}) under the
   * study's sampling lock, so trials draw in trial-number order; it then evaluates the trial
   * outside the lock. A worker that finds the rest of the budget taken waits for the running
   * trials ({@code waiting} is told only about those of other processes or objects). A caught
   * exception fails its trial and the worker goes on; any other exception fails its trial, no
   * worker starts another trial, the running ones finish as they would, and the first such
   * exception is re-thrown once every worker has stopped. {@link #interrupt} ends every running
   * trial. Returns the trials this object ran, in trial-number order.
   *
   * @param jobs how many trials this object runs at once (positive)
   */
  public List<FrozenTrial> optimizeShared(Objective objective, int budget, Duration poll,
      Consumer<List<Integer>> waiting, List<Class<? extends Exception>> catchExceptions, int jobs) {
    return optimizeShared(objective, budget, poll, waiting, catchExceptions, jobs, null, 0);
  }

  /**
   * {@link #optimizeShared(Objective, int, Duration, Consumer, List, int)} with its trials also
   * counted against {@code slots}, a limit shared with other studies tuned at the same time in
   * this process: each worker takes a slot before it starts a trial, keeps it from one trial to the
   * next unless a worker of a more urgent study waits for one ({@link TrialSlots#moreUrgentWaiting}),
   * and gives it back when it waits or stops, so no more trials of all those studies run at once than
   * {@code slots} has.
   *
   * @param slots the shared limit, or null for none
   * @param priority this study's priority for a free slot (lower first; see {@link TrialSlots})
   */
  public List<FrozenTrial> optimizeShared(Objective objective, int budget, Duration poll,
      Consumer<List<Integer>> waiting, List<Class<? extends Exception>> catchExceptions, int jobs,
      TrialSlots slots, int priority) {
    List<Class<? extends Exception>> caught = List.copyOf(catchExceptions);
    if (budget <= 0) {
      throw new IllegalArgumentException("budget must be positive, got " + budget);
    }
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("poll must be positive, got " + poll);
    }
    if (jobs <= 0) {
      throw new IllegalArgumentException("jobs must be positive, got " + jobs);
    }
    budgetNotice(budget).ifPresent(msg -> {
      if (noticesGiven.add(msg)) {
        warn(msg);
      }
    });
    if (jobs == 1) {
      List<FrozenTrial> done = new ArrayList<>();
      sharedLoop(objective, budget, poll, waiting, caught, new AtomicBoolean(), done, slots, priority);
      return done;
    }
    List<FrozenTrial> done = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < jobs; w++) {
      Thread worker = new Thread(() -> {
        try {
          sharedLoop(objective, budget, poll, waiting, caught, stop, done, slots, priority);
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, e);
          stop.set(true);
          synchronized (trialEnded) {
            trialEnded.notifyAll();
          }
        }
      }, "tune-" + name + "-worker-" + w);
      worker.setDaemon(true);
      workers.add(worker);
    }
    // an interrupted caller lets each worker finish its trial and stop
    Workers.startAndJoin(workers, failure, () -> stop.set(true));
    List<FrozenTrial> ran = new ArrayList<>(done);
    ran.sort(java.util.Comparator.comparingInt(FrozenTrial::number));
    return ran;
  }

  /**
   * One worker of {@link #optimizeShared}: starts trials within the budget until it is met, the
   * study is interrupted, the thread is interrupted or {@code stop} is set, adding each trial it
   * ran to {@code done}. With {@code slots}, it holds a slot from before it looks at the budget
   * until it waits or stops, and keeps it from one trial to the next unless a worker of a more
   * urgent study is waiting for one.
   */
  private void sharedLoop(Objective objective, int budget, Duration poll, Consumer<List<Integer>> waiting,
      List<Class<? extends Exception>> caught, AtomicBoolean stop, List<FrozenTrial> done, TrialSlots slots,
      int priority) {
    boolean wasWaiting = false;
    boolean holding = false;
    try {
      while (!interrupted && !stop.get() && !Thread.currentThread().isInterrupted()) {
        if (slots != null) {
          if (holding && slots.moreUrgentWaiting(priority)) {
            slots.release();
            holding = false;
          }
          if (!holding) {
            try {
              if (!slots.tryAcquire(priority, poll)) {
                continue;
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
            holding = true;
          }
        }
        failStaleTrials();
        if (storage.getTrialCount(studyId, BUDGET_STATES) >= budget) {
          break;
        }
        Optional<Started> trial;
        // the failed count, this object's running trials and the start are one step under the
        // sampling lock, so two workers cannot both start the trial that only one may
        samplingLock.lock();
        try {
          int failed;
          int mine;
          // one view of both: tell() removes a trial from the running ones and stores its state
          // under this object's monitor
          synchronized (this) {
            failed = storage.getTrialCount(studyId, EnumSet.of(TrialState.FAIL));
            mine = running.size();
          }
          if (failed >= budget) {
            String msg = "study '" + name + "' stops: " + failed + " trials failed, as many as its budget of "
                + budget + " finished trials";
            if (noticesGiven.add(msg)) {
              warn(msg);
            }
            break;
          }
          // were this object's running trials to fail too, the study would stop: wait for them before
          // starting more, so that a study whose trials all fail runs as many as it would one at a time
          if (mine > 0 && failed + mine >= budget) {
            trial = null;
          } else {
            trial = startWithinBudget(objective, budget);
          }
        } catch (IllegalStateException e) {
          if (interrupted) {
            break;
          }
          throw e;
        } finally {
          samplingLock.unlock();
        }
        if (trial == null) {
          holding = giveBack(slots, holding);
          if (!awaitTrialEnd(poll)) {
            break;
          }
          continue;
        }
        if (trial.isEmpty()) {
          holding = giveBack(slots, holding);
          List<Integer> others;
          synchronized (this) {
            others = storage.getAllTrials(studyId, EnumSet.of(TrialState.RUNNING)).stream()
                .filter(t -> !running.contains(t.trialId()))
                .map(FrozenTrial::number).toList();
          }
          if (!wasWaiting && !others.isEmpty()) {
            wasWaiting = true;
            waiting.accept(others);
          }
          if (!awaitTrialEnd(poll)) {
            break;
          }
          continue;
        }
        wasWaiting = false;
        done.add(runTrial(objective, trial.get(), caught));
      }
    } finally {
      giveBack(slots, holding);
    }
  }

  /** Gives back the worker's slot if it holds one; returns false (it holds none now). */
  private static boolean giveBack(TrialSlots slots, boolean holding) {
    if (holding) {
      slots.release();
    }
    return false;
  }

  /**
   * Waits until a trial of this object ends or {@code poll} has passed; false when the thread was
   * interrupted (its flag is set again).
   */
  private boolean awaitTrialEnd(Duration poll) {
    try {
      synchronized (trialEnded) {
        trialEnded.wait(poll.toMillis());
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A trial started by this object and the outcome of drawing its parameters: {@code
   * sampleFailure} is what {@link Objective#sample} threw, or null.
   */
  private record Started(Trial trial, Throwable sampleFailure) {}

  /** Starts a trial and draws its parameters under the sampling lock (see {@link #ask}). */
  private Started startAndSample(Objective objective) {
    samplingLock.lock();
    try {
      Trial trial = ask();
      return new Started(trial, sampleParams(objective, trial));
    } finally {
      samplingLock.unlock();
    }
  }

  /** {@link #startAndSample} within a shared budget (see {@link #askWithinBudget}). */
  private Optional<Started> startWithinBudget(Objective objective, int budget) {
    samplingLock.lock();
    try {
      Optional<Trial> trial = askWithinBudget(budget);
      return trial.map(t -> new Started(t, sampleParams(objective, t)));
    } finally {
      samplingLock.unlock();
    }
  }

  private static Throwable sampleParams(Objective objective, Trial trial) {
    try {
      objective.sample(trial);
      return null;
    } catch (Exception | Error e) {
      return e;
    }
  }

  /** Runs one trial; null when {@link #interrupt} came first. */
  private FrozenTrial runTrial(Objective objective, List<Class<? extends Exception>> caught) {
    Started trial;
    try {
      trial = startAndSample(objective);
    } catch (IllegalStateException e) {
      if (interrupted) {
        return null;
      }
      throw e;
    }
    return runTrial(objective, trial, caught);
  }

  /** Runs {@code objective} on a started trial whose parameters were drawn, and tells its outcome. */
  private FrozenTrial runTrial(Objective objective, Started started, List<Class<? extends Exception>> caught) {
    Trial trial = started.trial();
    double value;
    try {
      if (started.sampleFailure() instanceof Exception e) {
        throw e;
      }
      if (started.sampleFailure() instanceof Error e) {
        throw e;
      }
      value = objective.evaluate(trial);
    } catch (TrialPrunedException e) {
      return tell(trial, TrialState.PRUNED, null);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      boolean endedByInterrupt;
      synchronized (this) {
        endedByInterrupt = interruptedTrials.contains(trial.trialId());
      }
      FrozenTrial failed = fail(trial, e.toString());
      if (endedByInterrupt || caught.stream().anyMatch(c -> c.isInstance(e))) {
        return failed;
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new ObjectiveException(trial.number(), e);
    } catch (Error e) {
      fail(trial, e.toString());
      throw e;
    }
    if (!Double.isFinite(value)) {
      return fail(trial, "the objective returned " + value);
    }
    return tell(trial, TrialState.COMPLETE, value);
  }

  private FrozenTrial fail(Trial trial, String reason) {
    synchronized (this) {
      if (interruptedTrials.contains(trial.trialId())) {
        // interrupt() ended it; what the objective threw afterwards is a consequence
        return storage.getTrial(trial.trialId());
      }
      storage.setTrialSystemAttr(trial.trialId(), FAIL_REASON, reason);
    }
    warn("trial " + trial.number() + " failed: " + reason);
    return tell(trial, TrialState.FAIL, null);
  }

  /**
   * The COMPLETE trial with the best value (the earliest among equals), if any.
   */
  public Optional<FrozenTrial> findBestTrial() {
    return findBestTrial(t -> true);
  }

  /**
   * The COMPLETE trial with the best value among those {@code admissible} accepts (the earliest
   * among equals), if any; e.g. {@code space::admits} leaves out trials another tool added
   * outside the search space.
   */
  public Optional<FrozenTrial> findBestTrial(java.util.function.Predicate<FrozenTrial> admissible) {
    FrozenTrial best = null;
    for (FrozenTrial t : storage.getAllTrials(studyId, EnumSet.of(TrialState.COMPLETE))) {
      if (!admissible.test(t)) {
        continue;
      }
      if (best == null || direction.isBetter(t.value(), best.value())) {
        best = t;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The best COMPLETE trial. @throws NoSuchElementException if no trial completed */
  public FrozenTrial bestTrial() {
    return findBestTrial()
        .orElseThrow(() -> new NoSuchElementException("study '" + name + "' has no COMPLETE trial"));
  }

  /** The best trial's value. @throws NoSuchElementException if no trial completed */
  public double bestValue() {
    return bestTrial().value();
  }

  /** The best trial's params. @throws NoSuchElementException if no trial completed */
  public Map<String, Object> bestParams() {
    return bestTrial().params();
  }

  // ---- heartbeat

  private synchronized void startHeartbeat(long trialId) {
    if (heartbeatInterval == null) {
      return;
    }
    if (heartbeatExecutor == null) {
      heartbeatExecutor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread th = new Thread(r, "tune-heartbeat-" + name);
                th.setDaemon(true);
                return th;
              });
    }
    storage.recordHeartbeat(trialId);
    long ms = heartbeatInterval.toMillis();
    beats.put(
        trialId,
        heartbeatExecutor.scheduleAtFixedRate(
            () -> {
              try {
                storage.recordHeartbeat(trialId);
              } catch (RuntimeException e) {
                // The trial finished between the schedule and this beat, or the storage is
                // briefly unavailable; the next beat or the stop below settles it.
              }
            },
            ms,
            ms,
            TimeUnit.MILLISECONDS));
  }

  private synchronized void stopHeartbeat(long trialId) {
    ScheduledFuture<?> f = beats.remove(trialId);
    if (f != null) {
      f.cancel(false);
    }
    // no trial of this object is running: release the thread (a library user may create many
    // studies); the next trial starts a new one
    if (beats.isEmpty() && heartbeatExecutor != null) {
      heartbeatExecutor.shutdown();
      heartbeatExecutor = null;
    }
  }
}
