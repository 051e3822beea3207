package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The storage contract on PostgreSQL; skipped unless {@code TFBLEND_PG_URL} is set. */
class PostgresStorageTest extends StorageContractTest {
  private String schema;

  @BeforeAll
  static void needsServer() {
    PgTestSupport.url();
  }

  @Override
  protected TrialStorage newStorage(Clock clock) throws Exception {
    PgTestSupport.url();
    schema = PgTestSupport.createSchema();
    return RdbStorage.open(PgTestSupport.urlFor(schema), clock);
  }

  @Override
  protected void cleanup() throws Exception {
    if (schema != null) {
      PgTestSupport.dropSchema(schema);
    }
  }

  private List<String> column(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(PgTestSupport.urlFor(schema));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Test
  void freshSchemaHasOptunasTablesEnumsAndStamp() throws Exception {
    assertEquals(
        List.of(
            "alembic_version", "studies", "study_directions", "study_system_attributes",
            "study_user_attributes", "trial_heartbeats", "trial_intermediate_values",
            "trial_params", "trial_system_attributes", "trial_user_attributes", "trial_values",
            "trials", "version_info"),
        column(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema
                + "' ORDER BY table_name"));
    assertEquals(
        List.of("studydirection", "trialintermediatevaluetype", "trialstate", "trialvaluetype"),
        column(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE n.nspname = '" + schema + "' AND t.typtype = 'e' ORDER BY t.typname"));
    assertEquals(List.of("v3.2.0.a"), column("SELECT version_num FROM alembic_version"));
    assertEquals(
        List.of("trialstate", "timestamp without time zone", "double precision"),
        column(
            "SELECT data_type || '' FROM information_schema.columns WHERE table_schema = '"
                + schema + "' AND (table_name, column_name) IN (('trials', 'datetime_start'),"
                + " ('trial_params', 'param_value'))"
                + " UNION ALL SELECT udt_name FROM information_schema.columns WHERE table_schema = '"
                + schema + "' AND table_name = 'trials' AND column_name = 'state'"
                + " ORDER BY 1 DESC"));
    long s = storage.createStudy("pg", StudyDirection.MINIMIZE);
    long id = storage.createTrial(s);
    storage.setTrialState(id, TrialState.COMPLETE, Double.POSITIVE_INFINITY);
    assertEquals(List.of("INF_POS"), column("SELECT value_type::text FROM trial_values"));
    assertTrue(column("SELECT value FROM trial_values").get(0) == null);
  }

  @Test
  void opensOptunaStyleUrlsAndSharesTheDatabaseWithJdbcUrls() {
    long id = storage.createStudy("shared", StudyDirection.MAXIMIZE);
    String optunaStyle = PgTestSupport.urlFor(schema).replace("jdbc:postgresql://", "postgresql://");
    try (TrialStorage other = Storages.open(optunaStyle)) {
      assertEquals(id, other.getStudyIdByName("shared"));
      assertEquals(StudyDirection.MAXIMIZE, other.getStudyDirection(id));
      assertEquals("v3.2.0.a", ((RdbStorage) other).schemaStamp());
    }
  }

  @Test
  void concurrentFirstOpensCreateTheSchemaOnce() throws Exception {
    String fresh = PgTestSupport.createSchema();
    try {
      java.util.List<String> stamps = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      runConcurrently(
          6,
          () -> {
            try (RdbStorage s = RdbStorage.open(PgTestSupport.urlFor(fresh))) {
              s.loadOrCreateStudy("raced", StudyDirection.MINIMIZE);
              stamps.add(s.schemaStamp());
            }
          });
      assertEquals(java.util.Collections.nCopies(6, "v3.2.0.a"), stamps);
      try (RdbStorage s = RdbStorage.open(PgTestSupport.urlFor(fresh))) {
        assertEquals(1, s.getAllStudies().size());
      }
    } finally {
      PgTestSupport.dropSchema(fresh);
    }
  }
}
