package dev.tfblend.data;

import java.util.regex.Pattern;

/**
 * The one rule for a feature value read from a file, shared by every reader of feature files
 * (data set CSVs for {@code train} and {@code predict}, feature files for {@code gate}): a plain
 * decimal number ({@code 12}, {@code -0.5}, {@code .5}, {@code 1.5e-05}) with a finite value
 * ({@link #parse}); where it goes into a model, which computes in float32, it must also be
 * finite as a float32 ({@link #toFloat32}).
 *
 * <p>Refused: {@code NaN}, {@code Infinity}, {@code inf}, {@code 1e400}, Java-only spellings
 * {@link Double#parseDouble} would accept ({@code 0x1p3}, {@code 1.5f}, {@code 2d}), and for a
 * model numbers beyond float32's range such as {@code 1e39}. Callers name the file, line and
 * column; this class says what is wrong with the value.
 */
public final class FeatureValues {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private FeatureValues() {}

  /** True when {@code cell} (surrounding blanks ignored) is written as a plain decimal number. */
  public static boolean isDecimal(String cell) {
    return DECIMAL.matcher(cell.strip()).matches();
  }

  /**
   * The value of {@code cell} (surrounding blanks ignored).
   *
   * @throws IllegalArgumentException with the reason (for example {@code 'NaN' is not a number}),
   *     when the cell breaks the rule
   */
  public static double parse(String cell) {
    String text = cell.strip();
    if (!isDecimal(text)) {
      throw new IllegalArgumentException("'" + text + "' is not a number");
    }
    double value = Double.parseDouble(text);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(text + " is not a finite number");
    }
    return value;
  }

  /**
   * {@code value} as a float32, when it is finite as one.
   *
   * @param text how the value was written, for the message
   * @throws IllegalArgumentException naming {@code text} when it is not
   */
  public static float toFloat32(double value, String text) {
    float f = (float) value;
    if (!Float.isFinite(f)) {
      throw new IllegalArgumentException(text + " is not a finite float32 (|x| < 3.4e38)");
    }
    return f;
  }
}
