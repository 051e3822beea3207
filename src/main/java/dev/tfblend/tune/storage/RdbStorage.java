package dev.tfblend.tune.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

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
 *   <li>Trial and study datetimes are <em>naive local time</em> of this JVM's default zone
 *       ({@code yyyy-MM-dd HH:mm:ss.SSSSSS} text on SQLite, {@code timestamp without time zone}
 *       on PostgreSQL), which is what Optuna up to 4.9 writes and what its dashboard shows.
 *       Optuna 5.0 writes naive UTC; on a machine whose zone is not UTC it shifts our times.
 *   <li>Heartbeats use the database clock in UTC, as Optuna's do on SQLite ({@code
 *       CURRENT_TIMESTAMP}), so processes on machines with skewed clocks or other time zones agree
 *       about staleness. (Python Optuna on PostgreSQL writes the server's session zone; the two
 *       agree when the server runs in UTC.)
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
 * corrupts the file; autocommit connections with explicit {@code BEGIN}/{@code COMMIT}; 30 s busy
 * timeout); PostgreSQL locks the study row ({@code SELECT ... FOR UPDATE}), the lock Optuna
 * takes too, so Java and Python workers can share a study. Reads of several rows run in one
 * snapshot (a SQLite read transaction; PostgreSQL {@code REPEATABLE READ}). Connections are
 * pooled per storage; the storage is thread-safe. Do not put a SQLite file on a network file
 * system: its locks are not reliable there.
 */
public final class RdbStorage implements TrialStorage {

  /** The alembic revision this storage writes into new databases. */
  public static final String SCHEMA_HEAD = "v3.2.0.a";

  /** Alembic revisions this storage opens: same tables, columns and encodings. */
  public static final Set<String> ACCEPTED_SCHEMAS = Set.of("v3.0.0.d", SCHEMA_HEAD);

  /** {@code version_info.schema_version} of every Optuna 3.x to 5.0 database. */
  static final int SCHEMA_VERSION = 12;

