package dev.tfblend.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import dev.tfblend.InputLimits;
import dev.tfblend.data.FeatureValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads feature vectors for the gate: a CSV of numbers (an optional header line, recognised by
 * none of its cells being a number) or JSON lines (each line {@code [..]} or {@code {"features": [..]}}).
 * The format is chosen by the first non-blank line: {@code [} or {@code {} means JSON lines.
 * Blank lines are skipped. Every vector must have {@code width} values, each as
 * {@link FeatureValues} states (the rule {@code predict} applies too). The file may be at most
 * {@link InputLimits#MAX_DATA_FILE_BYTES} bytes; a leading byte order mark is ignored.
 *
 * <p>Errors are {@link BadInputException}s naming the file and the 1-based line.
 */
final class FeatureRows {
  private FeatureRows() {}

  static float[][] read(Path file, int width) {
    List<String> lines = InputLimits.readLines(file, InputLimits.MAX_DATA_FILE_BYTES);
    String first = lines.stream().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse("");
    List<float[]> rows = first.startsWith("[") || first.startsWith("{")
        ? jsonLines(file, lines, width) : csv(file, lines, width);
    if (rows.isEmpty()) {
      throw BadInputException.of("%s: no feature vectors", file);
    }
    return rows.toArray(new float[0][]);
  }

  private static List<float[]> csv(Path file, List<String> lines, int width) {
    List<float[]> rows = new ArrayList<>();
    boolean seenFirst = false;
    for (int li = 0; li < lines.size(); li++) {
      String line = lines.get(li).strip();
      if (line.isEmpty()) {
        continue;
      }
      int lineNo = li + 1;
      String[] cells = line.split(",", -1);
      if (!seenFirst) {
        seenFirst = true;
        if (isHeader(cells)) {
          if (cells.length != width) {
            throw BadInputException.of("%s line %d (header): %d columns, the gate takes %d features",
                file, lineNo, cells.length, width);
          }
          continue;
        }
      }
      if (cells.length != width) {
        throw BadInputException.of("%s line %d: %d values, the gate takes %d features",
            file, lineNo, cells.length, width);
      }
      float[] row = new float[width];
      for (int j = 0; j < width; j++) {
        try {
          row[j] = FeatureValues.toFloat32(FeatureValues.parse(cells[j]), cells[j].strip());
        } catch (IllegalArgumentException e) {
          throw BadInputException.of("%s line %d column %d: %s", file, lineNo, j + 1, e.getMessage());
        }
      }
      rows.add(row);
    }
    return rows;
  }

  /**
   * A first line is a header only when none of its cells is a number; a line with some numbers
   * is data, so a typo in it is reported rather than the row silently dropped.
   */
  private static boolean isHeader(String[] cells) {
    for (String c : cells) {
      if (FeatureValues.isDecimal(c)) {
        return false;
      }
    }
    return true;
  }

  private static List<float[]> jsonLines(Path file, List<String> lines, int width) {
    // big decimals keep how an out-of-range number was written, for the message
    ObjectMapper mapper = new ObjectMapper().enable(
        com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    List<float[]> rows = new ArrayList<>();
    for (int li = 0; li < lines.size(); li++) {
      String line = lines.get(li).strip();
      if (line.isEmpty()) {
        continue;
      }
      int lineNo = li + 1;
      JsonNode node;
      try {
        node = mapper.readTree(line);
      } catch (JsonProcessingException e) {
        throw BadInputException.of("%s line %d: not JSON (%s)", file, lineNo, e.getOriginalMessage());
      }
      JsonNode values = node.isObject() ? node.get("features") : node;
      if (values == null || !values.isArray()) {
        throw BadInputException.of("%s line %d: expected [numbers] or {\"features\": [numbers]}",
            file, lineNo);
      }
      if (values.size() != width) {
        throw BadInputException.of("%s line %d: %d values, the gate takes %d features",
            file, lineNo, values.size(), width);
      }
      float[] row = new float[width];
      for (int j = 0; j < width; j++) {
        JsonNode v = values.get(j);
        if (!v.isNumber()) {
          throw BadInputException.of("%s line %d element %d: %s is not a number",
              file, lineNo, j + 1, v);
        }
        try {
          row[j] = FeatureValues.toFloat32(v.doubleValue(), v.toString());
        } catch (IllegalArgumentException e) {
          throw BadInputException.of("%s line %d element %d: %s", file, lineNo, j + 1, e.getMessage());
        }
      }
      rows.add(row);
    }
    return rows;
  }
}
