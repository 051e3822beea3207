package dev.tfblend;

/**
 * A problem with what the user gave us: an option value, a config field, a file or a row in
 * it. The message names the offending field, file, row or option, and says what was expected.
 *
 * <p>The command line turns it into exit code 2 with the message on one line; library callers
 * can catch it like any {@link IllegalArgumentException}.
 */
public class BadInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Formats the message with {@link String#format}. */
  public static BadInputException of(String format, Object... args) {
    return new BadInputException(String.format(java.util.Locale.ROOT, format, args));
  }
}
