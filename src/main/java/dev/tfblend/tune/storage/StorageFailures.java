package dev.tfblend.tune.storage;

import dev.tfblend.BadInputException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Turns a JDBC failure into the one thing a user needs to know about it, naming the database:
 *
 * <ul>
 *   <li><b>not a database</b>: the file is not SQLite, or is corrupt or truncated;
 *   <li><b>cannot connect</b>: nothing answers at the URL's host and port, the host is unknown,
 *       the database does not exist, or the user name or password is refused;
 *   <li><b>locked</b>: another process holds the database's lock longer than the busy timeout.
 * </ul>
 *
 * <p>The first two are problems with what the user gave (a URL or a file) and become {@link
 * BadInputException}s, so the command line exits with 2; a lock and anything unrecognised stay
 * {@link StorageException}s (exit 1), since running again may succeed. Messages never contain a
 * password: {@code location} is already redacted and driver messages are not echoed for
 * authentication failures.
 */
final class StorageFailures {
  private StorageFailures() {}

  /**
   * The exception to throw for {@code e}, raised while talking to {@code location}.
   *
   * @param connecting whether the failure happened while opening a connection (a failure then
   *     that is not recognised is reported as "cannot connect")
   */
  static RuntimeException classify(String location, SQLException e, boolean connecting) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message = e.getMessage() == null ? "" : e.getMessage();
    String upper = message.toUpperCase(Locale.ROOT);
    if (upper.contains("SQLITE_NOTADB") || upper.contains("SQLITE_CORRUPT")) {
      return new BadInputException(
          location + " is not a database: the file is not SQLite, or it is corrupt or truncated",
          e);
    }
    if (upper.contains("SQLITE_BUSY") || upper.contains("SQLITE_LOCKED")
        || state.equals("55P03")) {
      return new StorageException(
          location + " is locked: another process holds its lock; run again when it is done", e);
    }
    if (upper.contains("SQLITE_CANTOPEN")) {
      return new BadInputException(
          "cannot connect to " + location + ": the file cannot be opened (check the path and its"
              + " permissions)",
          e);
    }
    if (state.equals("28P01") || state.equals("28000")) {
      return new BadInputException(
          "cannot connect to " + location + ": the server refused the user name or password"
              + " (check the URL's user, PGPASSWORD or ~/.pgpass)",
          e);
    }
    if (state.equals("3D000")) {
      return new BadInputException(
          "cannot connect to " + location + ": the database does not exist on the server", e);
    }
    if (state.startsWith("08")) {
      return new BadInputException(
          "cannot connect to " + location + ": " + firstLine(message), e);
    }
    return new StorageException(
        (connecting ? "cannot connect to " : "") + location + ": " + firstLine(message), e);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
