package dev.tfblend.tune.storage;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;

/**
 * A {@link TrialStorage} in a relational database laid out exactly as Python Optuna's {@code
 * RDBStorage} lays it out, over JDBC: SQLite (a local file, the embedded default) or PostgreSQL
 * (several machines). Python Optuna and optuna-dashboard read what this storage writes, and this
 * storage reads and continues studies written by Optuna.
 *
 * <h2>Opening</h2>
 *
 * {@link #open(String)} takes {@code sqlite:PATH}, Optuna's {@code sqlite:///PATH}, {@code
 * jdbc:sqlite:PATH}, {@code postgresql://[user[:password]@]host[:port]/db[?params]} or {@code
 * jdbc:postgresql://...}. A database without Optuna's tables gets them (13 tables, SQLite types
 * as SQLAlchemy emits them, PostgreSQL enum types) and is stamped {@code alembic_version =
 * v3.2.0.a}, {@code version_info = (1, 12, 'tf-blend-<version>')}. An existing database must be
 * stamped {@code v3.0.0.d} (Optuna 3.0, 3.1) or {@code v3.2.0.a} (Optuna 3.2 to 5.0); both have
 * the same layout, and the stamp is never changed. Other stamps are refused.
 *
 * <h2>Python compatibility</h2>
 *
 * A file written here loads with default settings in Optuna 3.2 to 5.0 ({@code
 * optuna.load_study(study_name=..., storage="sqlite:///FILE")}; tests run Debian's Optuna 3.1,
 * the schema was also checked against Optuna 3.6, 4.9 and 5.0). Optuna 3.0 and 3.1 know only
 * {@code v3.0.0.d} and need {@code RDBStorage("sqlite:///FILE", skip_compatibility_check=True)}.
 * A file written by Optuna 3.1 keeps its {@code v3.0.0.d} stamp, so 3.1 reads it after we
 * appended trials. optuna-dashboard opens the file as {@code optuna-dashboard sqlite:///FILE} (a
 * bare path is taken for a journal file). Optuna 3.1 picks the best trial with {@code ORDER BY
 * value}, where SQLite sorts the NULL of an infinite value first: a +inf COMPLETE trial is then
 * its "best" when minimising (a 3.1 quirk; the stored rows are as Optuna itself writes them).
 *
 * <h2>Encoding (as Optuna)</h2>
 *
 * <ul>
 *   <li>Trial datetimes are <em>naive local time</em> of this JVM's default zone (of the
 *       clock's zone with {@link #open(String, Clock)}) ({@code yyyy-MM-dd HH:mm:ss.SSSSSS} text on SQLite, {@code timestamp without time zone}
 *       on PostgreSQL), which is what Optuna up to 4.9 writes and what its dashboard shows.
 *       Optuna 5.0 writes naive UTC; on a machine whose zone is not UTC it shifts our times.
 *   <li>Heartbeats use the database clock in UTC, as Optuna's do on SQLite ({@code
 *       CURRENT_TIMESTAMP}), so processes on machines with skewed clocks or other time zones agree
 *       about staleness. (Python Optuna on PostgreSQL writes the server's session zone; the two
 *       agree when the server runs in UTC.) {@link #open(String, Clock)} takes trial datetimes and
 *       heartbeats from a given clock instead, so that tests can move time.
 *   <li>Values: finite, or NULL with value type {@code INF_POS}/{@code INF_NEG}; intermediate
 *       NaN is NULL with type {@code NAN}. Params: the internal double plus Optuna's {@code
 *       distribution_json}. Attributes: JSON text.
 *   <li>The storage stores the value it is given; the PRUNED value (the last reported
 *       intermediate value unless NaN, as in Optuna) is chosen by the study.
 * </ul>
 *
 * <h2>Concurrency</h2>
 *
 * Each call is one transaction. Trial numbers are assigned in the transaction that inserts the
 * trial, under a study lock: SQLite takes the database write lock with {@code BEGIN IMMEDIATE}
 * (WAL journal with {@code synchronous=NORMAL}: a power cut may lose the last commits but never
 * corrupts the file; autocommit connections with explicit {@code BEGIN}/{@code COMMIT}; busy
 * timeout = the storage timeout, 30 s by default); PostgreSQL locks the study row ({@code SELECT ... FOR UPDATE}), the lock Optuna
 * takes too, so Java and Python workers can share a study. Reads of several rows run in one
 * snapshot (a SQLite read transaction; PostgreSQL {@code REPEATABLE READ}). Connections are
 * pooled per storage; the storage is thread-safe. Do not put a SQLite file on a network file
 * system: its locks are not reliable there.
 *
 * <h2>Parts</h2>
 *
 * This class reads the URL and runs each call as one transaction; {@link Connections} pools the
 * connections and runs the transactions, {@link OptunaSchema} holds the one description of the
 * tables and checks the stamp, {@link TrialRows} the trial queries and their encoding, and {@link
 * Heartbeats} the heartbeats.
 */
