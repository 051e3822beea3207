package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 ("storage problems exit 1 with 'cannot connect' even for a corrupt file"): each kind of
 * storage failure is named, and a bad file or URL is bad input (exit 2).
 */
class StorageFailuresTest {
  @TempDir Path dir;

  @Test
  void aFileThatIsNotSqliteIsNotADatabase() throws Exception {
    Path file = dir.resolve("study.db");
    Files.writeString(file, "no database here\n".repeat(300), StandardCharsets.UTF_8);
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> RdbStorage.open("sqlite:" + file).close());
    assertInstanceOf(BadInputException.class, e);
    assertEquals(file + " is not a database: the file is not SQLite, or it is corrupt or truncated",
        e.getMessage());
  }

  @Test
  void aTruncatedSqliteFileIsNotADatabase() throws Exception {
    Path file = dir.resolve("cut.db");
    Files.write(file, "SQLite format 3\u0000garbage".getBytes(StandardCharsets.ISO_8859_1));
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> RdbStorage.open("sqlite:" + file).close());
    assertInstanceOf(BadInputException.class, e);
    assertTrue(e.getMessage().contains("is not a database"), e.getMessage());
  }

  @Test
  void aLockIsNamedAndIsNotBadInput() {
    RuntimeException e = StorageFailures.classify(
        "runs/s/study.db", new SQLException("[SQLITE_BUSY] The database file is locked"), false);
    assertInstanceOf(StorageException.class, e);
    assertEquals("runs/s/study.db is locked: another process holds its lock; run again when it is"
        + " done", e.getMessage());
    RuntimeException pg = StorageFailures.classify(
        "jdbc:postgresql://h/db", new SQLException("canceling statement", "55P03"), false);
    assertTrue(pg.getMessage().contains("is locked"), pg.getMessage());
  }

  @Test
  void serverRefusalsAreBadInputAndNeverEchoTheDriverText() {
    RuntimeException password = StorageFailures.classify("jdbc:postgresql://h/db",
        new SQLException("FATAL: password authentication failed for user \"u\"", "28P01"), true);
    assertInstanceOf(BadInputException.class, password);
    assertEquals("cannot connect to jdbc:postgresql://h/db: the server refused the user name or"
        + " password (check the URL's user, PGPASSWORD or ~/.pgpass)", password.getMessage());
    RuntimeException missing = StorageFailures.classify("jdbc:postgresql://h/db",
        new SQLException("FATAL: database \"db\" does not exist", "3D000"), true);
    assertInstanceOf(BadInputException.class, missing);
    assertTrue(missing.getMessage().endsWith("the database does not exist on the server"));
    RuntimeException refused = StorageFailures.classify("jdbc:postgresql://h:1/db",
        new SQLException("Connection to h:1 refused.\nmore", "08001"), true);
    assertInstanceOf(BadInputException.class, refused);
    assertEquals("cannot connect to jdbc:postgresql://h:1/db: Connection to h:1 refused.",
        refused.getMessage());
  }

  @Test
  void anythingElseStaysAStorageFailure() {
    RuntimeException e = StorageFailures.classify(
        "runs/s/study.db", new SQLException("disk I/O error\nsecond line"), false);
    assertInstanceOf(StorageException.class, e);
    assertFalse(e instanceof BadInputException);
    assertEquals("runs/s/study.db: disk I/O error", e.getMessage());
  }
}
