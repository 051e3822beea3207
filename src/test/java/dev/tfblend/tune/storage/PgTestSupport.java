package dev.tfblend.tune.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server of the tests: {@code TFBLEND_PG_URL} (e.g. {@code
 * jdbc:postgresql://127.0.0.1:55432/tfblend?user=postgres}, set by {@code .ci/services.sh}).
 * Tests that need it are skipped when it is not set. Each user gets a fresh schema.
 */
public final class PgTestSupport {
  public static final String ENV = "TFBLEND_PG_URL";

  private PgTestSupport() {}

  /** The server URL; skips the calling test when the variable is not set. */
  public static String url() {
    String url = System.getenv(ENV);
    Assumptions.assumeTrue(
        url != null && !url.isBlank(),
        "PostgreSQL tests skipped: set " + ENV
            + " (e.g. jdbc:postgresql://127.0.0.1:55432/tfblend?user=postgres; .ci/services.sh"
            + " starts such a server)");
    return url;
  }

  /** Creates an empty schema and returns its name. */
  public static String createSchema() throws SQLException {
    String schema = "tfb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(url());
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    return schema;
  }

  /** {@link #url()} with {@code currentSchema} set to {@code schema}. */
  public static String urlFor(String schema) {
    String url = url();
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  public static void dropSchema(String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(url());
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