public final class RdbStorage implements TrialStorage {

  private final Connections db;
  private final String schemaStamp;
  private final TrialRows rows;
  private final Heartbeats heartbeats;

  private RdbStorage(Connections db, String schemaStamp, Clock clock) {
    this.db = db;
    this.schemaStamp = schemaStamp;
    this.rows = new TrialRows(db.dialect(), clock == null ? Clock.systemDefaultZone() : clock);
    this.heartbeats = new Heartbeats(db.dialect(), rows, clock);
  }

  // ---- opening

  /**
   * Opens (and, when it has no Optuna tables, initialises) the database at {@code url}; see the
   * class comment for the accepted forms.
   *
   * @throws BadInputException for an unsupported URL, a SQLite path whose directory does not
   *     exist, or a database stamped with a schema revision this storage does not read
   * @throws StorageException when the database cannot be reached
   */
  public static RdbStorage open(String url) {
    return open(url, null);
  }

  /**
   * {@link #open(String)} with trial datetimes (naive local time in {@code clock}'s zone) and
   * heartbeats (UTC) read from {@code clock} rather than this JVM's clock and the database clock:
   * for tests that move time instead of sleeping. Every process sharing the database must then
   * use the same clock.
   */
  public static RdbStorage open(String url, Clock clock) {
    return open(url, clock, DEFAULT_TIMEOUT);
  }

