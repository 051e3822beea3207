package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStorageTest extends StorageContractTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("study.db");
  }

  @Override
  protected TrialStorage newStorage(Clock clock) {
    return RdbStorage.open("sqlite:" + file(), clock);
  }

  private List<List<String>> query(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Test
  void freshFileHasOptunasThirteenTablesAndStamps() throws Exception {
    assertEquals(
        List.of(
            "alembic_version", "studies", "study_directions", "study_system_attributes",
            "study_user_attributes", "trial_heartbeats", "trial_intermediate_values",
            "trial_params", "trial_system_attributes", "trial_user_attributes", "trial_values",
            "trials", "version_info"),
        query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").stream()
            .map(r -> r.get(0))
            .toList());
    assertEquals(List.of(List.of("v3.2.0.a")), query("SELECT * FROM alembic_version"));
    List<String> info = query("SELECT * FROM version_info").get(0);
    assertEquals("1", info.get(0));
    assertEquals("12", info.get(1));
    assertTrue(info.get(2).startsWith("tf-blend-"), info.get(2));
    assertEquals(
        List.of(List.of("ix_studies_study_name"), List.of("ix_trials_study_id")),
        query("SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'ix_%' ORDER BY name"));
    assertEquals(List.of(List.of("wal")), query("PRAGMA journal_mode"));
    assertEquals("v3.2.0.a", ((RdbStorage) storage).schemaStamp());
  }

  @Test
  void rowsAreEncodedAsOptunaEncodesThem() throws Exception {
    long s = storage.createStudy("enc", StudyDirection.MAXIMIZE);
    long a = storage.createTrial(s);
    storage.setTrialParam(a, "opt", 1, CategoricalDistribution.of("adam", "sgd"));
    storage.setTrialParam(a, "x", 0.25, FloatDistribution.of(-1, 1));
    storage.setTrialIntermediateValue(a, 0, Double.NaN);
    storage.setTrialIntermediateValue(a, 1, 0.5);
    storage.setTrialState(a, TrialState.COMPLETE, Double.NEGATIVE_INFINITY);
    assertEquals(List.of(List.of("MAXIMIZE", "0")), query("SELECT direction, objective FROM study_directions"));
    assertEquals(
        List.of(
            List.of("opt", "1.0", "{\"name\":\"CategoricalDistribution\",\"attributes\":{\"choices\":[\"adam\",\"sgd\"]}}"),
            List.of("x", "0.25", "{\"name\":\"FloatDistribution\",\"attributes\":{\"step\":null,\"low\":-1.0,\"high\":1.0,\"log\":false}}")),
        query("SELECT param_name, param_value, distribution_json FROM trial_params ORDER BY param_id"));
    List<String> v = query("SELECT value, value_type, objective FROM trial_values").get(0);
    assertNull(v.get(0));
    assertEquals(List.of("INF_NEG", "0"), v.subList(1, 3));
    List<List<String>> iv =
        query("SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values ORDER BY step");
    assertNull(iv.get(0).get(1));
    assertEquals("NAN", iv.get(0).get(2));
    assertEquals(List.of("1", "0.5", "FINITE"), iv.get(1));
    List<String> t = query("SELECT number, state, datetime_start, datetime_complete FROM trials").get(0);
    assertEquals(List.of("0", "COMPLETE"), t.subList(0, 2));
    String pattern = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}";
    assertTrue(t.get(2).matches(pattern), t.get(2));
    assertTrue(t.get(3).matches(pattern), t.get(3));
    // Naive local time of this JVM: the text is the stored instant in the default zone.
    FrozenTrial read = storage.getTrial(a);
    assertEquals(
        t.get(3),
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
            .format(LocalDateTime.ofInstant(read.datetimeComplete(), ZoneId.systemDefault())));
  }

  @Test
  void studiesSurviveReopening() {
    long s = storage.createStudy("keep", StudyDirection.MINIMIZE);
    long a = storage.createTrial(s);
    storage.setTrialParam(a, "x", 0.5, FloatDistribution.of(0, 1));
    storage.setTrialUserAttr(a, "note", Map.of("k", List.of(1, 2)));
    storage.setTrialState(a, TrialState.COMPLETE, 3.0);
    FrozenTrial before = storage.getTrial(a);
    storage.close();
    storage = RdbStorage.open("sqlite:///" + file());
    assertEquals(before, storage.getTrial(storage.getAllTrials(storage.getStudyIdByName("keep")).get(0).trialId()));
    assertEquals(1, storage.createTrial(s) - a);
  }

  @Test
  void opensOptuna31StampAndRefusesOthersNamingFileAndStamp() throws Exception {
    storage.close();
    execute("UPDATE alembic_version SET version_num = 'v3.0.0.d'");
    try (RdbStorage old = RdbStorage.open("jdbc:sqlite:" + file())) {
      assertEquals("v3.0.0.d", old.schemaStamp());
      old.createStudy("fine", StudyDirection.MINIMIZE);
    }
    assertEquals(List.of(List.of("v3.0.0.d")), query("SELECT * FROM alembic_version"));
    execute("UPDATE alembic_version SET version_num = 'v2.4.0.a'");
    BadInputException e = assertThrows(BadInputException.class, () -> RdbStorage.open("sqlite:" + file()));
    assertTrue(e.getMessage().contains(file().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'v2.4.0.a'"), e.getMessage());
    storage = new InMemoryStorage();
  }

  @Test
  void urlsAreCheckedAndMemoryMapsToInMemory() {
    for (String bad : List.of("mysql://h/db", "", "sqlite:", "sqlite::memory:", "file.db")) {
      assertThrows(BadInputException.class, () -> Storages.open(bad), bad);
    }
    BadInputException e =
        assertThrows(BadInputException.class, () -> RdbStorage.open("sqlite:" + dir.resolve("no/such/x.db")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    try (TrialStorage m = Storages.open("Memory")) {
      assertInstanceOf(InMemoryStorage.class, m);
    }
    try (TrialStorage m = Storages.open("inmemory")) {
      assertInstanceOf(InMemoryStorage.class, m);
    }
    try (TrialStorage f = Storages.open("sqlite:///" + dir.resolve("other.db"))) {
      assertInstanceOf(RdbStorage.class, f);
    }
  }

  /**
   * Six connections opening a new file at once: switching it to WAL needs the file to itself, and
   * SQLite answered the losers SQLITE_BUSY at once (no busy timeout); about one round in thirty
   * failed before the switch was retried.
   */
  @Test
  void manyConnectionsOpeningANewFileAtOnceAllSucceed() throws Exception {
    for (int round = 0; round < 100; round++) {
      Path db = dir.resolve("wal-race-" + round + ".db");
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.List<java.util.concurrent.Future<?>> opens = new java.util.ArrayList<>();
      try {
        for (int t = 0; t < 6; t++) {
          opens.add(pool.submit(() -> {
            go.await();
            try (RdbStorage s = RdbStorage.open("sqlite:" + db)) {
              s.loadOrCreateStudy("raced", StudyDirection.MINIMIZE);
            }
            return null;
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<?> f : opens) {
          f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void concurrentFirstOpensCreateTheSchemaOnce() throws Exception {
    {
      java.util.List<String> stamps = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      runConcurrently(
          6,
          () -> {
            try (RdbStorage s = RdbStorage.open("sqlite:" + dir.resolve("race.db"))) {
              s.loadOrCreateStudy("raced", StudyDirection.MINIMIZE);
              stamps.add(s.schemaStamp());
            }
          });
      assertEquals(java.util.Collections.nCopies(6, "v3.2.0.a"), stamps);
      try (RdbStorage s = RdbStorage.open("sqlite:" + dir.resolve("race.db"))) {
        assertEquals(1, s.getAllStudies().size());
      }
    }
  }
}
