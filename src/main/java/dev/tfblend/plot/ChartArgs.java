package dev.tfblend.plot;

import dev.tfblend.tune.StudyDirection;

/** The argument checks shared by the charts that plot a study's completed trials. */
final class ChartArgs {
  private ChartArgs() {}

  /**
   * Checks a trial chart's arguments.
   *
   * @throws IllegalArgumentException when {@code name} is blank, {@code direction} is neither
   *     MINIMIZE nor MAXIMIZE, or {@code points} is null
   */
  static void checkTrialChart(String name, StudyDirection direction, TrialPoints points) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (direction == null || direction == StudyDirection.NOT_SET) {
      throw new IllegalArgumentException("direction must be MINIMIZE or MAXIMIZE");
    }
    if (points == null) {
      throw new IllegalArgumentException("points must not be null");
    }
  }
}
