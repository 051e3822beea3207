package dev.tfblend.tune.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** A clock that stands still until a test moves it; thread-safe. */
final class ManualClock extends Clock {
  private final ZoneId zone;
  private volatile Instant now;

  /** A clock at the current system time (whole microseconds) in this JVM's default zone. */
  ManualClock() {
    this(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneId.systemDefault());
  }

  private ManualClock(Instant now, ZoneId zone) {
    this.now = Objects.requireNonNull(now, "now");
    this.zone = Objects.requireNonNull(zone, "zone");
  }

  /** Moves the clock forward by {@code d}. */
  void advance(Duration d) {
    synchronized (this) {
      now = now.plus(d);
    }
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId z) {
    return new ZoneView(this, z);
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** This clock's time seen in another zone; moves when the clock moves. */
  private static final class ZoneView extends Clock {
    private final ManualClock base;
    private final ZoneId zone;

    ZoneView(ManualClock base, ZoneId zone) {
      this.base = base;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId z) {
      return new ZoneView(base, z);
    }

    @Override
    public Instant instant() {
      return base.instant();
    }
  }
}