  private static final int MAX_IDLE_CONNECTIONS = 8;
  private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&]*");

  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();

  private final Dialect dialect;
  private final String jdbcUrl;
  private final Properties connectionProps;
  private final String location;
  private final ZoneId zone = ZoneId.systemDefault();
  private final Clock clock = Clock.systemDefaultZone();
  private final Deque<Connection> idle = new ArrayDeque<>();
  private volatile boolean closed;
  private volatile String schemaStamp;

  private RdbStorage(Dialect dialect, String jdbcUrl, Properties props, String location) {
    this.dialect = dialect;
    this.jdbcUrl = jdbcUrl;
    this.connectionProps = props;
    this.location = location;
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
    Objects.requireNonNull(url, "url");
    String u = url.trim();
    RdbStorage storage;
    if (u.startsWith("jdbc:sqlite:")) {
      storage = sqlite(u.substring("jdbc:sqlite:".length()), url);
    } else if (u.startsWith("sqlite:///")) {
      storage = sqlite(u.substring("sqlite:///".length()), url);
    } else if (u.startsWith("sqlite:")) {
      storage = sqlite(u.substring("sqlite:".length()), url);
    } else if (u.startsWith("jdbc:postgresql:")) {
      storage =
          new RdbStorage(Dialect.POSTGRESQL, u, new Properties(), PASSWORD.matcher(u).replaceAll("$1***"));
    } else if (u.matches("(?i)postgres(ql)?(\\+\\w+)?://.*")) {
      storage = postgres(u);
    } else {
      throw BadInputException.of(
          "storage URL '%s' is not supported: use sqlite:PATH, sqlite:///PATH, jdbc:sqlite:PATH,"
              + " postgresql://HOST:PORT/DB?user=NAME or jdbc:postgresql://...",
          url);
    }
    try {
      storage.initSchema();
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    return storage;
  }

  private static RdbStorage sqlite(String pathPart, String url) {
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
    return new RdbStorage(Dialect.SQLITE, "jdbc:sqlite:" + path, new Properties(), file);
  }

  private static RdbStorage postgres(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw BadInputException.of("storage URL '%s' is not a valid URL: %s", url, e.getMessage());
    }
    if (uri.getHost() == null) {
      throw BadInputException.of("storage URL '%s' names no host", url);
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
    return new RdbStorage(Dialect.POSTGRESQL, shown, props, PASSWORD.matcher(shown).replaceAll("$1***"));
  }

  private void initSchema() {
    String stamp = tx(false, c -> dialect.tableExists(c, "alembic_version") ? readStamp(c) : null);
    if (stamp == null) {
      stamp =
          tx(
              true,
              c -> {
                dialect.lockSchemaCreation(c);
                if (dialect.tableExists(c, "alembic_version")) {
                  return readStamp(c);
                }
                if (dialect.tableExists(c, "studies")) {
                  throw BadInputException.of(
                      "%s has Optuna-like tables but no alembic_version stamp; tf-blend reads"
                          + " databases stamped %s",
                      location, String.join(" or ", sortedAccepted()));
                }
                try (Statement st = c.createStatement()) {
                  for (String ddl : dialect.createSchema()) {
                    st.execute(ddl);
                  }
                }
                update(c, "INSERT INTO alembic_version (version_num) VALUES (?)", SCHEMA_HEAD);
                update(
                    c,
                    "INSERT INTO version_info (version_info_id, schema_version, library_version)"
                        + " VALUES (1, ?, ?)",
                    SCHEMA_VERSION,
                    "tf-blend-" + BuildInfo.version());
                return SCHEMA_HEAD;
              });
    }
    if (!ACCEPTED_SCHEMAS.contains(stamp)) {
      throw BadInputException.of(
          "%s is stamped with Optuna schema revision '%s' (table alembic_version); tf-blend reads"
              + " %s. Convert it with Python Optuna (optuna storage upgrade) to a release that"
              + " uses one of those.",
          location, stamp, String.join(" or ", sortedAccepted()));
    }
    schemaStamp = stamp;
  }

  private static List<String> sortedAccepted() {
    List<String> a = new ArrayList<>(ACCEPTED_SCHEMAS);
    Collections.sort(a);
    return a;
  }

  private String readStamp(Connection c) throws SQLException {
    List<String> stamps = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version_num FROM alembic_version")) {
      while (rs.next()) {
        stamps.add(rs.getString(1));
      }
    }
    if (stamps.size() != 1) {
      return stamps.isEmpty() ? "<none>" : String.join(",", stamps);
    }
    return stamps.get(0);
  }

  /** The alembic revision the database is stamped with ({@code v3.0.0.d} or {@code v3.2.0.a}). */
  public String schemaStamp() {
    return schemaStamp;
  }

  /** The SQLite file path, or the PostgreSQL URL without its password. */
  public String location() {
    return location;
  }

  // ---- transactions and connections

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private Connection borrow() throws SQLException {
    if (closed) {
      throw new IllegalStateException("the storage " + location + " is closed");
    }
    synchronized (idle) {
      Connection c = idle.poll();
      if (c != null) {
        return c;
      }
    }
    Connection c = DriverManager.getConnection(jdbcUrl, connectionProps);
    try {
      dialect.configure(c);
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private void release(Connection c) {
    synchronized (idle) {
      if (!closed && idle.size() < MAX_IDLE_CONNECTIONS) {
        idle.push(c);
        return;
      }
    }
    closeQuietly(c);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a broken connection; nothing more to do.
    }
  }

  /**
   * Runs {@code work} in one transaction; rolls back when it throws. SQL failures become {@link
   * StorageException}s (the connection is dropped); runtime exceptions pass through.
   */
  private <T> T tx(boolean write, SqlWork<T> work) {
    Connection c;
    try {
      c = borrow();
    } catch (SQLException e) {
      throw new StorageException("cannot connect to " + location + ": " + e.getMessage(), e);
    }
    try {
      dialect.begin(c, write);
      T result;
      try {
        result = work.run(c);
      } catch (RuntimeException e) {
        try {
          dialect.rollback(c);
          release(c);
        } catch (SQLException rollbackFailed) {
          closeQuietly(c);
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      }
      dialect.commit(c);
      release(c);
      return result;
    } catch (SQLException e) {
      try {
        dialect.rollback(c);
      } catch (SQLException ignored) {
        // The connection is dropped below anyway.
      }
      closeQuietly(c);
      throw new StorageException(location + ": " + e.getMessage(), e);
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        ps.setNull(i + 1, Types.DOUBLE);
      } else if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Double d) {
        ps.setDouble(i + 1, d);
      } else {
        ps.setString(i + 1, a.toString());
      }
    }
  }

  private LocalDateTime nowLocal() {
    return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
  }

  private Instant toInstant(LocalDateTime t) {
    return t == null ? null : t.atZone(zone).toInstant();
  }

  private String e(String type) {
    return dialect.enumParam(type);
  }

  // ---- studies

  @Override
  public long createStudy(String studyName, StudyDirection direction) {
    Objects.requireNonNull(studyName, "studyName");
    Objects.requireNonNull(direction, "direction");
    try {
      return tx(
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
            update(
                c,
                "INSERT INTO study_directions (direction, study_id, objective) VALUES ("
                    + e("studydirection")
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
    return tx(false, c -> findStudy(c, studyName))
        .orElseThrow(() -> new NoSuchElementException("no study named '" + studyName + "'"));
  }

  @Override
  public OptionalLong findStudyIdByName(String studyName) {
    Objects.requireNonNull(studyName, "studyName");
    return tx(false, c -> findStudy(c, studyName));
  }

  @Override
  public String getStudyName(long studyId) {
    return tx(
        false,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT study_name FROM studies WHERE study_id = ?")) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw noStudy(studyId);
              }
              return rs.getString(1);
            }
          }
        });
  }

  private static NoSuchElementException noStudy(long studyId) {
    return new NoSuchElementException("no study with id " + studyId);
  }

  private static NoSuchElementException noTrial(long trialId) {
    return new NoSuchElementException("no trial with id " + trialId);
  }

  @Override
  public StudyDirection getStudyDirection(long studyId) {
    return tx(
        false,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT d.direction FROM studies s LEFT JOIN study_directions d"
                      + " ON d.study_id = s.study_id AND d.objective = 0 WHERE s.study_id = ?")) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw noStudy(studyId);
              }
              return direction(rs.getString(1));
            }
          }
        });
  }

  private static StudyDirection direction(String stored) {
    return stored == null ? StudyDirection.NOT_SET : StudyDirection.valueOf(stored);
  }

  @Override
  public List<StudySummary> getAllStudies() {
    return tx(
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

  // ---- trials: creation

  /** Locks the study row (PostgreSQL) until the transaction ends; fails for unknown ids. */
  private void lockStudy(Connection c, long studyId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT study_id FROM studies WHERE study_id = ?" + dialect.forUpdate())) {
      ps.setLong(1, studyId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw noStudy(studyId);
        }
      }
    }
  }

  @Override
  public long createTrial(long studyId, FrozenTrial template) {
    StorageChecks.checkTemplate(template);
    return tx(
        true,
        c -> {
          lockStudy(c, studyId);
          for (Map.Entry<String, Distribution> d : template.distributions().entrySet()) {
            checkStudyDistribution(c, studyId, d.getKey(), d.getValue());
          }
          int number;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT COUNT(*) FROM trials WHERE study_id = ?")) {
            ps.setLong(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              number = rs.getInt(1);
            }
          }
          LocalDateTime now = nowLocal();
          long trialId;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete)"
                      + " VALUES (?, ?, "
                      + e("trialstate")
                      + ", ?, ?) RETURNING trial_id")) {
            ps.setInt(1, number);
            ps.setLong(2, studyId);
            ps.setString(3, template.state().name());
            dialect.setDateTime(ps, 4, template.state() == TrialState.WAITING ? null : now);
            dialect.setDateTime(ps, 5, template.isFinished() ? now : null);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              trialId = rs.getLong(1);
            }
          }
          for (Map.Entry<String, Distribution> p : template.distributions().entrySet()) {
            insertParam(c, trialId, p.getKey(), template.internalParam(p.getKey()), p.getValue());
          }
          if (template.value() != null) {
            putValue(c, trialId, template.value());
          }
          for (Map.Entry<Integer, Double> iv : template.intermediateValues().entrySet()) {
            putIntermediate(c, trialId, iv.getKey(), iv.getValue());
          }
          for (Map.Entry<String, Object> a : template.userAttrs().entrySet()) {
            putAttr(c, "trial_user_attributes", trialId, a.getKey(), a.getValue());
          }
          for (Map.Entry<String, Object> a : template.systemAttrs().entrySet()) {
            putAttr(c, "trial_system_attributes", trialId, a.getKey(), a.getValue());
          }
          return trialId;
        });
  }

  @Override
  public OptionalLong claimWaitingTrial(long studyId) {
    return tx(
        true,
        c -> {
          lockStudy(c, studyId);
          long id;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT trial_id FROM trials WHERE study_id = ? AND state = "
                      + e("trialstate")
                      + " ORDER BY number LIMIT 1")) {
            ps.setLong(1, studyId);
            ps.setString(2, TrialState.WAITING.name());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return OptionalLong.empty();
              }
              id = rs.getLong(1);
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE trials SET state = "
                      + e("trialstate")
                      + ", datetime_start = ? WHERE trial_id = ?")) {
            ps.setString(1, TrialState.RUNNING.name());
            dialect.setDateTime(ps, 2, nowLocal());
            ps.setLong(3, id);
            ps.executeUpdate();
          }
          return OptionalLong.of(id);
        });
  }

  // ---- trials: writes

  private record TrialRow(long studyId, int number, TrialState state) {}

  /** Reads (and on PostgreSQL locks) a trial's row; fails for unknown ids. */
  private TrialRow trialRow(Connection c, long trialId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT study_id, number, state FROM trials WHERE trial_id = ?" + dialect.forUpdate())) {
      ps.setLong(1, trialId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw noTrial(trialId);
        }
        return new TrialRow(rs.getLong(1), rs.getInt(2), TrialState.valueOf(rs.getString(3)));
      }
    }
  }

  private TrialRow updatable(Connection c, long trialId) throws SQLException {
    TrialRow row = trialRow(c, trialId);
    if (row.state().isFinished()) {
      throw new IllegalStateException(
          "trial " + row.number() + " (id " + trialId + ") is " + row.state() + " and cannot change");
    }
    return row;
  }

  private void checkStudyDistribution(Connection c, long studyId, String name, Distribution d)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT p.distribution_json FROM trial_params p JOIN trials t ON t.trial_id = p.trial_id"
                + " WHERE t.study_id = ? AND p.param_name = ? LIMIT 1")) {
      ps.setLong(1, studyId);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          Distribution.checkCompatibility(name, Distribution.fromJson(rs.getString(1)), d);
        }
      }
    }
  }

  private void insertParam(Connection c, long trialId, String name, double internal, Distribution d)
      throws SQLException {
    update(
        c,
        "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)"
            + " VALUES (?, ?, ?, ?)",
        trialId,
        name,
        internal,
        d.toJson());
  }

  @Override
  public void setTrialParam(
      long trialId, String paramName, double internalValue, Distribution distribution) {
    Objects.requireNonNull(paramName, "paramName");
    Objects.requireNonNull(distribution, "distribution");
    if (!distribution.contains(internalValue)) {
      throw new IllegalArgumentException(
          "param " + paramName + ": " + internalValue + " is not in " + distribution.toJson());
    }
    tx(
        true,
        c -> {
          TrialRow row = updatable(c, trialId);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT 1 FROM trial_params WHERE trial_id = ? AND param_name = ?")) {
            ps.setLong(1, trialId);
            ps.setString(2, paramName);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                throw new IllegalStateException(
                    "trial " + row.number() + " already has param '" + paramName + "'");
              }
            }
          }
          checkStudyDistribution(c, row.studyId(), paramName, distribution);
          insertParam(c, trialId, paramName, internalValue, distribution);
          return null;
        });
  }

  /** Optuna's value type of a trial value or intermediate value. */
  private static String valueType(double v) {
    if (Double.isNaN(v)) {
      return "NAN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "INF_POS" : "INF_NEG";
    }
    return "FINITE";
  }

  private static Double decode(ResultSet rs, int valueColumn, int typeColumn) throws SQLException {
    String type = rs.getString(typeColumn);
    switch (type) {
      case "FINITE":
        return rs.getDouble(valueColumn);
      case "INF_POS":
        return Double.POSITIVE_INFINITY;
      case "INF_NEG":
        return Double.NEGATIVE_INFINITY;
      case "NAN":
        return Double.NaN;
      default:
        throw new IllegalStateException("unknown value type '" + type + "' in the database");
    }
  }

  private void putValue(Connection c, long trialId, double value) throws SQLException {
    update(
        c,
        "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, 0, ?, "
            + e("trialvaluetype")
            + ") ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value,"
            + " value_type = excluded.value_type",
        trialId,
        Double.isFinite(value) ? value : null,
        valueType(value));
  }

  private void putIntermediate(Connection c, long trialId, int step, double value)
      throws SQLException {
    update(
        c,
        "INSERT INTO trial_intermediate_values"
            + " (trial_id, step, intermediate_value, intermediate_value_type) VALUES (?, ?, ?, "
            + e("trialintermediatevaluetype")
            + ") ON CONFLICT (trial_id, step) DO UPDATE SET"
            + " intermediate_value = excluded.intermediate_value,"
            + " intermediate_value_type = excluded.intermediate_value_type",
        trialId,
        step,
        Double.isFinite(value) ? value : null,
        valueType(value));
  }

  private static void putAttr(Connection c, String table, long trialId, String key, Object value)
      throws SQLException {
    update(
        c,
        "INSERT INTO "
            + table
            + " (trial_id, \"key\", value_json) VALUES (?, ?, ?)"
            + " ON CONFLICT (trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
        trialId,
        key,
        toJson(value));
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("attribute value is not JSON-like: " + value, e);
    }
  }

  private static Object fromJson(String json) {
    try {
      return JSON.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new StorageException("attribute JSON in the database is not valid: " + json, e);
    }
  }

  @Override
  public void setTrialState(long trialId, TrialState state, Double value) {
    StorageChecks.checkValueFits(state, value, false);
    tx(
        true,
        c -> {
          updatable(c, trialId);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE trials SET state = "
                      + e("trialstate")
                      + ", datetime_complete = ? WHERE trial_id = ?")) {
            ps.setString(1, state.name());
            dialect.setDateTime(ps, 2, nowLocal());
            ps.setLong(3, trialId);
            ps.executeUpdate();
          }
          if (value != null) {
            putValue(c, trialId, value);
          }
          return null;
        });
  }

  @Override
  public void setTrialIntermediateValue(long trialId, int step, double value) {
    tx(
        true,
        c -> {
          updatable(c, trialId);
          putIntermediate(c, trialId, step, value);
          return null;
        });
  }

  @Override
  public void setTrialUserAttr(long trialId, String key, Object value) {
    setAttr("trial_user_attributes", trialId, key, value);
  }

  @Override
  public void setTrialSystemAttr(long trialId, String key, Object value) {
    setAttr("trial_system_attributes", trialId, key, value);
  }

  private void setAttr(String table, long trialId, String key, Object value) {
    Objects.requireNonNull(key, "key");
    String json = toJson(value);
    tx(
        true,
        c -> {
          updatable(c, trialId);
          update(
              c,
              "INSERT INTO "
                  + table
                  + " (trial_id, \"key\", value_json) VALUES (?, ?, ?)"
                  + " ON CONFLICT (trial_id, \"key\") DO UPDATE SET value_json = excluded.value_json",
              trialId,
              key,
              json);
          return null;
        });
  }

  // ---- reads

  /** Collects one trial's rows while a read runs. */
  private static final class TrialParts {
    final long trialId;
    final int number;
    final TrialState state;
    final Instant start;
    final Instant complete;
    Double value;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Distribution> distributions = new LinkedHashMap<>();
    final TreeMap<Integer, Double> intermediate = new TreeMap<>();
    final Map<String, Object> userAttrs = new LinkedHashMap<>();
    final Map<String, Object> systemAttrs = new LinkedHashMap<>();

    TrialParts(long trialId, int number, TrialState state, Instant start, Instant complete) {
      this.trialId = trialId;
      this.number = number;
      this.state = state;
      this.start = start;
      this.complete = complete;
    }

    FrozenTrial freeze() {
      return new FrozenTrial(
          trialId, number, state, value, start, complete, params, distributions, intermediate,
          userAttrs, systemAttrs);
    }
  }

  /**
   * Reads the trials selected by {@code where} (a condition on {@code t}, the trials table, with
   * parameters {@code args}) and their rows in the other tables, ordered by number.
   */
  private List<FrozenTrial> readTrials(Connection c, String where, Object... args)
      throws SQLException {
    Map<Long, TrialParts> parts = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete"
                + " FROM trials t WHERE "
                + where
                + " ORDER BY t.number, t.trial_id")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          parts.put(
              id,
              new TrialParts(
                  id,
                  rs.getInt(2),
                  TrialState.valueOf(rs.getString(3)),
                  toInstant(dialect.getDateTime(rs, 4)),
                  toInstant(dialect.getDateTime(rs, 5))));
        }
      }
    }
    if (parts.isEmpty()) {
      return List.of();
    }
    String join = " JOIN trials t ON t.trial_id = x.trial_id WHERE " + where;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.param_name, x.param_value, x.distribution_json"
                + " FROM trial_params x"
                + join
                + " ORDER BY x.param_id")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TrialParts p = parts.get(rs.getLong(1));
          Distribution d = Distribution.fromJson(rs.getString(4));
          p.params.put(rs.getString(2), d.toExternal(rs.getDouble(3)));
          p.distributions.put(rs.getString(2), d);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.value, x.value_type FROM trial_values x"
                + join
                + " AND x.objective = 0")) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.get(rs.getLong(1)).value = decode(rs, 2, 3);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT x.trial_id, x.step, x.intermediate_value, x.intermediate_value_type"
                + " FROM trial_intermediate_values x"
                + join)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.get(rs.getLong(1)).intermediate.put(rs.getInt(2), decode(rs, 3, 4));
        }
      }
    }
    for (boolean system : new boolean[] {false, true}) {
      String table = system ? "trial_system_attributes" : "trial_user_attributes";
      String id = system ? "trial_system_attribute_id" : "trial_user_attribute_id";
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT x.trial_id, x.\"key\", x.value_json FROM " + table + " x" + join
                  + " ORDER BY x." + id)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            TrialParts p = parts.get(rs.getLong(1));
            (system ? p.systemAttrs : p.userAttrs).put(rs.getString(2), fromJson(rs.getString(3)));
          }
        }
      }
    }
    List<FrozenTrial> out = new ArrayList<>(parts.size());
    for (TrialParts p : parts.values()) {
      out.add(p.freeze());
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public FrozenTrial getTrial(long trialId) {
    return tx(
        false,
        c -> {
          List<FrozenTrial> found = readTrials(c, "t.trial_id = ?", trialId);
          if (found.isEmpty()) {
            throw noTrial(trialId);
          }
          return found.get(0);
        });
  }

  private void checkStudy(Connection c, long studyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM studies WHERE study_id = ?")) {
      ps.setLong(1, studyId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw noStudy(studyId);
        }
      }
    }
  }

  /** {@code t.study_id = ? AND t.state IN (...)}, and its arguments. */
  private String studyStatesWhere(Set<TrialState> states, List<Object> args, long studyId) {
    args.add(studyId);
    if (states.containsAll(EnumSet.allOf(TrialState.class))) {
      return "t.study_id = ?";
    }
    StringBuilder sb = new StringBuilder("t.study_id = ? AND t.state IN (");
    int i = 0;
    for (TrialState s : states) {
      sb.append(i++ == 0 ? "" : ", ").append(e("trialstate"));
      args.add(s.name());
    }
    return sb.append(')').toString();
  }

  @Override
  public List<FrozenTrial> getAllTrials(long studyId, Set<TrialState> states) {
    Objects.requireNonNull(states, "states");
    return tx(
        false,
        c -> {
          checkStudy(c, studyId);
          if (states.isEmpty()) {
            return List.of();
          }
          List<Object> args = new ArrayList<>();
          String where = studyStatesWhere(states, args, studyId);
          return readTrials(c, where, args.toArray());
        });
  }

  @Override
  public int getTrialCount(long studyId, Set<TrialState> states) {
    Objects.requireNonNull(states, "states");
    return tx(
        false,
        c -> {
          checkStudy(c, studyId);
          if (states.isEmpty()) {
            return 0;
          }
          List<Object> args = new ArrayList<>();
          String where = studyStatesWhere(states, args, studyId);
          try (PreparedStatement ps =
              c.prepareStatement("SELECT COUNT(*) FROM trials t WHERE " + where)) {
            bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  // ---- heartbeats

  @Override
  public void recordHeartbeat(long trialId) {
    tx(
        true,
        c -> {
          TrialRow row = trialRow(c, trialId);
          if (row.state() != TrialState.RUNNING) {
            throw new IllegalStateException(
                "trial " + row.number() + " is " + row.state() + "; only RUNNING trials beat");
          }
          update(
              c,
              "INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (?, "
                  + dialect.nowExpression()
                  + ") ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat",
              trialId);
          return null;
        });
  }

  @Override
  public List<Long> failStaleTrials(long studyId, Duration grace) {
    Objects.requireNonNull(grace, "grace");
    return tx(
        true,
        c -> {
          lockStudy(c, studyId);
          LocalDateTime dbNow;
          try (Statement st = c.createStatement();
              ResultSet rs = st.executeQuery("SELECT " + dialect.nowExpression())) {
            rs.next();
            dbNow = dialect.getDateTime(rs, 1);
          }
          LocalDateTime limit = dbNow.minus(grace);
          Map<Long, LocalDateTime> stale = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT t.trial_id, h.heartbeat FROM trials t"
                      + " JOIN trial_heartbeats h ON h.trial_id = t.trial_id"
                      + " WHERE t.study_id = ? AND t.state = "
                      + e("trialstate")
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
            int changed;
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE trials SET state = "
                        + e("trialstate")
                        + ", datetime_complete = ? WHERE trial_id = ? AND state = "
                        + e("trialstate"))) {
              ps.setString(1, TrialState.FAIL.name());
              dialect.setDateTime(ps, 2, nowLocal());
              ps.setLong(3, s.getKey());
              ps.setString(4, TrialState.RUNNING.name());
              changed = ps.executeUpdate();
            }
            if (changed == 1) {
              putAttr(
                  c,
                  "trial_system_attributes",
                  s.getKey(),
                  "fail_reason",
                  "stale: no heartbeat since " + s.getValue() + " (database clock)");
              failed.add(s.getKey());
            }
          }
          return Collections.unmodifiableList(failed);
        });
  }

  @Override
  public void close() {
    List<Connection> toClose;
    synchronized (idle) {
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
    }
    toClose.forEach(RdbStorage::closeQuietly);
  }
}
