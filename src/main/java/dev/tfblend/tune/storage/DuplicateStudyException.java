package dev.tfblend.tune.storage;

/** {@link TrialStorage#createStudy} was given a name that another study already has. */
public class DuplicateStudyException extends StorageException {
  private static final long serialVersionUID = 1L;

  public DuplicateStudyException(String studyName) {
    super("a study named '" + studyName + "' already exists");
  }
}
