package dev.tfblend.tune.storage;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link TrialStorage} in the memory of one process: fast, thread-safe, gone when the process
 * ends.
 *
 * <p>Every method takes one lock, so each call is atomic. Trials are held as immutable {@link
 * FrozenTrial}s that writes replace, so reads hand out the stored objects without copying.
 */
public final class InMemoryStorage implements TrialStorage {

  private static final class StudyRecord {
    final long id;
    final String name;
    final StudyDirection direction;
    /** Trials by number. */
    final List<FrozenTrial> trials = new ArrayList<>();
    /** Numbers of WAITING trials, oldest first. */
    final TreeSet<Integer> waiting = new TreeSet<>();
    final Map<String, Distribution> paramDistributions = new HashMap<>();
    /** Study attributes as JSON text, by key (user, system). */
    final Map<String, String> userAttrs = new java.util.TreeMap<>();
    final Map<String, String> systemAttrs = new java.util.TreeMap<>();

    StudyRecord(long id, String name, StudyDirection direction) {
      this.id = id;
      this.name = name;
      this.direction = direction;
    }
  }

  private final Clock clock;
  private final Object lock = new Object();
  private final Map<Long, StudyRecord> studies = new LinkedHashMap<>();
  private final Map<String, Long> studyIdsByName = new HashMap<>();
  /** Where each trial id lives. */
  private record TrialRef(StudyRecord study, int number) {}

  private final Map<Long, TrialRef> trialRefs = new HashMap<>();
  private final Map<Long, Instant> heartbeats = new HashMap<>();
  private long nextStudyId = 1;
  private long nextTrialId = 1;

  /** A storage on the system UTC clock. */
  public InMemoryStorage() {
    this(Clock.systemUTC());
  }

