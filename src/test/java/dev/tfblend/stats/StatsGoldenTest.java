package dev.tfblend.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Summaries and paired comparisons against {@code golden/stats.v1.json}, written by
 * {@code golden/make_stats_golden.py} with numpy and scipy 1.10: means and standard deviations
 * from numpy, t intervals with the t quantile from {@code scipy.special.betaincinv}, paired t and
 * sign-test p-values from scipy, Wilcoxon p-values from scipy's exact and approximate modes or,
 * with zeros or ties, from brute-force enumeration of all sign assignments.
 */
class StatsGoldenTest {
  /** Means, sums, standard deviations: a few ulps of the values involved. */
  private static final double TIGHT = 1e-13;
  /** Quantile- and CDF-based figures (t interval, t and sign p-values). */
  private static final double DIST = 1e-12;

  private static JsonNode golden() throws IOException {
    try (InputStream in = StatsGoldenTest.class.getResourceAsStream("/golden/stats.v1.json")) {
      assertNotNull(in, "golden/stats.v1.json missing from test resources");
      return new ObjectMapper().readTree(in);
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return v;
  }

  private static void close(String what, JsonNode expected, Double actual, double relTol) {
    if (expected.isNull()) {
      assertNull(actual, what + " should be null");
      return;
    }
    assertNotNull(actual, what + " should be " + expected.asDouble());
    close(what, expected.asDouble(), actual, relTol);
  }

  private static void close(String what, double expected, double actual, double relTol) {
    double tol = relTol * Math.max(1.0, Math.abs(expected));
    assertEquals(expected, actual, tol, what);
  }

  private static void interval(String what, JsonNode expected, Interval actual) {
    if (expected.isNull()) {
      assertNull(actual, what + " should be null");
      return;
    }
    assertNotNull(actual, what);
    close(what + " lo", expected.get(0).asDouble(), actual.lo(), DIST);
    close(what + " hi", expected.get(1).asDouble(), actual.hi(), DIST);
  }

  @TestFactory
  Stream<DynamicTest> summariesMatchScipy() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : golden().get("summaries")) {
      double[] v = doubles(c.get("values"));
      tests.add(DynamicTest.dynamicTest("summary n=" + v.length + " " + c.get("values"), () -> {
        Summary s = Summary.of(v);
        assertEquals(c.get("n").asInt(), s.n());
        close("mean", c.get("mean").asDouble(), s.mean(), TIGHT);
        close("sd", c.get("sd"), s.sd(), TIGHT);
        interval("ci95", c.get("ci95"), s.ci95());
      }));
    }
    assertTrue(tests.size() >= 5);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> pairedComparisonsMatchScipy() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : golden().get("paired")) {
      String name = c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name + " (wilcoxon: " + c.get("wilcoxon_source").asText() + ")", () -> {
        Better better = c.get("better").asText().equals("lower") ? Better.LOWER : Better.HIGHER;
        PairedComparison p = PairedComparison.of("A", "B", "test_loss", better,
            doubles(c.get("a")), doubles(c.get("b")));
        assertEquals(c.get("n").asInt(), p.n(), "n");
        close("mean_diff", c.get("mean_diff").asDouble(), p.meanDiff(), TIGHT);
        interval("ci95", c.get("ci95"), p.ci95());
        assertEquals(c.get("a_better").asInt(), p.aBetter(), "a_better");
        // exact p-values are ratios of integer counts: equal up to scipy's float summation
        close("wilcoxon_p", c.get("wilcoxon_p"), p.wilcoxonP(), c.get("n").asInt() > 50 ? DIST : TIGHT);
        close("sign_p", c.get("sign_p"), p.signP(), DIST);
        close("t_p", c.get("t_p"), p.tP(), DIST);
      }));
    }
    assertTrue(tests.size() >= 10);
    return tests.stream();
  }
}
