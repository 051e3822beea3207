package dev.tfblend.tune.storage;

import dev.tfblend.BadInputException;
import java.util.Locale;
import java.util.Objects;

/** Opens a {@link TrialStorage} from the one-string spec a user gives (option or config). */
public final class Storages {
  private Storages() {}

  /**
   * {@code memory} or {@code inmemory} (any case): a new {@link InMemoryStorage}; anything else
   * is a database URL for {@link RdbStorage#open(String)} ({@code sqlite:PATH}, {@code
   * sqlite:///PATH}, {@code jdbc:sqlite:PATH}, {@code postgresql://...}, {@code
   * jdbc:postgresql://...}).
   *
   * @throws BadInputException for a spec that is neither, or a database this storage refuses
   * @throws StorageException when the database cannot be reached
   */
  public static TrialStorage open(String spec) {
    return open(spec, RdbStorage.DEFAULT_TIMEOUT);
  }

  /**
   * {@link #open(String)} with every wait on a database bounded by {@code timeout} (see {@link
   * RdbStorage#open(String, java.time.Clock, java.time.Duration)}); the in-memory storage never
   * waits.
   */
  public static TrialStorage open(String spec, java.time.Duration timeout) {
    Objects.requireNonNull(spec, "spec");
    String s = spec.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("memory") || lower.equals("inmemory")) {
      return new InMemoryStorage();
    }
    if (s.isEmpty()) {
      throw new BadInputException("storage spec is empty: use memory or a database URL");
    }
    return RdbStorage.open(s, null, timeout);
  }
}
