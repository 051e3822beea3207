package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.StudyDirection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage timeout bounds every wait on the database, and its error names the host or file
 * and what timed out: a server that accepts connections and never answers, a SQLite file whose
 * write lock another connection holds, a PostgreSQL study row another client has locked.
 */
class StorageTimeoutTest {
  @TempDir Path dir;

  @Test
  void silentServerTimesOutNamingTheHost() throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            held.add(server.accept());
          } catch (Exception closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String url = "postgresql://127.0.0.1:" + server.getLocalPort() + "/tf?user=me";
      long t0 = System.nanoTime();
      StorageException e = assertThrows(StorageException.class,
          () -> RdbStorage.open(url, null, Duration.ofSeconds(2)).close());
      double s = (System.nanoTime() - t0) / 1e9;
      assertTrue(s < 2 + 5, "took " + s + " s");
      assertTrue(e.getMessage().contains("127.0.0.1:" + server.getLocalPort()), e.getMessage());
      assertTrue(e.getMessage().contains("connecting") && e.getMessage().contains("timed out after 2 s"),
          e.getMessage());
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void lockedSqliteFileTimesOutNamingTheFile() throws Exception {
    Path file = dir.resolve("locked.db");
    try (RdbStorage storage = RdbStorage.open("sqlite:" + file, null, Duration.ofSeconds(1));
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = other.createStatement()) {
      long s = storage.createStudy("s", StudyDirection.MINIMIZE);
      st.execute("BEGIN IMMEDIATE");
      long t0 = System.nanoTime();
      StorageException e = assertThrows(StorageException.class, () -> storage.createTrial(s));
      double secs = (System.nanoTime() - t0) / 1e9;
      st.execute("ROLLBACK");
      assertTrue(secs >= 0.9 && secs < 1 + 5, "took " + secs + " s");
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("busy timeout") && e.getMessage().contains("timed out after 1 s"),
          e.getMessage());
    }
  }

  @Test
  void lockedPostgresStudyTimesOutNamingTheLock() throws Exception {
    String schema = PgTestSupport.createSchema();
    try (RdbStorage storage = RdbStorage.open(PgTestSupport.urlFor(schema), null, Duration.ofSeconds(1));
        Connection other = DriverManager.getConnection(PgTestSupport.urlFor(schema));
        Statement st = other.createStatement()) {
      long s = storage.createStudy("s", StudyDirection.MINIMIZE);
      other.setAutoCommit(false);
      st.execute("SELECT study_id FROM studies WHERE study_id = " + s + " FOR UPDATE");
      long t0 = System.nanoTime();
      StorageException e = assertThrows(StorageException.class, () -> storage.createTrial(s));
      double secs = (System.nanoTime() - t0) / 1e9;
      other.rollback();
      assertTrue(secs >= 0.9 && secs < 1 + 5, "took " + secs + " s");
      assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
      assertTrue(e.getMessage().contains("lock_timeout") && e.getMessage().contains("timed out after 1 s"),
          e.getMessage());
    } finally {
      PgTestSupport.dropSchema(schema);
    }
  }
}
