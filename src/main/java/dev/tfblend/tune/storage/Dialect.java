package dev.tfblend.tune.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;

/**
 * What differs between SQLite and PostgreSQL in {@link RdbStorage}: the DDL of Optuna's schema,
 * how transactions start and end, enum casts, the study lock, and how datetimes are written.
 */
enum Dialect {
  SQLITE {
    @Override
    void configure(Connection c) throws SQLException {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
        st.execute("PRAGMA journal_mode = WAL");
        // In WAL mode NORMAL skips the fsync per commit (3x faster trials here); a process crash
        // loses nothing, a power cut may lose the last commits but never corrupts the file.
        st.execute("PRAGMA synchronous = NORMAL");
      }
    }

    @Override
    void begin(Connection c, boolean write) throws SQLException {
      try (Statement st = c.createStatement()) {
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes can fail with SQLITE_BUSY despite the busy timeout (read -> write upgrade).
        st.execute(write ? "BEGIN IMMEDIATE" : "BEGIN");
      }
    }

    @Override
    void commit(Connection c) throws SQLException {
      try (Statement st = c.createStatement()) {
        st.execute("COMMIT");
      }
    }

    @Override
    void rollback(Connection c) throws SQLException {
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException noTransaction) {
        // The failed statement may already have ended the transaction.
      }
    }

    @Override
    String enumParam(String type) {
      return "?";
    }

    @Override
    String forUpdate() {
      return "";
    }

    @Override
    String nowExpression() {
      // Python's Optuna writes CURRENT_TIMESTAMP (UTC, whole seconds); milliseconds padded to
      // six digits parse the same in Python and compare correctly as text.
      return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')";
    }

    @Override
    void setDateTime(PreparedStatement ps, int i, LocalDateTime t) throws SQLException {
      if (t == null) {
        ps.setNull(i, java.sql.Types.VARCHAR);
      } else {
        ps.setString(i, SQLITE_DATETIME.format(t));
      }
    }

    @Override
    LocalDateTime getDateTime(ResultSet rs, int i) throws SQLException {
      String s = rs.getString(i);
      return s == null ? null : LocalDateTime.parse(s.trim(), SQLITE_DATETIME_READ);
    }

    @Override
    boolean tableExists(Connection c, String table) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    }

    @Override
    void lockSchemaCreation(Connection c) {
      // BEGIN IMMEDIATE already serialises writers.
    }

    @Override
    List<String> createSchema() {
      return List.of(
          "CREATE TABLE IF NOT EXISTS studies (\n\tstudy_id INTEGER NOT NULL, \n"
              + "\tstudy_name VARCHAR(512) NOT NULL, \n\tPRIMARY KEY (study_id)\n)",
          "CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name)",
          "CREATE TABLE IF NOT EXISTS version_info (\n\tversion_info_id INTEGER NOT NULL, \n"
              + "\tschema_version INTEGER, \n\tlibrary_version VARCHAR(256), \n"
              + "\tPRIMARY KEY (version_info_id), \n\tCHECK (version_info_id=1)\n)",
          "CREATE TABLE IF NOT EXISTS study_directions (\n\tstudy_direction_id INTEGER NOT NULL, \n"
              + "\tdirection VARCHAR(8) NOT NULL, \n\tstudy_id INTEGER NOT NULL, \n"
              + "\tobjective INTEGER NOT NULL, \n\tPRIMARY KEY (study_direction_id), \n"
              + "\tUNIQUE (study_id, objective), \n"
              + "\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
          attributes("study_user_attributes", "study_user_attribute_id", "study_id", "studies"),
          attributes("study_system_attributes", "study_system_attribute_id", "study_id", "studies"),
          "CREATE TABLE IF NOT EXISTS trials (\n\ttrial_id INTEGER NOT NULL, \n\tnumber INTEGER, \n"
              + "\tstudy_id INTEGER, \n\tstate VARCHAR(8) NOT NULL, \n\tdatetime_start DATETIME, \n"
              + "\tdatetime_complete DATETIME, \n\tPRIMARY KEY (trial_id), \n"
              + "\tFOREIGN KEY(study_id) REFERENCES studies (study_id)\n)",
          "CREATE INDEX IF NOT EXISTS ix_trials_study_id ON trials (study_id)",
          attributes("trial_user_attributes", "trial_user_attribute_id", "trial_id", "trials"),
          attributes("trial_system_attributes", "trial_system_attribute_id", "trial_id", "trials"),
          "CREATE TABLE IF NOT EXISTS trial_params (\n\tparam_id INTEGER NOT NULL, \n"
              + "\ttrial_id INTEGER, \n\tparam_name VARCHAR(512), \n\tparam_value FLOAT, \n"
              + "\tdistribution_json TEXT, \n\tPRIMARY KEY (param_id), \n"
              + "\tUNIQUE (trial_id, param_name), \n"
              + "\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
          "CREATE TABLE IF NOT EXISTS trial_values (\n\ttrial_value_id INTEGER NOT NULL, \n"
              + "\ttrial_id INTEGER NOT NULL, \n\tobjective INTEGER NOT NULL, \n\tvalue FLOAT, \n"
              + "\tvalue_type VARCHAR(7) NOT NULL, \n\tPRIMARY KEY (trial_value_id), \n"
              + "\tUNIQUE (trial_id, objective), \n"
              + "\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
          "CREATE TABLE IF NOT EXISTS trial_intermediate_values (\n"
              + "\ttrial_intermediate_value_id INTEGER NOT NULL, \n\ttrial_id INTEGER NOT NULL, \n"
              + "\tstep INTEGER NOT NULL, \n\tintermediate_value FLOAT, \n"
              + "\tintermediate_value_type VARCHAR(7) NOT NULL, \n"
              + "\tPRIMARY KEY (trial_intermediate_value_id), \n\tUNIQUE (trial_id, step), \n"
              + "\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
          "CREATE TABLE IF NOT EXISTS trial_heartbeats (\n\ttrial_heartbeat_id INTEGER NOT NULL, \n"
              + "\ttrial_id INTEGER NOT NULL, \n\theartbeat DATETIME NOT NULL, \n"
              + "\tPRIMARY KEY (trial_heartbeat_id), \n\tUNIQUE (trial_id), \n"
              + "\tFOREIGN KEY(trial_id) REFERENCES trials (trial_id)\n)",
          "CREATE TABLE IF NOT EXISTS alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n"
              + "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)");
    }

    private String attributes(String table, String id, String owner, String ownerTable) {
      return "CREATE TABLE IF NOT EXISTS " + table + " (\n\t" + id + " INTEGER NOT NULL, \n\t"
          + owner + " INTEGER, \n\t\"key\" VARCHAR(512), \n\tvalue_json TEXT, \n\tPRIMARY KEY ("
          + id + "), \n\tUNIQUE (" + owner + ", \"key\"), \n\tFOREIGN KEY(" + owner
          + ") REFERENCES " + ownerTable + " (" + owner + ")\n)";
    }
  },

  POSTGRESQL {
    @Override
    void configure(Connection c) throws SQLException {
      c.setAutoCommit(false);
    }

    @Override
    void begin(Connection c, boolean write) throws SQLException {
      if (!write) {
        // One snapshot for all the statements of a read (getAllTrials reads six tables).
        try (Statement st = c.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
      }
    }

    @Override
    void commit(Connection c) throws SQLException {
      c.commit();
    }

    @Override
    void rollback(Connection c) throws SQLException {
      c.rollback();
    }

    @Override
    String enumParam(String type) {
      return "CAST(? AS " + type + ")";
    }

    @Override
    String forUpdate() {
      return " FOR UPDATE";
    }

    @Override
    String nowExpression() {
      // UTC rather than LOCALTIMESTAMP: pgjdbc sets each session's TimeZone to its JVM's zone,
      // so JVMs in different zones would disagree about local wall time.
      return "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";
    }

    @Override
    void setDateTime(PreparedStatement ps, int i, LocalDateTime t) throws SQLException {
      if (t == null) {
        ps.setNull(i, java.sql.Types.TIMESTAMP);
      } else {
        ps.setObject(i, t);
      }
    }

    @Override
    LocalDateTime getDateTime(ResultSet rs, int i) throws SQLException {
      return rs.getObject(i, LocalDateTime.class);
    }

    @Override
    boolean tableExists(Connection c, String table) throws SQLException {
      // A catalog query, not to_regclass: to_regclass may answer from a cached "absent" entry
      // and miss tables another process committed while we waited for the schema lock.
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
                  + " ON n.oid = c.relnamespace WHERE c.relname = ? AND n.nspname = current_schema()")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    }

    @Override
    void lockSchemaCreation(Connection c) throws SQLException {
      // Two processes opening a fresh database at once must not both create the enum types.
      try (Statement st = c.createStatement()) {
        st.execute("SELECT pg_advisory_xact_lock(7364011902)");
      }
    }

    @Override
    List<String> createSchema() {
      return List.of(
          "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE')",
          "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')",
          "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG')",
          "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')",
          "CREATE TABLE studies (study_id SERIAL NOT NULL, study_name VARCHAR(512) NOT NULL, "
              + "PRIMARY KEY (study_id))",
          "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
          "CREATE TABLE version_info (version_info_id INTEGER NOT NULL, schema_version INTEGER, "
              + "library_version VARCHAR(256), PRIMARY KEY (version_info_id), "
              + "CHECK (version_info_id=1))",
          "CREATE TABLE study_directions (study_direction_id SERIAL NOT NULL, "
              + "direction studydirection NOT NULL, study_id INTEGER NOT NULL, "
              + "objective INTEGER NOT NULL, PRIMARY KEY (study_direction_id), "
              + "UNIQUE (study_id, objective), "
              + "FOREIGN KEY(study_id) REFERENCES studies (study_id))",
          attributes("study_user_attributes", "study_user_attribute_id", "study_id", "studies"),
          attributes("study_system_attributes", "study_system_attribute_id", "study_id", "studies"),
          "CREATE TABLE trials (trial_id SERIAL NOT NULL, number INTEGER, study_id INTEGER, "
              + "state trialstate NOT NULL, datetime_start TIMESTAMP WITHOUT TIME ZONE, "
              + "datetime_complete TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (trial_id), "
              + "FOREIGN KEY(study_id) REFERENCES studies (study_id))",
          "CREATE INDEX ix_trials_study_id ON trials (study_id)",
          attributes("trial_user_attributes", "trial_user_attribute_id", "trial_id", "trials"),
          attributes("trial_system_attributes", "trial_system_attribute_id", "trial_id", "trials"),
          "CREATE TABLE trial_params (param_id SERIAL NOT NULL, trial_id INTEGER, "
              + "param_name VARCHAR(512), param_value FLOAT(53), distribution_json TEXT, "
              + "PRIMARY KEY (param_id), UNIQUE (trial_id, param_name), "
              + "FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
          "CREATE TABLE trial_values (trial_value_id SERIAL NOT NULL, trial_id INTEGER NOT NULL, "
              + "objective INTEGER NOT NULL, value FLOAT(53), value_type trialvaluetype NOT NULL, "
              + "PRIMARY KEY (trial_value_id), UNIQUE (trial_id, objective), "
              + "FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
          "CREATE TABLE trial_intermediate_values (trial_intermediate_value_id SERIAL NOT NULL, "
              + "trial_id INTEGER NOT NULL, step INTEGER NOT NULL, intermediate_value FLOAT(53), "
              + "intermediate_value_type trialintermediatevaluetype NOT NULL, "
              + "PRIMARY KEY (trial_intermediate_value_id), UNIQUE (trial_id, step), "
              + "FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
          "CREATE TABLE trial_heartbeats (trial_heartbeat_id SERIAL NOT NULL, "
              + "trial_id INTEGER NOT NULL, heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL, "
              + "PRIMARY KEY (trial_heartbeat_id), UNIQUE (trial_id), "
              + "FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
          "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
              + "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
    }

    private String attributes(String table, String id, String owner, String ownerTable) {
      return "CREATE TABLE " + table + " (" + id + " SERIAL NOT NULL, " + owner + " INTEGER, "
          + "key VARCHAR(512), value_json TEXT, PRIMARY KEY (" + id + "), UNIQUE (" + owner
          + ", key), FOREIGN KEY(" + owner + ") REFERENCES " + ownerTable + " (" + owner + "))";
    }
  };

  /** How long a SQLite writer waits for the lock before failing (30 s). */
  static final int BUSY_TIMEOUT_MS = 30_000;

  /** How datetimes are written as SQLite text (what SQLAlchemy writes). */
  static final DateTimeFormatter SQLITE_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  /** Reads SQLAlchemy's text and SQLite's CURRENT_TIMESTAMP (no fraction). */
  static final DateTimeFormatter SQLITE_DATETIME_READ =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter();

  /** Sets up a fresh connection (autocommit, timeouts, journal). */
  abstract void configure(Connection c) throws SQLException;

  /** Starts a transaction; {@code write} transactions of SQLite take the write lock at once. */
  abstract void begin(Connection c, boolean write) throws SQLException;

  abstract void commit(Connection c) throws SQLException;

  abstract void rollback(Connection c) throws SQLException;

  /** The placeholder for a value of a PostgreSQL enum column. */
  abstract String enumParam(String type);

  /** Appended to a SELECT to lock the rows read until the transaction ends (PostgreSQL). */
  abstract String forUpdate();

  /** SQL for the database clock as a value of a DATETIME column. */
  abstract String nowExpression();

  abstract void setDateTime(PreparedStatement ps, int i, LocalDateTime t) throws SQLException;

  abstract LocalDateTime getDateTime(ResultSet rs, int i) throws SQLException;

  /** Whether the current schema has this table. */
  abstract boolean tableExists(Connection c, String table) throws SQLException;

  /** Serialises schema creation across processes, inside the write transaction. */
  abstract void lockSchemaCreation(Connection c) throws SQLException;

  /** The DDL of Optuna's schema at revision v3.2.0.a, in creation order. */
  abstract List<String> createSchema();
}
