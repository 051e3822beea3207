package dev.tfblend.plot;

import java.util.Locale;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;

/** Builds the JFreeChart axis of a {@link ParamAxis}: log, linear or category, padded. */
final class AxisFactory {
  static {
    Headless.ensure();
  }

  private AxisFactory() {}

  /** An axis spanning {@code axis.paddedRange()} (categories: index -0.5 .. n-0.5). */
  static ValueAxis paramAxis(ParamAxis axis) {
    double[] range = axis.paddedRange();
    switch (axis.scale()) {
      case LOG -> {
        LogAxis log = new LogAxis(axis.name());
        log.setBase(10);
        log.setSmallestValue(Math.min(range[0], 1e-300));
        log.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
        // one tick per power of ten (LogAxis tick units are in exponents)
        log.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1), false, true);
        if (range[0] == range[1]) {
          log.setRange(range[0] / 2, range[1] * 2);
        } else {
          log.setRange(range[0], range[1]);
        }
        return log;
      }
      case CATEGORICAL -> {
        SymbolAxis sym = new SymbolAxis(axis.name(), axis.categories().toArray(String[]::new));
        sym.setRange(-0.5, axis.categories().size() - 0.5);
        sym.setGridBandsVisible(false);
        return sym;
      }
      default -> {
        NumberAxis lin = new NumberAxis(axis.name());
        lin.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
        if (range[0] == range[1]) {
          double w = Math.max(Math.abs(range[0]) * 0.1, 1e-9);
          lin.setRange(range[0] - w, range[1] + w);
        } else {
          lin.setRange(range[0], range[1]);
        }
        return lin;
      }
    }
  }

}
