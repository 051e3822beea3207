package dev.tfblend.tune.storage;

/**
 * A storage backend failed (I/O, SQL, lock timeout). Callers may retry the whole operation; the
 * storage left no partial write behind.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
