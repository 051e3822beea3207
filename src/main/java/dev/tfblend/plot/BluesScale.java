package dev.tfblend.plot;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/**
 * Plotly's "Blues" colour scale, which Optuna's plots use for objective values and trial
 * numbers ({@code COLOR_SCALE}), mapped linearly over {@code [lower, upper]}.
 *
 * <p>Not reversed, low values are light and high values dark. Optuna reverses the scale for the
 * objective of a minimized study ({@code _is_reverse_scale}), so that the best trials are dark:
 * {@link #forObjective} does the same.
 */
public final class BluesScale implements PaintScale {
  static {
    Headless.ensure();
  }

  /** Plotly's Blues stops, at 0, 1/8, ..., 1. */
  static final Color[] STOPS = {
    new Color(247, 251, 255), new Color(222, 235, 247), new Color(198, 219, 239),
    new Color(158, 202, 225), new Color(107, 174, 214), new Color(66, 146, 198),
    new Color(33, 113, 181), new Color(8, 81, 156), new Color(8, 48, 107),
  };

  private final double lower;
  private final double upper;
  private final boolean reversed;

  /**
   * A scale over {@code [lower, upper]}; {@code reversed} puts the dark end at {@code lower}.
   * Equal bounds are allowed (every value then gets the middle colour).
   */
  public BluesScale(double lower, double upper, boolean reversed) {
    if (!Double.isFinite(lower) || !Double.isFinite(upper) || lower > upper) {
      throw new IllegalArgumentException(
          "colour scale bounds must be finite with lower <= upper, got " + lower + ", " + upper);
    }
    this.lower = lower;
    this.upper = upper;
    this.reversed = reversed;
  }

  /** The scale Optuna uses for objective values: reversed when {@code minimize}. */
  public static BluesScale forObjective(double lower, double upper, boolean minimize) {
    return over(lower, upper, minimize);
  }

  /**
   * A scale over {@code [lower, upper]}, widened around a single value (equal bounds) so that
   * a colour bar can be drawn; the value then gets the middle colour.
   */
  public static BluesScale over(double lower, double upper, boolean reversed) {
    if (lower == upper) {
      double d = Math.max(Math.abs(lower) * 0.01, 1e-6);
      return new BluesScale(lower - d, upper + d, reversed);
    }
    return new BluesScale(lower, upper, reversed);
  }

  @Override
  public double getLowerBound() {
    return lower;
  }

  @Override
  public double getUpperBound() {
    return upper;
  }

  /** Whether the dark end is at the lower bound. */
  public boolean reversed() {
    return reversed;
  }

  /** The fraction of the way from the light to the dark end, in [0, 1]. */
  public double fraction(double value) {
    double f = upper == lower ? 0.5 : (value - lower) / (upper - lower);
    f = Math.max(0, Math.min(1, Double.isNaN(f) ? 0.5 : f));
    return reversed ? 1 - f : f;
  }

  @Override
  public Paint getPaint(double value) {
    return color(value);
  }

  /** The colour of {@code value}, interpolated between Plotly's stops. */
  public Color color(double value) {
    double pos = fraction(value) * (STOPS.length - 1);
    int i = Math.min((int) Math.floor(pos), STOPS.length - 2);
    double t = pos - i;
    Color a = STOPS[i];
    Color b = STOPS[i + 1];
    return new Color(
        (int) Math.round(a.getRed() + t * (b.getRed() - a.getRed())),
        (int) Math.round(a.getGreen() + t * (b.getGreen() - a.getGreen())),
        (int) Math.round(a.getBlue() + t * (b.getBlue() - a.getBlue())));
  }
}
