package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import org.junit.jupiter.api.Test;

/** URL forms {@link RdbStorage#open} refuses, without any database server. */
class RdbStorageUrlTest {
  @Test
  void unsupportedUrlsNameTheUrlAndTheAcceptedForms() {
    BadInputException e = assertThrows(BadInputException.class, () -> RdbStorage.open("mysql://h/db"));
    assertTrue(e.getMessage().contains("'mysql://h/db'"), e.getMessage());
    assertTrue(e.getMessage().contains("sqlite:///PATH"), e.getMessage());
    assertTrue(e.getMessage().contains("postgresql://"), e.getMessage());
  }

  @Test
  void unreachablePostgresIsBadInputWithoutThePassword() {
    for (String url :
        new String[] {
          "postgresql://me:s3cret@127.0.0.1:1/db?connectTimeout=2",
          "jdbc:postgresql://127.0.0.1:1/db?user=me&password=s3cret&connectTimeout=2"
        }) {
      // nothing listens at the URL's port: the URL is wrong (exit 2), said without the password
      BadInputException e = assertThrows(BadInputException.class, () -> RdbStorage.open(url));
      assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
  }
}
