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

/**
 * What differs between SQLite and PostgreSQL in {@link RdbStorage} (column types aside, which
 * {@link OptunaSchema} spells per dialect): how transactions start and end, enum casts, the study
 * lock, the database clock, and how datetimes are written.
 */
enum Dialect {
  // Python's Optuna writes CURRENT_TIMESTAMP on SQLite (UTC, whole seconds); milliseconds padded
  // to six digits parse the same in Python and compare correctly as text.
  SQLITE("", "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')", false) {
    @Override
    void configure(Connection c, long timeoutMs) throws SQLException {
      c.setAutoCommit(true);
      // busy_timeout: how long a statement waits for another connection's lock before
      // SQLITE_BUSY. In WAL mode, synchronous NORMAL skips the fsync per commit; a process crash
      // loses nothing, a power cut may lose the last commits but never corrupts the file.
      execute(c, "PRAGMA busy_timeout = " + timeoutMs);
      walMode(c, timeoutMs);
      execute(c, "PRAGMA synchronous = NORMAL");
    }

    /**
     * Switches the file to WAL. Switching needs the file to itself, and SQLite answers SQLITE_BUSY
     * at once, without its busy timeout, while another connection (for example another process
     * opening a new study file at the same moment) holds it: retried every 10 ms until the
     * timeout has passed.
     */
    private void walMode(Connection c, long timeoutMs) throws SQLException {
      long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
      while (true) {
        try {
          execute(c, "PRAGMA journal_mode = WAL");
          return;
        } catch (SQLException e) {
          boolean busy = e.getErrorCode() == SQLITE_BUSY || e.getErrorCode() == SQLITE_LOCKED;
          if (!busy || System.nanoTime() > deadline) {
            throw e;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw e;
          }
        }
      }
    }

    @Override
    void begin(Connection c, boolean write) throws SQLException {
      // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
      // writes can fail with SQLITE_BUSY despite the busy timeout (read -> write upgrade).
      execute(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
    }

    @Override
    void commit(Connection c) throws SQLException {
      execute(c, "COMMIT");
    }

    @Override
    void rollback(Connection c) throws SQLException {
      try {
        execute(c, "ROLLBACK");
      } catch (SQLException noTransaction) {
        // The failed statement may already have ended the transaction.
      }
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
  },

  // UTC rather than LOCALTIMESTAMP: pgjdbc sets each session's TimeZone to its JVM's zone, so
  // JVMs in different zones would disagree about local wall time.
  POSTGRESQL(" FOR UPDATE", "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')", true) {
    @Override
    void configure(Connection c, long timeoutMs) throws SQLException {
      c.setAutoCommit(false);
      // server-side bounds on each lock wait and each statement, at session level so they hold
      // for every transaction on this connection; the statement bound is 1 s longer so that a
      // statement stuck on a lock reports the lock (both at once report the statement)
      execute(c, "SET lock_timeout = " + timeoutMs, "SET statement_timeout = " + (timeoutMs + 1000));
      c.commit();
    }

    @Override
    void begin(Connection c, boolean write) throws SQLException {
      if (!write) {
        // One snapshot for all the statements of a read (getAllTrials reads six tables).
        execute(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
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
      execute(c, "SELECT pg_advisory_xact_lock(7364011902)");
    }
  };

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

  /**
   * Sets up a fresh connection (autocommit, journal) and bounds each statement and each lock
   * wait by {@code timeoutMs}.
   */
  abstract void configure(Connection c, long timeoutMs) throws SQLException;

  /** Starts a transaction; {@code write} transactions of SQLite take the write lock at once. */
  abstract void begin(Connection c, boolean write) throws SQLException;

  abstract void commit(Connection c) throws SQLException;

  abstract void rollback(Connection c) throws SQLException;

  private final String forUpdate;
  private final String nowExpression;
  private final boolean castsEnums;

  Dialect(String forUpdate, String nowExpression, boolean castsEnums) {
    this.forUpdate = forUpdate;
    this.nowExpression = nowExpression;
    this.castsEnums = castsEnums;
  }

  /** Executes {@code sql} on {@code c}, one statement after another, in one {@link Statement}. */
  /** SQLite's result codes for a lock held by another connection (SQLITE_BUSY) or by this one. */
  private static final int SQLITE_BUSY = 5;
  private static final int SQLITE_LOCKED = 6;

  private static void execute(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** The placeholder for a value of an enum column ({@code type} is Optuna's enum type). */
  String enumParam(String type) {
    return castsEnums ? "CAST(? AS " + type + ")" : "?";
  }

  /** Appended to a SELECT to lock the rows read until the transaction ends (PostgreSQL). */
  String forUpdate() {
    return forUpdate;
  }

  /** SQL for the database clock (UTC) as a value of a DATETIME column. */
  String nowExpression() {
    return nowExpression;
  }

  abstract void setDateTime(PreparedStatement ps, int i, LocalDateTime t) throws SQLException;

  abstract LocalDateTime getDateTime(ResultSet rs, int i) throws SQLException;

  /** Whether the current schema has this table. */
  abstract boolean tableExists(Connection c, String table) throws SQLException;

  /** Serialises schema creation across processes, inside the write transaction. */
  abstract void lockSchemaCreation(Connection c) throws SQLException;
}
