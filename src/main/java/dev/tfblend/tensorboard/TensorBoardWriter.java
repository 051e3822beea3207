package dev.tfblend.tensorboard;

import com.google.protobuf.ByteString;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SourceMetadata;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Writes one TensorBoard run: an event file in a log directory, in the format TensorFlow's
 * summary file writer ({@code CreateSummaryFileWriter}) produces: TFRecord framing (little-endian
 * length, masked CRC-32C of the length, the record, masked CRC-32C of the record) around {@code
 * Event} protos (TF-Java's generated classes), a first {@code file_version: "brain.Event:2"}
 * event, scalars as a {@code simple_value} and text as a string {@code tensor} marked for the text
 * plugin. The file is named {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2}, {@code n}
 * counting the writers this process opened, as TensorFlow names it.
 *
 * <p>Scalars ({@link #scalar}) appear under TensorBoard's Scalars tab (stored as 32-bit floats,
 * as TensorBoard stores them); text ({@link #text}, for example the hyperparameters as a Markdown
 * table) under its Text tab. {@code tensorboard --logdir DIR} over a parent directory shows each
 * run directory as one run.
 *
 * <p>Life cycle: the constructor creates the directory and the event file (holding the version
 * event); writes may come in any step order and are kept in the file in the order given;
 * {@link #flush()} makes what was written readable; {@link #close()} flushes and closes the file.
 * Not thread-safe: one thread writes a run.
 */
public final class TensorBoardWriter implements AutoCloseable {
  private static final AtomicLong WRITERS = new AtomicLong();
  /** The metadata that marks a tensor summary for the text plugin. */
  static final SummaryMetadata TEXT_METADATA = SummaryMetadata.newBuilder()
      .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text")).build();

  private final Path logDir;
  private final Path file;
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private final CRC32C crc = new CRC32C();
  private boolean closed;

  /**
   * Opens a run in {@code logDir} (created if needed) with a new event file.
   *
   * @throws UncheckedIOException naming the directory when it or the file cannot be created
   */
  public TensorBoardWriter(Path logDir) {
    this.logDir = logDir;
    Instant now = Instant.now();
    this.file = logDir.resolve(String.format(java.util.Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d.v2",
        now.getEpochSecond(), Host.NAME, ProcessHandle.current().pid(), WRITERS.getAndIncrement()));
    try {
      Files.createDirectories(logDir);
      out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create TensorBoard directory " + logDir + ": " + e.getMessage(), e);
    }
    try {
      record(Event.newBuilder().setWallTime(now.getEpochSecond()).setFileVersion("brain.Event:2")
          .setSourceMetadata(SourceMetadata.newBuilder().setWriter("tensorflow.core.util.events_writer"))
          .build());
      out.flush();
    } catch (IOException | RuntimeException e) {
      try {
        out.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e instanceof IOException io ? failed(io) : (RuntimeException) e;
    }
  }

  /** The run's directory. */
  public Path logDir() {
    return logDir;
  }

  /** Records {@code value} for {@code tag} at {@code step} (TensorBoard's Scalars tab). */
  public void scalar(String tag, long step, double value) {
    write(step, Summary.Value.newBuilder().setTag(checkTag(tag)).setSimpleValue((float) value).build());
  }

  /** Records {@code values[i]} for {@code tag} at step {@code firstStep + i}. */
  public void scalars(String tag, long firstStep, double[] values) {
    for (int i = 0; i < values.length; i++) {
      scalar(tag, firstStep + i, values[i]);
    }
  }

  /** Records {@code markdown} for {@code tag} at {@code step} (TensorBoard's Text tab). */
  public void text(String tag, long step, String markdown) {
    TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.getDefaultInstance())
        .addStringVal(ByteString.copyFrom(markdown, StandardCharsets.UTF_8)).build();
    write(step, Summary.Value.newBuilder().setTag(checkTag(tag)).setTensor(tensor).setMetadata(TEXT_METADATA)
        .build());
  }

  /**
   * Records hyperparameters as a two-column Markdown table ({@code name | value}, in the map's
   * order) under {@code tag} at step 0.
   */
  public void hyperparameters(String tag, Map<String, ?> params) {
    StringBuilder md = new StringBuilder("| name | value |\n|---|---|\n");
    params.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    text(tag, 0, md.toString());
  }

  /** Writes buffered events to the file. */
  public void flush() {
    checkOpen();
    try {
      out.flush();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /** Flushes and closes the event file. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private void write(long step, Summary.Value value) {
    checkOpen();
    Instant now = Instant.now();
    try {
      record(Event.newBuilder().setWallTime(now.getEpochSecond() + now.getNano() / 1e9).setStep(step)
          .setSummary(Summary.newBuilder().addValue(value)).build());
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /** Appends {@code event} as one TFRecord. */
  private void record(Event event) throws IOException {
    byte[] data = event.toByteArray();
    long length = data.length;
    for (int i = 0; i < 8; i++) {
      header[i] = (byte) (length >>> (8 * i));
    }
    putInt(header, 8, masked(header, 0, 8));
    out.write(header);
    out.write(data);
    putInt(footer, 0, masked(data, 0, data.length));
    out.write(footer);
  }

  /** TFRecord's masked CRC-32C: the checksum rotated right by 15 bits plus a constant. */
  private int masked(byte[] b, int off, int len) {
    crc.reset();
    crc.update(b, off, len);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  private static void putInt(byte[] b, int off, int v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  private UncheckedIOException failed(IOException e) {
    return new UncheckedIOException("cannot write TensorBoard events to " + file + ": " + e.getMessage(), e);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("TensorBoard writer for " + logDir + " is closed");
    }
  }

  private static String checkTag(String tag) {
    if (tag == null || tag.isBlank()) {
      throw new IllegalArgumentException("a TensorBoard tag must not be blank");
    }
    return tag;
  }

  /** The host name in event file names, read once (the kernel's name; no DNS lookup on Linux). */
  private static final class Host {
    static final String NAME = name();

    private static String name() {
      try {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        if (Files.isReadable(kernel)) {
          String n = Files.readString(kernel).strip();
          if (!n.isEmpty()) {
            return n;
          }
        }
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException | RuntimeException e) {
        return "localhost";
      }
    }
  }
}