  /** A storage whose timestamps and heartbeats come from {@code clock} (for tests). */
  public InMemoryStorage(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private StudyRecord study(long studyId) {
    StudyRecord s = studies.get(studyId);
    if (s == null) {
      throw new NoSuchElementException("no study with id " + studyId);
    }
    return s;
  }

  private TrialRef ref(long trialId) {
    TrialRef r = trialRefs.get(trialId);
    if (r == null) {
      throw new NoSuchElementException("no trial with id " + trialId);
    }
    return r;
  }

  private FrozenTrial trial(long trialId) {
    TrialRef r = ref(trialId);
    return r.study.trials.get(r.number);
  }

  /** Replaces the stored snapshot of a trial (same id and number). */
  private void put(FrozenTrial t) {
    TrialRef r = trialRefs.get(t.trialId());
    r.study.trials.set(r.number, t);
  }

  private FrozenTrial updatable(long trialId) {
    FrozenTrial t = trial(trialId);
    if (t.isFinished()) {
      throw new IllegalStateException(
          "trial " + t.number() + " (id " + trialId + ") is " + t.state() + " and cannot change");
    }
    return t;
  }

  @Override
  public long createStudy(String studyName, StudyDirection direction) {
    Objects.requireNonNull(studyName, "studyName");
    Objects.requireNonNull(direction, "direction");
    synchronized (lock) {
      if (studyIdsByName.containsKey(studyName)) {
        throw new DuplicateStudyException(studyName);
      }
      long id = nextStudyId++;
      studies.put(id, new StudyRecord(id, studyName, direction));
      studyIdsByName.put(studyName, id);
      return id;
    }
  }

  @Override
  public long getStudyIdByName(String studyName) {
    synchronized (lock) {
      Long id = studyIdsByName.get(studyName);
      if (id == null) {
        throw new NoSuchElementException("no study named '" + studyName + "'");
      }
      return id;
    }
  }

  @Override
  public String getStudyName(long studyId) {
    synchronized (lock) {
      return study(studyId).name;
    }
  }

  @Override
  public StudyDirection getStudyDirection(long studyId) {
    synchronized (lock) {
      return study(studyId).direction;
    }
  }

  @Override
  public List<StudySummary> getAllStudies() {
    synchronized (lock) {
      List<StudySummary> out = new ArrayList<>();
      for (StudyRecord s : studies.values()) {
        out.add(new StudySummary(s.id, s.name, s.direction, s.trials.size()));
      }
      return Collections.unmodifiableList(out);
    }
  }

  @Override
  public Map<String, Object> getStudyUserAttrs(long studyId) {
    return studyAttrs(studyId, false);
  }

  @Override
  public Map<String, Object> getStudySystemAttrs(long studyId) {
    return studyAttrs(studyId, true);
  }

  private Map<String, Object> studyAttrs(long studyId, boolean system) {
    synchronized (lock) {
      StudyRecord s = study(studyId);
      Map<String, Object> out = new LinkedHashMap<>();
      (system ? s.systemAttrs : s.userAttrs).forEach((k, v) -> out.put(k, TrialRows.fromJson(v)));
      return Collections.unmodifiableMap(out);
    }
  }

  @Override
  public void setStudyAttr(long studyId, boolean system, String key, Object value) {
    Objects.requireNonNull(key, "key");
    String json = TrialRows.toJson(value);
    synchronized (lock) {
      StudyRecord st = study(studyId);
      (system ? st.systemAttrs : st.userAttrs).put(key, json);
    }
  }

  @Override
  public boolean compareAndSetStudySystemAttr(long studyId, String key, Object expected, Object value) {
    Objects.requireNonNull(key, "key");
    String want = expected == null ? null : TrialRows.toJson(expected);
    String json = TrialRows.toJson(value);
    synchronized (lock) {
      StudyRecord s = study(studyId);
      if (!TrialRows.sameJson(s.systemAttrs.get(key), want)) {
        return false;
      }
      s.systemAttrs.put(key, json);
      return true;
    }
  }

  @Override
  public OptionalLong startTrialWithinBudget(long studyId, int budget, Set<TrialState> counted) {
    StorageChecks.checkBudget(budget, counted);
    synchronized (lock) {
      StudyRecord s = study(studyId);
      long taken = s.trials.stream()
          .filter(t -> t.state() == TrialState.RUNNING || counted.contains(t.state()))
          .count();
      if (taken >= budget) {
        return OptionalLong.empty();
      }
      OptionalLong claimed = claimWaitingTrial(studyId);
      return claimed.isPresent() ? claimed : OptionalLong.of(createTrial(studyId));
    }
  }

  @Override
  public long createTrial(long studyId, FrozenTrial template) {
    StorageChecks.checkTemplate(template);
    synchronized (lock) {
      StudyRecord s = study(studyId);
      for (Map.Entry<String, Distribution> e : template.distributions().entrySet()) {
        Distribution known = s.paramDistributions.get(e.getKey());
        if (known != null) {
          Distribution.checkCompatibility(e.getKey(), known, e.getValue());
        }
      }
      template.distributions().forEach(s.paramDistributions::putIfAbsent);
      Instant now = now();
      long id = nextTrialId++;
      FrozenTrial t =
          template
              .withIdentity(id, s.trials.size())
              .withDatetimes(
                  template.state() == TrialState.WAITING ? null : now,
                  template.isFinished() ? now : null);
      s.trials.add(t);
      trialRefs.put(id, new TrialRef(s, t.number()));
      if (t.state() == TrialState.WAITING) {
        s.waiting.add(t.number());
      }
      return id;
    }
  }

  @Override
  public OptionalLong claimWaitingTrial(long studyId) {
    synchronized (lock) {
      StudyRecord s = study(studyId);
      Integer number = s.waiting.pollFirst();
      if (number == null) {
        return OptionalLong.empty();
      }
      FrozenTrial t = s.trials.get(number);
      put(t.withState(TrialState.RUNNING, null).withDatetimes(now(), null));
      return OptionalLong.of(t.trialId());
    }
  }

  @Override
  public void setTrialParam(
      long trialId, String paramName, double internalValue, Distribution distribution) {
    StorageChecks.checkParam(paramName, internalValue, distribution);
    synchronized (lock) {
      FrozenTrial t = updatable(trialId);
      if (t.params().containsKey(paramName)) {
        throw new IllegalStateException(
            "trial " + t.number() + " already has param '" + paramName + "'");
      }
      StudyRecord s = ref(trialId).study;
      Distribution known = s.paramDistributions.get(paramName);
      if (known != null) {
        Distribution.checkCompatibility(paramName, known, distribution);
      } else {
        s.paramDistributions.put(paramName, distribution);
      }
      put(t.withParam(paramName, distribution.toExternal(internalValue), distribution));
    }
  }

  @Override
  public void setTrialState(long trialId, TrialState state, Double value) {
    StorageChecks.checkValueFits(state, value, false);
    synchronized (lock) {
      FrozenTrial t = updatable(trialId);
      put(t.withState(state, value).withDatetimes(t.datetimeStart(), now()));
      if (t.state() == TrialState.WAITING) {
        ref(trialId).study.waiting.remove(t.number());
      }
      heartbeats.remove(trialId);
    }
  }

  @Override
  public void setTrialIntermediateValue(long trialId, int step, double value) {
    synchronized (lock) {
      FrozenTrial t = updatable(trialId);
      put(t.withIntermediateValue(step, value));
    }
  }

  @Override
  public void setTrialAttr(long trialId, boolean system, String key, Object value) {
    Objects.requireNonNull(key, "key");
    synchronized (lock) {
      FrozenTrial t = updatable(trialId);
      put(system ? t.withSystemAttr(key, value) : t.withUserAttr(key, value));
    }
  }

  @Override
  public FrozenTrial getTrial(long trialId) {
    synchronized (lock) {
      return trial(trialId);
    }
  }

  @Override
  public List<FrozenTrial> getAllTrials(long studyId, Set<TrialState> states) {
    Objects.requireNonNull(states, "states");
    synchronized (lock) {
      StudyRecord s = study(studyId);
      if (states.size() == TrialState.values().length) {
        return Collections.unmodifiableList(new ArrayList<>(s.trials));
      }
      List<FrozenTrial> out = new ArrayList<>(s.trials.size());
      for (FrozenTrial t : s.trials) {
        if (states.contains(t.state())) {
          out.add(t);
        }
      }
      return Collections.unmodifiableList(out);
    }
  }

  @Override
  public void recordHeartbeat(long trialId) {
    synchronized (lock) {
      FrozenTrial t = trial(trialId);
      if (t.state() != TrialState.RUNNING) {
        throw new IllegalStateException(
            "trial " + t.number() + " is " + t.state() + "; only RUNNING trials beat");
      }
      heartbeats.put(trialId, now());
    }
  }

  @Override
  public List<Long> failStaleTrials(long studyId, Duration grace) {
    return failStaleTrials(studyId, grace, null);
  }

  @Override
  public List<Long> failStaleTrials(long studyId, Duration grace,
      java.util.function.Function<FrozenTrial, FrozenTrial> retry) {
    Objects.requireNonNull(grace, "grace");
    synchronized (lock) {
      Instant limit = now().minus(grace);
      List<Long> failed = new ArrayList<>();
      for (FrozenTrial t : study(studyId).trials) {
        long id = t.trialId();
        Instant beat = heartbeats.get(id);
        if (beat != null && t.state() == TrialState.RUNNING && beat.isBefore(limit)) {
          put(
              t.withState(TrialState.FAIL, null)
                  .withDatetimes(t.datetimeStart(), now())
                  .withSystemAttr("fail_reason", "stale: no heartbeat since " + beat));
          heartbeats.remove(id);
          failed.add(id);
        }
      }
      if (retry != null) {
        for (long id : failed) {
          createTrial(studyId, retry.apply(getTrial(id)));
        }
      }
      return Collections.unmodifiableList(failed);
    }
  }

  @Override
  public void close() {
    // Nothing to release: the data lives as long as this object.
  }
}
