package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Issue 11 finding 6: credentials in storage URLs. */
class StorageUrlsTest {
  @Test
  void finding6PasswordsAreRedactedInBothUrlForms() {
    assertEquals("postgresql://user:***@host/db", StorageUrls.redact("postgresql://user:PASSWORD@host/db"));
    assertEquals("postgresql+psycopg2://u:***@h:5432/db?sslmode=require",
        StorageUrls.redact("postgresql+psycopg2://u:p%40ss@h:5432/db?sslmode=require"));
    assertEquals("jdbc:postgresql://h/db?user=u&password=***&ssl=true",
        StorageUrls.redact("jdbc:postgresql://h/db?user=u&password=hunter2&ssl=true"));
    assertEquals("jdbc:postgresql://h/db?PASSWORD=***", StorageUrls.redact("jdbc:postgresql://h/db?PASSWORD=x"));
    assertEquals("postgresql://user@host/db", StorageUrls.redact("postgresql://user@host/db"));
    assertEquals("sqlite:runs/a:b@c/study.db", StorageUrls.redact("sqlite:runs/a:b@c/study.db"));
    assertNull(StorageUrls.redact(null));
  }

  @Test
  void finding6PgpasswordIsUsedOnlyWhenTheUrlHasNoPassword() {
    Map<String, String> env = Map.of(StorageUrls.PGPASSWORD, "from-env");
    Properties none = StorageUrls.withEnvironmentPassword(new Properties(), "jdbc:postgresql://h/db?user=u", env);
    assertEquals("from-env", none.getProperty("password"));
    Properties given = new Properties();
    given.setProperty("password", "from-url");
    assertEquals("from-url",
        StorageUrls.withEnvironmentPassword(given, "jdbc:postgresql://h/db", env).getProperty("password"));
    assertFalse(StorageUrls.withEnvironmentPassword(new Properties(), "jdbc:postgresql://h/db?password=q", env)
        .containsKey("password"));
    assertFalse(StorageUrls.withEnvironmentPassword(new Properties(), "jdbc:postgresql://h/db", Map.of())
        .containsKey("password"));
  }
}
