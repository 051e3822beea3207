package dev.tfblend.plot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a box-and-whisker chart of one metric per group shows (for example the test loss of each
 * optimizer over repeats): a title, the value axis label, and each group's sample in display order.
 * Non-finite values are dropped from a sample; a group needs at least one finite value.
 * Immutable.
 *
 * @param title chart title (not blank)
 * @param valueLabel the value axis label
 * @param groups group name to its values, in display order (not empty)
 */
public record BoxPlotChartData(String title, String valueLabel, Map<String, List<Double>> groups) {

  /** Title of the test-loss box plot of a tune run. */
  public static final String TEST_LOSS_TITLE = "Test loss per optimizer over final runs";
  /** Title of the test-loss box plot of a tune run with several repeats (one value per repeat). */
  public static final String TEST_LOSS_REPEATS_TITLE = "Test loss per optimizer over repeats";
  /** Value label of the test-loss box plot. */
  public static final String TEST_LOSS_LABEL = "Test loss (cross-entropy)";

  public BoxPlotChartData {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank");
    }
    if (valueLabel == null) {
      throw new IllegalArgumentException("valueLabel must not be null");
    }
    if (groups == null || groups.isEmpty()) {
      throw new IllegalArgumentException("groups must not be empty");
    }
    Map<String, List<Double>> copy = new LinkedHashMap<>();
    groups.forEach((name, values) -> {
      List<Double> finite = new ArrayList<>();
      for (Double v : values) {
        if (v != null && Double.isFinite(v)) {
          finite.add(v);
        }
      }
      if (finite.isEmpty()) {
        throw new IllegalArgumentException("group '" + name + "' has no finite value");
      }
      copy.put(name, List.copyOf(finite));
    });
    groups = Collections.unmodifiableMap(copy);
  }

  /** The test-loss box plot: title {@value #TEST_LOSS_TITLE}, label {@value #TEST_LOSS_LABEL}. */
  public static BoxPlotChartData testLoss(Map<String, List<Double>> groups) {
    return new BoxPlotChartData(TEST_LOSS_TITLE, TEST_LOSS_LABEL, groups);
  }

  /**
   * The test-loss box plot over repeats (each value one repeat's test loss): title {@value
   * #TEST_LOSS_REPEATS_TITLE}, label {@value #TEST_LOSS_LABEL}.
   */
  public static BoxPlotChartData testLossOverRepeats(Map<String, List<Double>> groups) {
    return new BoxPlotChartData(TEST_LOSS_REPEATS_TITLE, TEST_LOSS_LABEL, groups);
  }
}
