package dev.tfblend.data;

import dev.tfblend.BadInputException;
import dev.tfblend.InputLimits;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CSV form of a data set, as in the official MNIST-1D reference files: a header
 * {@code label,x0,...,x<w-1>}, then one sample per line, its label and then its features.
 *
 * <p>Doubles are written as Python's {@code repr} writes them (shortest digits that read back to
 * the same double; positional between 1e-4 and 1e16, otherwise {@code 1.5e-05} style), so files
 * read back bit for bit here, in numpy and in pandas. Reading accepts features as
 * {@link FeatureValues} states (decimal numbers, finite as float32), files with or without the
 * label column, and a UTF-8 byte order mark before the header.
 *
 * <p>Line 1 must be the header: a first line whose cells are all numbers is refused (a file
 * without a header would otherwise lose its first sample). Reading errors are
 * {@link BadInputException}s naming the file, the line number (1-based, the header is line 1) and
 * the column.
 */
public final class DatasetCsv {
  private DatasetCsv() {}

  /** Writes {@code data} to {@code file} (UTF-8, '\n' line ends). */
  public static void write(Dataset data, Path file) {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(data, w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Writes {@code data} to {@code out}; does not close it. */
  public static void write(Dataset data, Writer out) throws IOException {
    int w = data.numFeatures();
    StringBuilder sb = new StringBuilder("label");
    for (int j = 0; j < w; j++) {
      sb.append(",x").append(j);
    }
    out.write(sb.append('\n').toString());
    for (int i = 0; i < data.size(); i++) {
      sb.setLength(0);
      sb.append(data.y()[i]);
      for (double v : data.x()[i]) {
        sb.append(',').append(pythonRepr(v));
      }
      out.write(sb.append('\n').toString());
    }
  }

  /**
   * Reads a labelled CSV (first header column {@code label}) into a data set of
   * {@code numClasses} classes.
   */
  public static Dataset read(Path file, int numClasses) {
    return readTable(file).labelled(numClasses);
  }

  /** Reads the feature columns of a CSV with or without a leading {@code label} column. */
  public static double[][] readFeatures(Path file) {
    return readTable(file).rows();
  }

  /**
   * A CSV as read: its header cells, whether the first column is {@code label}, the feature rows
   * and the labels (empty without a label column). Arrays are the reader's own; do not modify.
   *
   * @param file the file read, for messages
   * @param lineNumbers the 1-based line of each row in the file, for messages
   */
  public record Table(Path file, List<String> header, boolean hasLabel, double[][] rows, int[] labels,
      int[] lineNumbers) {
    /**
     * The rows as float32, which is what a model computes in.
     *
     * @throws BadInputException naming the line and column of a value beyond float32's range
     */
    public float[][] rowsAsFloat32() {
      int first = hasLabel ? 1 : 0;
      float[][] f = new float[rows.length][];
      for (int i = 0; i < rows.length; i++) {
        f[i] = new float[rows[i].length];
        for (int j = 0; j < rows[i].length; j++) {
          try {
            f[i][j] = FeatureValues.toFloat32(rows[i][j], pythonRepr(rows[i][j]));
          } catch (IllegalArgumentException e) {
            throw BadInputException.of("%s line %d column %d ('%s'): %s", file, lineNumbers[i],
                first + j + 1, header.get(first + j).strip(), e.getMessage());
          }
        }
      }
      return f;
    }

    /** Number of feature columns (the header's cells less the label column). */
    public int width() {
      return header.size() - (hasLabel ? 1 : 0);
    }

    /**
     * The rows as a data set of {@code numClasses} classes.
     *
     * @throws BadInputException when there is no label column or a label is not a class
     */
    public Dataset labelled(int numClasses) {
      if (!hasLabel) {
        throw BadInputException.of(
            "%s line 1: the first column must be 'label', got '%s'", file, header.get(0));
      }
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= numClasses) {
          throw BadInputException.of(
              "%s line %d column 'label': %d is not a class in [0, %d)",
              file, lineNumbers[i], labels[i], numClasses);
        }
      }
      return new Dataset(rows, labels, numClasses);
    }
  }

  /**
   * Reads a CSV with or without a leading {@code label} column, at most
   * {@link InputLimits#MAX_DATA_FILE_BYTES} bytes.
   *
   * @throws BadInputException naming the file, line and column of the first problem
   */
  public static Table readTable(Path file) {
    return readTable(file, false);
  }

