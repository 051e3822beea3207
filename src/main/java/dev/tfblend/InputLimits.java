package dev.tfblend;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The size limits tf-blend applies to what it reads and builds, checked before anything large is
 * allocated, and bounded reading of input files. A file over its limit is refused with a
 * {@link BadInputException} naming the file and the limit; a special file with no size (a pipe,
 * {@code /dev/zero}) is read only up to the limit.
 *
 * <ul>
 *   <li>{@link #MAX_DATA_FILE_BYTES}: data set CSVs and feature files ({@code predict}, {@code
 *       gate}, {@code data.source=csv});
 *   <li>{@link #MAX_CONFIG_BYTES}: JSON configs ({@code --config});
 *   <li>{@link #MAX_GRAPH_BYTES}: a SavedModel's {@code saved_model.pb};
 *   <li>{@link #MAX_MODEL_PARAMETERS}: weights and biases of the MLP ({@code model.layers}).
 * </ul>
 */
public final class InputLimits {
  /** Largest data set CSV or feature file, in bytes (64 MiB, about 170,000 MNIST-1D rows). */
  public static final long MAX_DATA_FILE_BYTES = 64L << 20;
  /** Largest JSON config, in bytes (1 MiB). */
  public static final long MAX_CONFIG_BYTES = 1L << 20;
  /** Largest {@code saved_model.pb}, in bytes (64 MiB; tf-blend's own are under 1 MiB). */
  public static final long MAX_GRAPH_BYTES = 64L << 20;
  /**
   * Most parameters (weights and biases) of the MLP: 10 million. Training keeps about eight
   * float32 copies of each (the value, its gradient, optimizer slots, the meta step's look-ahead),
   * so the limit is about 320 MB of parameter memory.
   */
  public static final long MAX_MODEL_PARAMETERS = 10_000_000L;
  /** Bytes of training memory per parameter assumed in messages: eight float32 copies. */
  public static final long BYTES_PER_PARAMETER = 8 * Float.BYTES;

  private InputLimits() {}

  /**
   * The lines of a UTF-8 text file of at most {@code limit} bytes, a leading byte order mark
   * removed.
   *
   * @param what how the user names the file, for messages (for example {@code --input data.csv})
   * @throws BadInputException naming {@code what} when the file is missing, a directory,
   *     unreadable, not UTF-8 or larger than {@code limit}
   */
  public static List<String> readLines(Path file, String what, long limit) {
    checkSize(file, what, limit);
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new Bounded(
        Files.newInputStream(file), what, limit), StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(lines.isEmpty() ? stripBom(line) : line);
      }
    } catch (CharacterCodingException e) {
      throw BadInputException.of("%s: not UTF-8 text", what);
    } catch (IOException | UncheckedIOException e) {
      throw unreadable(what, e);
    }
    return lines;
  }

  /** {@link #readLines} for a file named by its path. */
  public static List<String> readLines(Path file, long limit) {
    return readLines(file, file.toString(), limit);
  }

  /** The whole of a UTF-8 text file of at most {@code limit} bytes (see {@link #readLines}). */
  public static String readString(Path file, String what, long limit) {
    return String.join("\n", readLines(file, what, limit));
  }

  /**
   * Refuses a file that is missing, a directory, or a regular file larger than {@code limit},
   * before anything is read.
   */
  public static void checkSize(Path file, String what, long limit) {
    if (Files.isDirectory(file)) {
      throw BadInputException.of("%s: is a directory, expected a file", what);
    }
    if (!Files.exists(file)) {
      throw BadInputException.of("%s: no such file", what);
    }
    try {
      if (Files.isRegularFile(file) && Files.size(file) > limit) {
        throw tooLarge(what, Files.size(file), limit);
      }
    } catch (IOException e) {
      throw unreadable(what, e);
    }
  }

  /** {@code line} without a leading UTF-8 byte order mark. */
  public static String stripBom(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  /**
   * Refuses an MLP of these layer widths when it has more than {@link #MAX_MODEL_PARAMETERS}
   * parameters.
   *
   * @param field how the user names the layer list, for the message
   */
  public static void checkModelSize(List<Integer> layers, String field) {
    long params = 0;
    for (int i = 0; i + 1 < layers.size(); i++) {
      long in = Math.max(0, layers.get(i));
      long out = Math.max(0, layers.get(i + 1));
      params += in * out + out;
    }
    if (params > MAX_MODEL_PARAMETERS) {
      throw BadInputException.of("%s %s has %,d parameters (about %.1f GB to train);"
          + " the limit is %,d", field, layers, params, params * (double) BYTES_PER_PARAMETER / 1e9,
          MAX_MODEL_PARAMETERS);
    }
  }

  private static BadInputException tooLarge(String what, long size, long limit) {
    return BadInputException.of("%s: larger than the limit of %s for this kind of file%s",
        what, mib(limit), size < 0 ? "" : " (" + mib(size) + ")");
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (double) (1 << 20)));
  }

  private static BadInputException unreadable(String what, Exception e) {
    if (e instanceof AccessDeniedException) {
      return BadInputException.of("%s: permission denied", what);
    }
    if (e instanceof NoSuchFileException) {
      return BadInputException.of("%s: no such file", what);
    }
    if (e instanceof UncheckedIOException u && u.getCause() instanceof TooLarge t) {
      return t.toBadInput();
    }
    if (e instanceof TooLarge t) {
      return t.toBadInput();
    }
    Throwable c = e instanceof UncheckedIOException u ? u.getCause() : e;
    return new BadInputException(what + ": cannot read (" + c.getMessage() + ")", e);
  }

  /** Thrown inside a read when more than the limit arrives. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient String what;
    private final long limit;

    TooLarge(String what, long limit) {
      super(what + " exceeds " + limit + " bytes");
      this.what = what;
      this.limit = limit;
    }

    BadInputException toBadInput() {
      return tooLarge(what, -1, limit);
    }
  }

  /** Fails the read once more than {@code limit} bytes came through. */
  private static final class Bounded extends FilterInputStream {
    private final String what;
    private final long limit;
    private long count;

    Bounded(InputStream in, String what, long limit) {
      super(in);
      this.what = what;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        add(n);
      }
      return n;
    }

    private void add(int n) throws IOException {
      count += n;
      if (count > limit) {
        throw new TooLarge(what, limit);
      }
    }
  }
}
