package dev.tfblend.tune.storage;

import dev.tfblend.tune.TrialState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heartbeats of RUNNING trials in Optuna's {@code trial_heartbeats} table, and the failing of
 * trials whose heartbeat went stale.
 *
 * <p>Beats are naive UTC times. By default they come from the database clock, as Optuna's do
 * ({@code CURRENT_TIMESTAMP}), so that processes on machines with skewed clocks agree about
 * staleness; a storage opened with its own clock takes them from that clock instead.
 */
final class Heartbeats {
  private final Dialect dialect;
  private final TrialRows rows;
  private final Clock clock;

  /** @param clock the clock of beats, or null for the database clock */
  Heartbeats(Dialect dialect, TrialRows rows, Clock clock) {
    this.dialect = dialect;
    this.rows = rows;
    this.clock = clock == null ? null : clock.withZone(ZoneOffset.UTC);
  }

  /** SQL for "now" in a statement: the database clock, or a parameter bound by {@link #bindNow}. */
  private String nowSql() {
    return clock == null ? dialect.nowExpression() : "?";
  }

  /** Binds the beat clock's time at parameter {@code i} when it is not the database clock. */
  private void bindNow(PreparedStatement ps, int i) throws SQLException {
    if (clock != null) {
      dialect.setDateTime(ps, i, LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS));
    }
  }

  /** The beat clock's time: the database's, or this storage's clock in UTC. */
  private LocalDateTime now(Connection c) throws SQLException {
    if (clock != null) {
      return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + dialect.nowExpression())) {
      rs.next();
      return dialect.getDateTime(rs, 1);
    }
  }

  /** Records a beat for a RUNNING trial (inside the caller's write transaction). */
  void record(Connection c, long trialId) throws SQLException {
    TrialRows.TrialRow row = rows.trialRow(c, trialId);
    if (row.state() != TrialState.RUNNING) {
      throw new IllegalStateException(
          "trial " + row.number() + " is " + row.state() + "; only RUNNING trials beat");
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, " + nowSql()
                + ") ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat")) {
      ps.setLong(1, trialId);
      bindNow(ps, 2);
      ps.executeUpdate();
    }
  }

  /**
   * Fails the study's RUNNING trials whose last beat is older than {@code grace} (inside the
   * caller's write transaction, which holds the study lock) and returns their ids by number.
   */
  List<Long> failStale(Connection c, long studyId, Duration grace) throws SQLException {
    LocalDateTime limit = now(c).minus(grace);
    Map<Long, LocalDateTime> stale = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t.trial_id, h.heartbeat FROM trials t"
                + " JOIN trial_heartbeats h ON h.trial_id = t.trial_id"
                + " WHERE t.study_id = ? AND t.state = " + dialect.enumParam("trialstate")
                + " ORDER BY t.number")) {
      ps.setLong(1, studyId);
      ps.setString(2, TrialState.RUNNING.name());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          LocalDateTime beat = dialect.getDateTime(rs, 2);
          if (beat.isBefore(limit)) {
            stale.put(rs.getLong(1), beat);
          }
        }
      }
    }
    List<Long> failed = new ArrayList<>();
    for (Map.Entry<Long, LocalDateTime> s : stale.entrySet()) {
      long id = s.getKey();
      if (rows.setState(c, id, TrialState.FAIL, "datetime_complete", TrialState.RUNNING) == 1) {
        String reason = "stale: no heartbeat since " + s.getValue()
            + (clock == null ? " (database clock)" : " (UTC)");
        rows.putAttr(c, true, id, "fail_reason", TrialRows.toJson(reason));
        failed.add(id);
      }
    }
    return Collections.unmodifiableList(failed);
  }
}