  /**
   * Reads a labelled data set CSV: {@code label,x0,...} with a header line, or without one (a
   * first line of numbers is then the first row, its first column the label, and the feature
   * columns are named {@code x0, x1, ...} in messages).
   *
   * @throws BadInputException naming the file, line and column of the first problem
   */
  public static Table readLabelled(Path file) {
    return readTable(file, true);
  }

  private static Table readTable(Path file, boolean labelledWithoutHeader) {
    List<String> lines;
    lines = InputLimits.readLines(file, InputLimits.MAX_DATA_FILE_BYTES);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw BadInputException.of("%s line 1: missing header", file);
    }
    List<String> header = List.of(InputLimits.stripBom(lines.get(0)).strip().split(",", -1));
    int firstData = 1;
    if (header.stream().allMatch(DatasetCsv::isNumber)) {
      if (!labelledWithoutHeader) {
        throw BadInputException.of("%s line 1 looks like data, not a header; the data set format"
            + " starts with a header line 'label,x0,...' or 'x0,...'", file);
      }
      List<String> named = new ArrayList<>(List.of("label"));
      for (int j = 0; j < header.size() - 1; j++) {
        named.add("x" + j);
      }
      header = List.copyOf(named);
      firstData = 0;
    }
    boolean hasLabel = header.get(0).strip().equals("label");
    int first = hasLabel ? 1 : 0;
    int width = header.size() - first;
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    for (int li = firstData; li < lines.size(); li++) {
      String line = (li == 0 ? InputLimits.stripBom(lines.get(li)) : lines.get(li)).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      int lineNo = li + 1;
      if (cells.length != header.size()) {
        throw BadInputException.of(
            "%s line %d: expected %d columns as in the header, got %d",
            file, lineNo, header.size(), cells.length);
      }
      if (hasLabel) {
        try {
          labels.add(Integer.parseInt(cells[0].strip()));
        } catch (NumberFormatException e) {
          throw BadInputException.of(
              "%s line %d column 'label': '%s' is not an integer", file, lineNo, cells[0]);
        }
      }
      double[] row = new double[width];
      for (int j = 0; j < width; j++) {
        try {
          row[j] = FeatureValues.parse(cells[first + j]);
        } catch (IllegalArgumentException e) {
          throw BadInputException.of("%s line %d column %d ('%s'): %s",
              file, lineNo, first + j + 1, header.get(first + j).strip(), e.getMessage());
        }
      }
      rows.add(row);
      rowLines.add(lineNo);
    }
    int[] y = labels.stream().mapToInt(Integer::intValue).toArray();
    int[] lineNumbers = rowLines.stream().mapToInt(Integer::intValue).toArray();
    return new Table(file, header, hasLabel, rows.toArray(new double[0][]), y, lineNumbers);
  }

  private static boolean isNumber(String cell) {
    return FeatureValues.isDecimal(cell);
  }

  /**
   * {@code repr(float(v))} as Python 3 prints it: the shortest decimal that reads back to
   * {@code v}, positional when the decimal exponent is in {@code [-4, 16)}, otherwise
   * {@code d.ddde+XX}; {@code inf}, {@code -inf}, {@code nan} for the special values.
   */
  public static String pythonRepr(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0.0) {
      return (1.0 / v < 0) ? "-0.0" : "0.0";
    }
    // Double.toString reads back to v; strip it to its significant digits and exponent.
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exp10 = digits.length() - 1 - d.scale(); // v = d.ddd * 10^exp10
    StringBuilder sb = new StringBuilder(v < 0 ? "-" : "");
    if (exp10 >= -4 && exp10 < 16) {
      if (exp10 < 0) {
        sb.append("0.");
        sb.append("0".repeat(-exp10 - 1));
        sb.append(digits);
      } else if (digits.length() <= exp10 + 1) {
        sb.append(digits).append("0".repeat(exp10 + 1 - digits.length())).append(".0");
      } else {
        sb.append(digits, 0, exp10 + 1).append('.').append(digits.substring(exp10 + 1));
      }
    } else {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits.substring(1));
      }
      sb.append('e').append(exp10 < 0 ? '-' : '+');
      int a = Math.abs(exp10);
      if (a < 10) {
        sb.append('0');
      }
      sb.append(a);
    }
    return sb.toString();
  }
}
