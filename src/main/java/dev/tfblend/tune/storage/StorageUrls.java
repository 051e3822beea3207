package dev.tfblend.tune.storage;

import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Credentials in storage URLs: hides them wherever a URL is shown or written, and supplies a
 * PostgreSQL password from the environment.
 *
 * <p>{@link #redact} replaces the password of the user-info form
 * ({@code postgresql://user:secret@host/db} becomes {@code postgresql://user:***@host/db}) and of
 * the query form ({@code jdbc:postgresql://host/db?user=u&password=secret} becomes
 * {@code ...&password=***}); anything else, SQLite paths included, is returned as is.
 *
 * <p>Where the URL carries no password, {@link #withEnvironmentPassword} takes it from
 * {@value #PGPASSWORD}, as libpq does. The PostgreSQL JDBC driver itself reads {@code ~/.pgpass}
 * (or the file {@code PGPASSFILE} names) when no password is given, so that file is honoured too.
 */
public final class StorageUrls {
  /** The environment variable libpq reads a PostgreSQL password from. */
  public static final String PGPASSWORD = "PGPASSWORD";

  private static final Pattern USER_INFO = Pattern.compile("(://[^/?#@:]*):[^/?#@]*@");
  private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;#]*");

  private StorageUrls() {}

  /** {@code url} with any password replaced by {@code ***}; null stays null. */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String s = USER_INFO.matcher(url).replaceAll("$1:***@");
    return QUERY_PASSWORD.matcher(s).replaceAll("$1***");
  }

  /** Whether {@code url} carries a password (user-info or query form). */
  static boolean hasPassword(String url) {
    return USER_INFO.matcher(url).find() || QUERY_PASSWORD.matcher(url).find();
  }

  /**
   * Sets the {@code password} connection property from {@code env}'s {@value #PGPASSWORD} when
   * neither {@code props} nor {@code jdbcUrl} has a password; returns {@code props}.
   */
  static Properties withEnvironmentPassword(Properties props, String jdbcUrl, Map<String, String> env) {
    String fromEnv = env.get(PGPASSWORD);
    if (fromEnv != null && !fromEnv.isEmpty() && !props.containsKey("password") && !hasPassword(jdbcUrl)) {
      props.setProperty("password", fromEnv);
    }
    return props;
  }
}
