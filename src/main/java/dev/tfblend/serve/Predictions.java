package dev.tfblend.serve;

import dev.tfblend.BadInputException;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.export.SavedModels;
import dev.tfblend.export.SavedModels.SignatureSpec;
import dev.tfblend.export.SavedModels.TensorSpec;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Class probabilities of a classifier SavedModel (as {@link SavedModelExporter} writes it:
 * signature {@code serving_default}, input {@code x} float32 {@code [-1, w]}, output
 * {@code probabilities} float32 {@code [-1, C]}) for the rows of a data set CSV
 * ({@link DatasetCsv}: a header, then rows, with or without a leading {@code label} column).
 *
 * <p>{@link #compute} checks the model's signature and the CSV's width against each other before
 * loading the model; the predicted label of a row is the first class of highest probability.
 * Instances are immutable.
 */
public final class Predictions {
  /** What {@code predict} needs from a model. */
  public static final SignatureSpec CLASSIFIER = SignatureSpec.expect(
      SavedModelExporter.SIGNATURE_KEY,
      Map.of(SavedModelExporter.INPUT, TensorSpec.float32(-1, SavedModels.ANY_SIZE)),
      Map.of(SavedModelExporter.PROBABILITIES,
          TensorSpec.float32(SavedModels.ANY_SIZE, SavedModels.ANY_SIZE)));

  private final Path model;
  private final Path input;
  private final float[][] probabilities;
  private final int[] predicted;
  private final int[] labels;

  private Predictions(Path model, Path input, float[][] probabilities, int[] labels) {
    this.model = model;
    this.input = input;
    this.probabilities = probabilities;
    this.labels = labels;
    this.predicted = new int[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      int best = 0;
      for (int c = 1; c < probabilities[i].length; c++) {
        if (probabilities[i][c] > probabilities[i][best]) {
          best = c;
        }
      }
      predicted[i] = best;
    }
  }

  /**
   * Runs the classifier in {@code modelDir} on every row of {@code csv}, {@code batchSize} rows
   * per call.
   *
   * @throws BadInputException when the model is not a classifier SavedModel (naming the directory
   *     and the signature), the CSV is malformed or empty (naming file, line and column), its
   *     feature width differs from the model's (naming the file and both widths), or a label is
   *     not one of the model's classes
   */
  public static Predictions compute(Path modelDir, Path csv, int batchSize) {
    if (batchSize <= 0) {
      throw BadInputException.of("--batch-size must be positive, got %d", batchSize);
    }
    SignatureSpec sig = SavedModels.inspect(modelDir).require(CLASSIFIER);
    long width = sig.inputs().get(SavedModelExporter.INPUT).dim(1);
    TensorSpec probs = sig.outputs().get(SavedModelExporter.PROBABILITIES);
    if (width < 0) {
      throw BadInputException.of("%s signature '%s' input '%s' has no fixed width (%s)", modelDir,
          sig.key(), SavedModelExporter.INPUT, sig.inputs().get(SavedModelExporter.INPUT));
    }
    DatasetCsv.Table table = DatasetCsv.readTable(csv);
    int[] labels = null;
    int fileWidth = table.width();
    if (table.hasLabel()) {
      long classes = probs.rank() == 2 && probs.dim(1) > 0 ? probs.dim(1) : Integer.MAX_VALUE;
      labels = table.labelled((int) classes).y();
    }
    float[][] x = table.rowsAsFloat32();
    if (fileWidth != width) {
      throw BadInputException.of("%s has %d feature columns, the model %s takes %d (input '%s')",
          csv, fileWidth, modelDir, width, SavedModelExporter.INPUT);
    }
    if (x.length == 0) {
      throw BadInputException.of("%s: no data rows", csv);
    }
    float[][] p = new float[x.length][];
    try (SavedModels m = SavedModels.open(modelDir, CLASSIFIER)) {
      for (int start = 0; start < x.length; start += batchSize) {
        float[][] batch = Arrays.copyOfRange(x, start, Math.min(x.length, start + batchSize));
        float[][] out = m.call(Map.of(SavedModelExporter.INPUT, batch),
            List.of(SavedModelExporter.PROBABILITIES)).get(SavedModelExporter.PROBABILITIES);
        if (out.length != batch.length) {
          throw BadInputException.of("%s signature '%s' returned %d rows for %d inputs",
              modelDir, sig.key(), out.length, batch.length);
        }
        System.arraycopy(out, 0, p, start, out.length);
      }
    }
    for (int i = 0; i < p.length; i++) {
      for (float v : p[i]) {
        if (!Float.isFinite(v)) {
          throw BadInputException.of("%s: the model's probabilities for row %d of %s are not finite (%s):"
              + " its variables are not finite (a diverged train?); retrain it", modelDir, i, csv, v);
        }
      }
    }
    return new Predictions(modelDir, csv, p, labels);
  }

  /** The model directory. */
  public Path model() {
    return model;
  }

  /** The input CSV. */
  public Path input() {
    return input;
  }

  /** Number of rows. */
  public int size() {
    return probabilities.length;
  }

  /** Number of classes. */
  public int numClasses() {
    return probabilities.length == 0 ? 0 : probabilities[0].length;
  }

  /** Row {@code i}'s class probabilities (a copy). */
  public float[] probabilities(int i) {
    return probabilities[i].clone();
  }

  /** The predicted label of each row (a copy). */
  public int[] predicted() {
    return predicted.clone();
  }

  /** True when the CSV had a label column. */
  public boolean hasLabels() {
    return labels != null;
  }

  /** Number of rows whose predicted label equals the label; 0 without labels. */
  public int correct() {
    int n = 0;
    for (int i = 0; labels != null && i < labels.length; i++) {
      n += predicted[i] == labels[i] ? 1 : 0;
    }
    return n;
  }

  /** Fraction of rows predicted correctly; NaN without labels. */
  public double accuracy() {
    return labels == null ? Double.NaN : (double) correct() / size();
  }

  /**
   * Writes {@code row,predicted,p0,...,p<C-1>[,label]}: {@code row} is the 0-based index of the
   * data row in the input, probabilities are written as the shortest decimals that read back to
   * the same float32 values, {@code label} is present when the input had labels.
   */
  public void writeCsv(Writer out) throws IOException {
    StringBuilder sb = new StringBuilder("row,predicted");
    for (int c = 0; c < numClasses(); c++) {
      sb.append(",p").append(c);
    }
    if (labels != null) {
      sb.append(",label");
    }
    out.write(sb.append('\n').toString());
    for (int i = 0; i < size(); i++) {
      sb.setLength(0);
      sb.append(i).append(',').append(predicted[i]);
      for (float v : probabilities[i]) {
        sb.append(',').append(formatFloat(v));
      }
      if (labels != null) {
        sb.append(',').append(labels[i]);
      }
      out.write(sb.append('\n').toString());
    }
  }

  /**
   * The shortest decimal that reads back to {@code v} as a float32, in Python's {@code repr}
   * layout ({@code 0.25}, {@code 1.5e-05}).
   */
  static String formatFloat(float v) {
    // Float.toString round-trips through float32 with at most 9 significant digits; the double
    // nearest that decimal prints as the same digits, so pythonRepr gives its layout.
    return Float.isFinite(v) ? DatasetCsv.pythonRepr(Double.parseDouble(Float.toString(v)))
        : DatasetCsv.pythonRepr(v);
  }
}
