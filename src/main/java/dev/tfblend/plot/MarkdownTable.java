package dev.tfblend.plot;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A GitHub-flavoured markdown table built row by row, with numbers formatted one way throughout.
 *
 * <p>Cells may be any object. {@link Float}/{@link Double} values are written with
 * {@code decimals} digits after the point (default 4) when {@code 1e-3 <= |x| < 1e6} or
 * {@code x == 0}, and otherwise in scientific notation with {@code decimals - 1} digits after
 * the point: {@code 0.7656}, {@code 12.0000}, {@code 3.162e-05}, {@code 2.500e+06}. NaN is
 * {@code NaN}, infinities {@code inf}/{@code -inf}. Integer types are written in full. Null
 * is written as an em dash. Text has {@code |} escaped and line breaks replaced by spaces.
 * Columns whose non-null cells are all numbers are right-aligned. Cells are padded so the
 * markdown source lines up too.
 *
 * <pre>{@code
 * String md = new MarkdownTable("optimizer", "val loss")
 *     .addRow("Adam", 1.0807)
 *     .addRow("SGD", null)
 *     .render();
 * }</pre>
 *
 * Not thread-safe.
 */
public final class MarkdownTable {
  private static final String NULL_CELL = "\u2014";

  private final List<String> header;
  private final List<Object[]> rows = new ArrayList<>();
  private int decimals = 4;

  /** A table with these column names (at least one). */
  public MarkdownTable(String... header) {
    this(Arrays.asList(header));
  }

  /** A table with these column names (at least one). */
  public MarkdownTable(List<String> header) {
    if (header == null || header.isEmpty()) {
      throw new IllegalArgumentException("header must name at least one column");
    }
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i) == null) {
        throw new IllegalArgumentException("header[" + i + "] must not be null");
      }
    }
    this.header = List.copyOf(header);
  }

  /** Digits after the decimal point for floating-point cells (1..12); default 4. */
  public MarkdownTable decimals(int decimals) {
    if (decimals < 1 || decimals > 12) {
      throw new IllegalArgumentException("decimals must be in [1,12], got " + decimals);
    }
    this.decimals = decimals;
    return this;
  }

  /** Adds a row with one cell per column. */
  public MarkdownTable addRow(Object... cells) {
    Object[] row = cells == null ? new Object[] {null} : cells.clone();
    if (row.length != header.size()) {
      throw new IllegalArgumentException(
          "row " + (rows.size() + 1) + " has " + row.length + " cells but the header has "
              + header.size() + " columns");
    }
    rows.add(row);
    return this;
  }

  /** Adds a row with one cell per column. */
  public MarkdownTable addRow(List<?> cells) {
    return addRow(cells.toArray());
  }

  /** Number of rows added so far (the header not counted). */
  public int rowCount() {
    return rows.size();
  }

  /** Formats one number as this table formats floating-point cells. */
  public String formatNumber(double x) {
    if (Double.isNaN(x)) {
      return "NaN";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    double abs = Math.abs(x);
    if (x == 0 || (abs >= 1e-3 && abs < 1e6)) {
      String s = String.format(Locale.ROOT, "%." + decimals + "f", x);
      // "-0.0000" says nothing a reader can use that "0.0000" does not
      return s.startsWith("-") && new BigDecimal(s).signum() == 0 ? s.substring(1) : s;
    }
    return String.format(Locale.ROOT, "%." + (decimals - 1) + "e", x);
  }

  /** The table as markdown: header line, alignment line, one line per row, each ending in \n. */
  public String render() {
    int cols = header.size();
    String[][] text = new String[rows.size()][cols];
    boolean[] numeric = new boolean[cols];
    Arrays.fill(numeric, true);
    boolean[] anyValue = new boolean[cols];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols; c++) {
        Object v = rows.get(r)[c];
        text[r][c] = cell(v);
        if (v != null) {
          anyValue[c] = true;
          numeric[c] &= v instanceof Number;
        }
      }
    }
    int[] width = new int[cols];
    String[] head = new String[cols];
    for (int c = 0; c < cols; c++) {
      numeric[c] &= anyValue[c];
      head[c] = escape(header.get(c));
      width[c] = Math.max(3, head[c].length());
      for (String[] row : text) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, head, width, numeric);
    sb.append('|');
    for (int c = 0; c < cols; c++) {
      sb.append(' ');
      sb.append("-".repeat(numeric[c] ? width[c] - 1 : width[c]));
      sb.append(numeric[c] ? ":" : "").append(" |");
    }
    sb.append('\n');
    for (String[] row : text) {
      line(sb, row, width, numeric);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  private static void line(StringBuilder sb, String[] cells, int[] width, boolean[] right) {
    sb.append('|');
    for (int c = 0; c < cells.length; c++) {
      String pad = " ".repeat(width[c] - cells[c].length());
      sb.append(' ');
      sb.append(right[c] ? pad + cells[c] : cells[c] + pad);
      sb.append(" |");
    }
    sb.append('\n');
  }

  private String cell(Object v) {
    if (v == null) {
      return NULL_CELL;
    }
    if (v instanceof Double || v instanceof Float) {
      return formatNumber(((Number) v).doubleValue());
    }
    return escape(String.valueOf(v));
  }

  private static String escape(String s) {
    return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
  }
}
