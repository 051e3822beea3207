package dev.tfblend.tune;

import dev.tfblend.tune.storage.TrialStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An exclusive, named claim on a study, held through its storage so that exactly one of the
 * processes sharing the study does a piece of work (tf-blend's final runs), and taken over when
 * the holder dies.
 *
 * <p>The claim is the study system attribute {@code key}, a JSON object {@code {"owner",
 * "state", "beat", "beat_utc"}} with {@code state} one of {@code held}, {@code done} or {@code
 * released}. Every change is one {@link TrialStorage#compareAndSetStudySystemAttr}, so of
 * processes racing for it exactly one wins. The holder rewrites it every {@code interval} ({@code
 * beat} + 1). {@link #acquire} takes an absent or released claim at once; a held claim whose
 * last beat (by the holder's clock) is recent belongs to a live process; otherwise the caller
 * watches the attribute for {@code grace} and takes it over when it did not change in that time
 * (the holder stopped beating: it died). Watching a change rather than comparing clocks means
 * skewed clocks can only delay a takeover, never let two processes hold the claim.
 *
 * <p>Thread-safe. {@link #close} stops beating; a claim closed before {@link #finish} is
 * released, so another process may take it at once.
 */
public final class StudyClaim implements AutoCloseable {
  /** What {@link #acquire} found. */
  public sealed interface Outcome permits Acquired, HeldBy, Done {}

  /** This process holds the claim now. */
  public record Acquired(StudyClaim claim) implements Outcome {}

  /** Another live process holds it. */
  public record HeldBy(String owner) implements Outcome {}

  /** The work was done; {@code owner} did it. */
  public record Done(String owner) implements Outcome {}

  private final TrialStorage storage;
  private final long studyId;
  private final String key;
  private final String owner;
  private final ScheduledExecutorService beats;
  private final Clock clock;
  // the value this object last wrote; guarded by this
  private Map<String, Object> current;
  private boolean lost;
  private boolean finished;

  private StudyClaim(TrialStorage storage, long studyId, String key, String owner,
      Map<String, Object> current, Duration interval, Clock clock) {
    this.storage = storage;
    this.clock = clock;
    this.studyId = studyId;
    this.key = key;
    this.owner = owner;
    this.current = current;
    this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "study-claim-" + key);
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    beats.scheduleAtFixedRate(this::beat, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes the claim {@code key} on the study for {@code owner} (a name unique to this process,
   * e.g. host, pid and a random suffix), or says who holds it or did the work; see the class
   * comment. May block for up to about {@code grace} while it watches a claim whose holder's
   * clock looks stale.
   *
   * @throws IllegalArgumentException unless 0 &lt; interval &lt; grace
   */
  public static Outcome acquire(TrialStorage storage, long studyId, String key, String owner,
      Duration interval, Duration grace) {
    return acquire(storage, studyId, key, owner, interval, grace, Clock.systemUTC());
  }

  /** {@link #acquire} with beat times read from {@code clock} (tests give a skewed one). */
  static Outcome acquire(TrialStorage storage, long studyId, String key, String owner,
      Duration interval, Duration grace, Clock clock) {
    Objects.requireNonNull(owner, "owner");
    if (interval.isNegative() || interval.isZero() || grace.compareTo(interval) <= 0) {
      throw new IllegalArgumentException(
          "need 0 < interval < grace, got interval " + interval + ", grace " + grace);
    }
    while (true) {
      Object seen = storage.getStudySystemAttrs(studyId).get(key);
      Map<String, Object> mine = value(owner, "held", 0, clock);
      if (seen == null || "released".equals(field(seen, "state"))) {
        if (storage.compareAndSetStudySystemAttr(studyId, key, seen, mine)) {
          return new Acquired(new StudyClaim(storage, studyId, key, owner, mine, interval, clock));
        }
        continue;
      }
      String holder = String.valueOf(field(seen, "owner"));
      if ("done".equals(field(seen, "state"))) {
        return new Done(holder);
      }
      if (holder.equals(owner)) {
        throw new IllegalStateException("claim " + key + " is already held by this owner, " + owner);
      }
      if (recent(seen, grace, clock)) {
        return new HeldBy(holder);
      }
      if (!unchangedFor(storage, studyId, key, seen, interval, grace)) {
        Object now = storage.getStudySystemAttrs(studyId).get(key);
        if (now != null && "held".equals(field(now, "state"))) {
          return new HeldBy(String.valueOf(field(now, "owner")));
        }
        continue;
      }
      mine.put("took_over_from", holder);
      if (storage.compareAndSetStudySystemAttr(studyId, key, seen, mine)) {
        return new Acquired(new StudyClaim(storage, studyId, key, owner, mine, interval, clock));
      }
    }
  }

  private static Map<String, Object> value(String owner, String state, long beat, Clock clock) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("owner", owner);
    v.put("state", state);
    v.put("beat", beat);
    v.put("beat_utc", clock.instant().toString());
    return v;
  }

  private Map<String, Object> next(String state) {
    return value(owner, state, ((Number) current.get("beat")).longValue() + 1, clock);
  }

  private static Object field(Object claim, String name) {
    return claim instanceof Map<?, ?> m ? m.get(name) : null;
  }

  /** Whether the holder's last beat is younger than {@code grace} by this machine's clock. */
  private static boolean recent(Object claim, Duration grace, Clock clock) {
    try {
      Instant beat = Instant.parse(String.valueOf(field(claim, "beat_utc")));
      return Duration.between(beat, clock.instant()).compareTo(grace) < 0;
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  /** Watches the claim for {@code grace}; false as soon as it differs from {@code seen}. */
  private static boolean unchangedFor(TrialStorage storage, long studyId, String key, Object seen,
      Duration interval, Duration grace) {
    long end = System.nanoTime() + grace.toNanos();
    long step = Math.max(50, interval.toMillis() / 4);
    while (System.nanoTime() < end) {
      try {
        Thread.sleep(step);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (!Objects.equals(storage.getStudySystemAttrs(studyId).get(key), seen)) {
        return false;
      }
    }
    return true;
  }

  /** The owner name this claim was taken for. */
  public String owner() {
    return owner;
  }

  /**
   * Whether this process still holds the claim: false once a beat found that another process took
   * it over (this one stalled for longer than the grace).
   */
  public synchronized boolean held() {
    return !lost;
  }

  private synchronized void beat() {
    if (lost || finished) {
      return;
    }
    Map<String, Object> next = next("held");
    if (current.containsKey("took_over_from")) {
      next.put("took_over_from", current.get("took_over_from"));
    }
    try {
      if (storage.compareAndSetStudySystemAttr(studyId, key, current, next)) {
        current = next;
      } else {
        lost = true;
      }
    } catch (RuntimeException e) {
      // the storage is briefly unreachable: the next beat tries again; a takeover in between
      // shows up then as a lost claim
    }
  }

  /**
   * Marks the work done (state {@code done}); later {@link #acquire} calls return {@link Done}.
   *
   * @throws IllegalStateException if the claim was lost to another process
   */
  public synchronized void finish() {
    Map<String, Object> done = next("done");
    if (lost || !storage.compareAndSetStudySystemAttr(studyId, key, current, done)) {
      lost = true;
      throw new IllegalStateException("the claim " + key + " was taken over by another process");
    }
    current = done;
    finished = true;
  }

  /** Stops beating; releases the claim unless {@link #finish} marked it done. Idempotent. */
  @Override
  public synchronized void close() {
    beats.shutdownNow();
    if (!finished && !lost) {
      Map<String, Object> released = next("released");
      try {
        if (storage.compareAndSetStudySystemAttr(studyId, key, current, released)) {
          current = released;
        }
      } catch (RuntimeException e) {
        // unreachable storage: the claim goes stale and is taken over after the grace
      }
      lost = true;
    }
  }
}
