package dev.tfblend.tune.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;

/**
 * A small pool of JDBC connections to one database and the transaction around each storage call.
 *
 * <p>Every connection is configured with the storage timeout ({@link Dialect#configure}); a
 * failure that is such a timeout (no answer while connecting or reading, a statement or a lock
 * wait cut short) becomes a {@link StorageException} saying what timed out, where, and after how
 * long.
 *
 * <p>Thread-safe. Up to {@value #MAX_IDLE} idle connections are kept; a connection whose
 * transaction failed with a SQL error is dropped, not returned. {@link #close()} closes the idle
 * connections and refuses new transactions.
 */
final class Connections implements AutoCloseable {
  private static final int MAX_IDLE = 8;

  /** Work done inside one transaction. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private final Dialect dialect;
  private final String jdbcUrl;
  private final Properties props;
  private final String location;
  private final java.time.Duration timeout;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private volatile boolean closed;

  /**
   * @param location what error messages call the database (a file path, or a URL without its
   *     password)
   * @param timeout bound of each statement and each lock wait (and, through {@code props} on
   *     PostgreSQL, of connecting and of each read)
   */
  Connections(Dialect dialect, String jdbcUrl, Properties props, String location,
      java.time.Duration timeout) {
    this.dialect = dialect;
    this.jdbcUrl = jdbcUrl;
    this.props = props;
    this.location = location;
    this.timeout = timeout;
  }

  Dialect dialect() {
    return dialect;
  }

  String location() {
    return location;
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
    Connection c = DriverManager.getConnection(jdbcUrl, props);
    try {
      dialect.configure(c, timeout.toMillis());
    } catch (SQLException e) {
      closeQuietly(c);
      throw e;
    }
    return c;
  }

  private void release(Connection c) {
    synchronized (idle) {
      if (!closed && idle.size() < MAX_IDLE) {
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
   * Runs {@code work} in one transaction ({@code write}: SQLite takes the write lock at once) and
   * commits; rolls back when it throws. SQL failures become exceptions naming the database, as
   * {@link StorageFailures} classifies them (the connection is dropped); runtime exceptions pass
   * through unchanged.
   */
  <T> T tx(boolean write, SqlWork<T> work) {
    Connection c;
    try {
      c = borrow();
    } catch (SQLException e) {
      String what = timedOut(e, true);
      throw what != null ? new StorageException(timeoutMessage(what), e)
          : StorageFailures.classify(location, e, true);
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
      String what = timedOut(e, false);
      throw what != null ? new StorageException(timeoutMessage(what), e)
          : StorageFailures.classify(location, e, false);
    }
  }

  private String timeoutMessage(String what) {
    return String.format(java.util.Locale.ROOT, "storage %s: %s timed out after %s s (--storage-timeout)",
        location, what, timeout.toMillis() % 1000 == 0 ? Long.toString(timeout.toSeconds())
            : Double.toString(timeout.toMillis() / 1000.0));
  }

  /**
   * What timed out when {@code e} is a timeout, else null: a PostgreSQL statement ({@code
   * 57014}) or lock wait ({@code 55P03}), a SQLite lock wait ({@code SQLITE_BUSY}), or no answer
   * from the server while connecting or reading (a socket timeout anywhere in the causes).
   */
  static String timedOut(SQLException e, boolean connecting) {
    if ("57014".equals(e.getSQLState())) {
      return "a statement (statement_timeout)";
    }
    if ("55P03".equals(e.getSQLState())) {
      return "waiting for a lock (lock_timeout)";
    }
    if (e.getErrorCode() == 5 || String.valueOf(e.getMessage()).contains("SQLITE_BUSY")) {
      return "waiting for the database lock (busy timeout)";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException
          || String.valueOf(t.getMessage()).contains("Connection attempt timed out")) {
        return connecting ? "connecting (no answer from the server)"
            : "waiting for the server's answer (no answer from the server)";
      }
    }
    return null;
  }

  /** Runs one statement with {@code args} bound as {@link #bind} binds them. */
  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  /** Binds Long, Integer, Double, null (a NULL double) and anything else as its string. */
  static void bind(PreparedStatement ps, Object... args) throws SQLException {
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

  @Override
  public void close() {
    List<Connection> toClose;
    synchronized (idle) {
      closed = true;
      toClose = new ArrayList<>(idle);
      idle.clear();
    }
    toClose.forEach(Connections::closeQuietly);
  }
}