  /**
   * {@link #open(String, Clock)} (clock may be null: this JVM's and the database's) with every
   * wait on the database bounded by {@code timeout}: on PostgreSQL connecting ({@code
   * connectTimeout}, {@code loginTimeout}), each lock wait ({@code lock_timeout}), each statement
   * ({@code statement_timeout}, the timeout plus 1 s so that a lock wait reports as one) and each read from the server ({@code socketTimeout}, the timeout
   * plus 5 s so that the server's own timeouts report first); on SQLite each lock wait ({@code
   * busy_timeout}). When one passes, the call throws a {@link StorageException} whose message
   * names the host or file and what timed out.
   */
  public static RdbStorage open(String url, Clock clock, Duration timeout) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1) {
      throw BadInputException.of("storage timeout must be positive, got %s", timeout);
    }
    String u = url.trim();
    Connections db;
    if (u.startsWith("jdbc:sqlite:")) {
      db = sqlite(u.substring("jdbc:sqlite:".length()), url, timeout);
    } else if (u.startsWith("sqlite:///")) {
      db = sqlite(u.substring("sqlite:///".length()), url, timeout);
    } else if (u.startsWith("sqlite:")) {
      db = sqlite(u.substring("sqlite:".length()), url, timeout);
    } else if (u.startsWith("jdbc:postgresql:")) {
      db = new Connections(Dialect.POSTGRESQL, u,
          postgresTimeouts(StorageUrls.withEnvironmentPassword(new Properties(), u, System.getenv()), timeout),
          StorageUrls.redact(u), timeout);
    } else if (u.matches("(?i)postgres(ql)?(\\+\\w+)?://.*")) {
      db = postgres(u, timeout);
    } else {
      throw BadInputException.of(
          "storage URL '%s' is not supported: use sqlite:PATH, sqlite:///PATH, jdbc:sqlite:PATH,"
              + " postgresql://HOST:PORT/DB?user=NAME or jdbc:postgresql://...",
          StorageUrls.redact(url));
    }
    try {
      return new RdbStorage(db, OptunaSchema.initialise(db), clock);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Timeout when none is given: 30 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** pgjdbc's client-side timeouts (whole seconds, at least 1); settings in the URL win. */
  private static Properties postgresTimeouts(Properties props, Duration timeout) {
    long s = Math.max(1, (timeout.toMillis() + 999) / 1000);
    props.setProperty("connectTimeout", Long.toString(s));
    props.setProperty("loginTimeout", Long.toString(s));
    props.setProperty("socketTimeout", Long.toString(s + 5));
    return props;
  }

  private static Connections sqlite(String pathPart, String url, Duration timeout) {
    String path = pathPart;
    int q = path.indexOf('?');
    String file = q >= 0 ? path.substring(0, q) : path;
    if (file.isEmpty() || file.equals(":memory:") || file.startsWith("file::memory:")) {
      throw BadInputException.of(
          "storage URL '%s' names no SQLite file (an in-memory SQLite database is not shared"
              + " between connections; use the storage 'memory' instead)",
          url);
    }
    if (!file.startsWith("file:")) {
      Path parent = Path.of(file).toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw BadInputException.of(
            "storage URL '%s': directory %s does not exist", url, parent);
      }
    }
    return new Connections(Dialect.SQLITE, "jdbc:sqlite:" + path, new Properties(), file, timeout);
  }

  private static Connections postgres(String url, Duration timeout) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw BadInputException.of("storage URL '%s' is not a valid URL: %s", StorageUrls.redact(url),
          StorageUrls.redact(e.getMessage()));
    }
    if (uri.getHost() == null) {
      String authority = uri.getRawAuthority();
      String hostPort = authority == null ? "" : authority.substring(authority.lastIndexOf('@') + 1);
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0 && !hostPort.endsWith("]")) {
        throw BadInputException.of("--storage: port '%s' is not a port number (1-65535)",
            hostPort.substring(colon + 1));
      }
      throw BadInputException.of("--storage: the URL names no host (postgresql://HOST[:PORT]/DB)");
    }
    if (uri.getPort() > 65535) {
      throw BadInputException.of("--storage: port '%d' is not a port number (1-65535)", uri.getPort());
    }
    Properties props = new Properties();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      props.setProperty(
          "user", URLDecoder.decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, StandardCharsets.UTF_8));
      if (colon >= 0) {
        props.setProperty(
            "password", URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8));
      }
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
    if (uri.getPort() > 0) {
      jdbc.append(':').append(uri.getPort());
    }
    jdbc.append(uri.getRawPath() == null ? "/" : uri.getRawPath());
    if (uri.getRawQuery() != null) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    String shown = jdbc.toString();
    return new Connections(Dialect.POSTGRESQL, shown,
        postgresTimeouts(StorageUrls.withEnvironmentPassword(props, shown, System.getenv()), timeout),
        StorageUrls.redact(shown), timeout);
  }

  /** The alembic revision the database is stamped with ({@code v3.0.0.d} or {@code v3.2.0.a}). */
  public String schemaStamp() {
    return schemaStamp;
  }

  // ---- studies

  @Override
  public long createStudy(String studyName, StudyDirection direction) {
    Objects.requireNonNull(studyName, "studyName");
    Objects.requireNonNull(direction, "direction");
    try {
      return db.tx(
          true,
          c -> {
            if (findStudy(c, studyName).isPresent()) {
              throw new DuplicateStudyException(studyName);
            }
            long id;
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO studies (study_name) VALUES (?) RETURNING study_id")) {
              ps.setString(1, studyName);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
              }
            }
            Connections.update(
                c,
                "INSERT INTO study_directions (direction, study_id, objective) VALUES ("
                    + db.dialect().enumParam("studydirection")
                    + ", ?, 0)",
                direction.name(),
                id);
            return id;
          });
    } catch (StorageException ex) {
      if (ex.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        // Another process inserted the same name between our check and our insert.
        throw new DuplicateStudyException(studyName);
      }
      throw ex;
    }
  }

  private static OptionalLong findStudy(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT study_id FROM studies WHERE study_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  @Override
  public long getStudyIdByName(String studyName) {
    Objects.requireNonNull(studyName, "studyName");
    return db.tx(false, c -> findStudy(c, studyName))
        .orElseThrow(() -> new NoSuchElementException("no study named '" + studyName + "'"));
  }

  @Override
  public OptionalLong findStudyIdByName(String studyName) {
    Objects.requireNonNull(studyName, "studyName");
    return db.tx(false, c -> findStudy(c, studyName));
  }

  @Override
  public String getStudyName(long studyId) {
    return studyColumn(studyId, "SELECT study_name FROM studies WHERE study_id = ?");
  }

  @Override
  public StudyDirection getStudyDirection(long studyId) {
    return direction(
        studyColumn(
            studyId,
            "SELECT d.direction FROM studies s LEFT JOIN study_directions d"
                + " ON d.study_id = s.study_id AND d.objective = 0 WHERE s.study_id = ?"));
  }

  /**
   * The text in the first column of {@code sql}'s first row, with the study id bound.
   *
   * @throws NoSuchElementException when {@code sql} finds no row for the study
   */
  private String studyColumn(long studyId, String sql) {
    return db.tx(
        false,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw TrialRows.noStudy(studyId);
              }
              return rs.getString(1);
            }
          }
        });
  }

  private static StudyDirection direction(String stored) {
    return stored == null ? StudyDirection.NOT_SET : StudyDirection.valueOf(stored);
  }

  @Override
  public List<StudySummary> getAllStudies() {
    return db.tx(
        false,
        c -> {
          List<StudySummary> out = new ArrayList<>();
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT s.study_id, s.study_name,"
                          + " (SELECT d.direction FROM study_directions d"
                          + "  WHERE d.study_id = s.study_id AND d.objective = 0),"
                          + " (SELECT COUNT(*) FROM trials t WHERE t.study_id = s.study_id)"
                          + " FROM studies s ORDER BY s.study_id")) {
            while (rs.next()) {
              out.add(
                  new StudySummary(
                      rs.getLong(1), rs.getString(2), direction(rs.getString(3)), rs.getInt(4)));
            }
          }
          return Collections.unmodifiableList(out);
        });
  }

  // ---- study attributes

  @Override
  public Map<String, Object> getStudyUserAttrs(long studyId) {
    return onStudy(false, studyId, c -> rows.readStudyAttrs(c, false, studyId));
  }

  @Override
  public Map<String, Object> getStudySystemAttrs(long studyId) {
    return onStudy(false, studyId, c -> rows.readStudyAttrs(c, true, studyId));
  }

  @Override
  public void setStudyAttr(long studyId, boolean system, String key, Object value) {
    Objects.requireNonNull(key, "key");
    String json = TrialRows.toJson(value);
    onStudy(true, studyId, c -> {
      rows.putStudyAttr(c, system, studyId, key, json);
      return null;
    });
  }

  @Override
  public boolean compareAndSetStudySystemAttr(long studyId, String key, Object expected, Object value) {
    Objects.requireNonNull(key, "key");
    String want = expected == null ? null : TrialRows.toJson(expected);
    String json = TrialRows.toJson(value);
    // the study lock (row lock on PostgreSQL, write lock on SQLite) makes read-compare-write atomic
    return onStudy(true, studyId, c -> {
      if (!TrialRows.sameJson(rows.readStudyAttrJson(c, true, studyId, key), want)) {
        return false;
      }
      rows.putStudyAttr(c, true, studyId, key, json);
      return true;
    });
  }

  // ---- trials

  @Override
  public long createTrial(long studyId, FrozenTrial template) {
    StorageChecks.checkTemplate(template);
    return onStudy(true, studyId, c -> rows.insertTrial(c, studyId, template));
  }

  /**
   * Runs {@code work} in one transaction after checking that the study exists; a {@code write}
   * transaction also holds the study lock (PostgreSQL's row lock; SQLite's write lock) until it
   * ends.
   */
  private <T> T onStudy(boolean write, long studyId, Connections.SqlWork<T> work) {
    return db.tx(
        write,
        c -> {
          rows.lockStudy(c, studyId, write);
          return work.run(c);
        });
  }

  @Override
  public OptionalLong claimWaitingTrial(long studyId) {
    return onStudy(
        true,
        studyId,
        c -> {
          long id = rows.oldestWaiting(c, studyId);
          if (id < 0) {
            return OptionalLong.empty();
          }
          rows.setState(c, id, TrialState.RUNNING, "datetime_start", null);
          return OptionalLong.of(id);
        });
  }

  @Override
  public OptionalLong startTrialWithinBudget(long studyId, int budget, Set<TrialState> counted) {
    StorageChecks.checkBudget(budget, counted);
    java.util.EnumSet<TrialState> taken = java.util.EnumSet.of(TrialState.RUNNING);
    taken.addAll(counted);
    return onStudy(
        true,
        studyId,
        c -> {
          List<Object> args = new ArrayList<>();
          String where = rows.studyStatesWhere(taken, args, studyId);
          if (rows.countTrials(c, where, args.toArray()) >= budget) {
            return OptionalLong.empty();
          }
          long id = rows.oldestWaiting(c, studyId);
          if (id >= 0) {
            rows.setState(c, id, TrialState.RUNNING, "datetime_start", null);
            return OptionalLong.of(id);
          }
          return OptionalLong.of(rows.insertTrial(
              c, studyId, FrozenTrial.template(TrialState.RUNNING, null, null, null, null, null)));
        });
  }

  @Override
  public void setTrialParam(
      long trialId, String paramName, double internalValue, Distribution distribution) {
    StorageChecks.checkParam(paramName, internalValue, distribution);
    updateTrial(
        trialId,
        (c, row) -> {
          if (rows.hasParam(c, trialId, paramName)) {
            throw new IllegalStateException(
                "trial " + row.number() + " already has param '" + paramName + "'");
          }
          rows.checkStudyDistribution(c, row.studyId(), paramName, distribution);
          rows.insertParam(c, trialId, paramName, internalValue, distribution);
        });
  }

  /** Work on one trial's rows inside a write transaction. */
  @FunctionalInterface
  private interface TrialWork {
    void run(Connection c, TrialRows.TrialRow row) throws SQLException;
  }

  /** Runs {@code work} in a write transaction on a trial that is not finished (else throws). */
  private void updateTrial(long trialId, TrialWork work) {
    db.tx(
        true,
        c -> {
          work.run(c, rows.updatable(c, trialId));
          return null;
        });
  }

  @Override
  public void setTrialState(long trialId, TrialState state, Double value) {
    StorageChecks.checkValueFits(state, value, false);
    updateTrial(
        trialId,
        (c, row) -> {
          rows.setState(c, trialId, state, "datetime_complete", null);
          if (value != null) {
            rows.putValue(c, trialId, value);
          }
        });
  }

  @Override
  public void setTrialIntermediateValue(long trialId, int step, double value) {
    updateTrial(trialId, (c, row) -> rows.putIntermediate(c, trialId, step, value));
  }

  @Override
  public void setTrialAttr(long trialId, boolean system, String key, Object value) {
    Objects.requireNonNull(key, "key");
    String json = TrialRows.toJson(value);
    updateTrial(trialId, (c, row) -> rows.putAttr(c, system, trialId, key, json));
  }

  @Override
  public FrozenTrial getTrial(long trialId) {
    return db.tx(false, c -> rows.readTrial(c, trialId));
  }

  @Override
  public List<FrozenTrial> getAllTrials(long studyId, Set<TrialState> states) {
    return onStates(studyId, states, List.of(), rows::readTrials);
  }

  @Override
  public int getTrialCount(long studyId, Set<TrialState> states) {
    return onStates(studyId, states, 0, rows::countTrials);
  }

  /** A query on the trials selected by a condition on {@code t} with its arguments. */
  @FunctionalInterface
  private interface TrialQuery<T> {
    T run(Connection c, String where, Object... args) throws SQLException;
  }

  /**
   * Runs {@code query} in one read transaction on the study's trials whose state is in {@code
   * states}; {@code none} when {@code states} is empty.
   */
  private <T> T onStates(long studyId, Set<TrialState> states, T none, TrialQuery<T> query) {
    Objects.requireNonNull(states, "states");
    return onStudy(
        false,
        studyId,
        c -> {
          if (states.isEmpty()) {
            return none;
          }
          List<Object> args = new ArrayList<>();
          String where = rows.studyStatesWhere(states, args, studyId);
          return query.run(c, where, args.toArray());
        });
  }

  // ---- heartbeats

  @Override
  public void recordHeartbeat(long trialId) {
    db.tx(
        true,
        c -> {
          heartbeats.record(c, trialId);
          return null;
        });
  }

  @Override
  public List<Long> failStaleTrials(long studyId, Duration grace) {
    Objects.requireNonNull(grace, "grace");
    return onStudy(true, studyId, c -> heartbeats.failStale(c, studyId, grace));
  }

  @Override
  public List<Long> failStaleTrials(long studyId, Duration grace,
      java.util.function.Function<FrozenTrial, FrozenTrial> retry) {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(retry, "retry");
    return onStudy(true, studyId, c -> {
      List<Long> failed = heartbeats.failStale(c, studyId, grace);
      for (long id : failed) {
        FrozenTrial template = retry.apply(rows.readTrial(c, id));
        StorageChecks.checkTemplate(template);
        rows.insertTrial(c, studyId, template);
      }
      return failed;
    });
  }

  @Override
  public void close() {
    db.close();
  }
}
