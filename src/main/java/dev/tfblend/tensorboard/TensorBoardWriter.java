package dev.tfblend.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Writes one TensorBoard run: an event file in a log directory, written by TensorFlow's own
 * summary ops ({@code SummaryWriter}, {@code CreateSummaryFileWriter}, {@code
 * WriteScalarSummary}, {@code WriteSummary}, {@code FlushSummaryWriter}, {@code
 * CloseSummaryWriter}), so the records, their CRCs and the event protos are TensorFlow's.
 *
 * <p>Scalars ({@link #scalar}) appear under TensorBoard's Scalars tab (stored as 32-bit floats,
 * as TensorBoard stores them); text ({@link #text}, for example the hyperparameters as a Markdown
 * table) under its Text tab. {@code tensorboard --logdir DIR} over a parent directory shows each
 * run directory as one run.
 *
 * <p>A series of scalars ({@link #scalars}) is written {@value #CHUNK} values per {@code
 * session.run}: {@value #CHUNK} {@code WriteScalarSummary} ops, each reading one element of a fed
 * vector of steps and values and chained by control dependencies, so the events are those of
 * {@value #CHUNK} single writes, in the same order, at a fraction of the runs (a trial's per-step
 * traces are thousands of values).
 *
 * <p>Life cycle: the constructor creates the directory and the event file; writes may come in
 * any step order; {@link #flush()} makes what was written readable; {@link #close()} flushes
 * and releases the writer, its graph and session. Not thread-safe: one thread writes a run.
 */
public final class TensorBoardWriter implements AutoCloseable {
  /** The serialized {@code SummaryMetadata} that marks a tensor summary for the text plugin. */
  static final String TEXT_PLUGIN_METADATA = "\n\u0006\n\u0004text";

  private static final AtomicLong WRITERS = new AtomicLong();
  /** Values written per {@code session.run} by {@link #scalars}. */
  static final int CHUNK = 64;

  private final Path logDir;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat64> scalarValue;
  private final Placeholder<TString> textValue;
  private final String writeScalar;
  private final String writeText;
  private final Placeholder<TInt64> chunkSteps;
  private final Placeholder<TFloat64> chunkValues;
  private final String writeChunk;
  private final String flush;
  private final String closeWriter;
  private boolean closed;

  /**
   * Opens a run in {@code logDir} (created if needed).
   *
   * @throws UncheckedIOException naming the directory when it cannot be created
   */
  public TensorBoardWriter(Path logDir) {
    this.logDir = logDir;
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create TensorBoard directory " + logDir + ": " + e.getMessage(), e);
    }
    Graph g = new Graph();
    Session s = null;
    try {
      Ops tf = Ops.create(g).withSubScope("tensorboard");
      // one writer resource per run: the shared name keeps two runs in one process apart
      SummaryWriter writer = tf.summary.summaryWriter(
          SummaryWriter.sharedName("tfblend_run_" + WRITERS.incrementAndGet()));
      var create = tf.withName("create").summary.createSummaryFileWriter(writer,
          tf.constant(logDir.toAbsolutePath().toString()), tf.constant(100), tf.constant(60_000),
          tf.constant(".v2"));
      step = tf.withName("step").placeholder(TInt64.class);
      tag = tf.withName("tag").placeholder(TString.class);
      scalarValue = tf.withName("scalar_value").placeholder(TFloat64.class);
      textValue = tf.withName("text_value").placeholder(TString.class);
      Operand<TString> metadata = tf.constant(TEXT_PLUGIN_METADATA);
      writeScalar = tf.withName("write_scalar").summary
          .writeScalarSummary(writer, step, tag, scalarValue).op().name();
      writeText = tf.withName("write_text").summary
          .writeSummary(writer, step, textValue, tag, metadata).op().name();
      // CHUNK scalar writes in order, each reading one element of the fed vectors
      Ops c = tf.withSubScope("chunk");
      chunkSteps = c.withName("steps").placeholder(TInt64.class);
      chunkValues = c.withName("values").placeholder(TFloat64.class);
      org.tensorflow.op.Op previous = null;
      for (int i = 0; i < CHUNK; i++) {
        Ops ci = previous == null ? c : c.withControlDependencies(java.util.List.of(previous));
        Operand<TInt64> index = c.constant((long) i);
        previous = ci.withName("write_" + i).summary.writeScalarSummary(writer,
            c.gather(chunkSteps, index, c.constant(0)), tag, c.gather(chunkValues, index, c.constant(0)));
      }
      writeChunk = previous.op().name();
      flush = tf.withName("flush").summary.flushSummaryWriter(writer).op().name();
      closeWriter = tf.withName("close").summary.closeSummaryWriter(writer).op().name();
      // a few small runs per target: TensorFlow's graph rewriting would cost more than it saves
      s = new Session(g, ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(1)
          .setInterOpParallelismThreads(-1)
          .setGraphOptions(GraphOptions.newBuilder()
              .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
          .build());
      s.runner().addTarget(create).run();
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
    this.graph = g;
    this.session = s;
  }

  /** The run's directory. */
  public Path logDir() {
    return logDir;
  }

  /** Records {@code value} for {@code tag} at {@code step} (TensorBoard's Scalars tab). */
  public void scalar(String tag, long step, double value) {
    try (TFloat64 v = TFloat64.scalarOf(value)) {
      write(tag, step, scalarValue, v, writeScalar);
    }
  }

  /**
   * Records {@code values[i]} for {@code tag} at step {@code firstStep + i}, in index order: the
   * same events as {@link #scalar} called for each, {@value #CHUNK} per {@code session.run}.
   */
  public void scalars(String tag, long firstStep, double[] values) {
    checkOpen();
    checkTag(tag);
    int i = 0;
    for (; i + CHUNK <= values.length; i += CHUNK) {
      long[] steps = new long[CHUNK];
      for (int k = 0; k < CHUNK; k++) {
        steps[k] = firstStep + i + k;
      }
      try (TInt64 st = TInt64.vectorOf(steps);
          TFloat64 v = TFloat64.vectorOf(java.util.Arrays.copyOfRange(values, i, i + CHUNK));
          TString t = TString.scalarOf(tag)) {
        session.runner().feed(chunkSteps, st).feed(chunkValues, v).feed(this.tag, t).addTarget(writeChunk).run();
      }
    }
    for (; i < values.length; i++) {
      scalar(tag, firstStep + i, values[i]);
    }
  }

  /** Records {@code markdown} for {@code tag} at {@code step} (TensorBoard's Text tab). */
  public void text(String tag, long step, String markdown) {
    try (TString v = TString.scalarOf(markdown)) {
      write(tag, step, textValue, v, writeText);
    }
  }

  /** Runs the summary op {@code target} with {@code value} fed to {@code input} at {@code step}. */
  private <T extends TType> void write(
      String tag, long step, Placeholder<T> input, T value, String target) {
    checkOpen();
    checkTag(tag);
    try (TInt64 s = TInt64.scalarOf(step);
        TString t = TString.scalarOf(tag)) {
      session.runner().feed(this.step, s).feed(this.tag, t).feed(input, value)
          .addTarget(target).run();
    }
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
    session.runner().addTarget(flush).run();
  }

  /** Flushes and closes the event file, then the graph and session. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.runner().addTarget(flush).run();
      session.runner().addTarget(closeWriter).run();
    } finally {
      session.close();
      graph.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("TensorBoard writer for " + logDir + " is closed");
    }
  }

  private static void checkTag(String tag) {
    if (tag == null || tag.isBlank()) {
      throw new IllegalArgumentException("a TensorBoard tag must not be blank");
    }
  }
}
