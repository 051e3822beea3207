package dev.tfblend.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedComparisonTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void directionDecidesWhoIsBetter() {
    double[] a = {0.5, 0.7, 0.6};
    double[] b = {0.6, 0.6, 0.6};
    assertEquals(1, PairedComparison.of("a", "b", "test_loss", Better.LOWER, a, b).aBetter());
    assertEquals(1, PairedComparison.of("a", "b", "test_accuracy", Better.HIGHER, a, b).aBetter());
    // the tie (0.6, 0.6) counts for neither side, so the sign test sees 2 pairs
    assertEquals(1.0, PairedComparison.of("a", "b", "test_loss", Better.LOWER, a, b).signP());
  }

  @Test
  void serialisesWithTheIssueFieldNames() throws Exception {
    PairedComparison p = PairedComparison.of("DynamicBlended", "Adam", "test_loss", Better.LOWER,
        new double[] {1.1, 1.2, 1.3}, new double[] {1.2, 1.25, 1.5});
    JsonNode n = json.readTree(json.writeValueAsString(p));
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("a", "b", "metric", "better", "n", "mean_diff", "ci95", "a_better",
        "wilcoxon_p", "sign_p", "t_p"), names);
    assertEquals("lower", n.get("better").asText());
    assertTrue(n.get("ci95").isArray());
    assertEquals(2, n.get("ci95").size());
    assertEquals(p.ci95().lo(), n.get("ci95").get(0).asDouble(), 0.0);
    assertEquals(3, n.get("a_better").asInt());
  }

  @Test
  void undefinedFiguresAreJsonNull() throws Exception {
    JsonNode s = json.readTree(json.writeValueAsString(Summary.of(1.5)));
    assertTrue(s.get("sd").isNull());
    assertTrue(s.get("ci95").isNull());
    JsonNode p = json.readTree(json.writeValueAsString(PairedComparison.of("a", "b", "val_loss",
        Better.LOWER, new double[] {1.0, 2.0}, new double[] {1.0, 2.0})));
    assertTrue(p.get("wilcoxon_p").isNull());
    assertTrue(p.get("sign_p").isNull());
    assertTrue(p.get("t_p").isNull());
    assertEquals(0.0, p.get("mean_diff").asDouble(), 0.0);
  }

  @Test
  void summaryRoundTripsThroughJson() throws Exception {
    Summary s = Summary.of(1.0, 1.5, 2.25);
    assertEquals(s, json.readValue(json.writeValueAsString(s), Summary.class));
  }

  @Test
  void badInputIsRefusedWithItsName() {
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> PairedComparison.of("Adam", "SGD", "test_loss", Better.LOWER, new double[] {1}, new double[] {1, 2}));
    assertEquals("paired samples differ in length: Adam has 1, SGD has 2", length.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> PairedComparison.of("Adam", "SGD", "test_loss", Better.LOWER, new double[] {1, Double.NaN}, new double[] {1, 2}));
    assertEquals("Adam[1] must be finite, got NaN", nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Summary.of());
    assertThrows(IllegalArgumentException.class,
        () -> PairedComparison.of("a", "b", "m", Better.LOWER, new double[0], new double[0]));
  }
}
