package dev.tfblend.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TestResourcesTest {
  @Test
  void aMissingResourceFailsAndNamesItsPath() {
    AssertionError e =
        assertThrows(AssertionError.class, () -> TestResources.path("/reference/no-such-file.csv"));
    assertTrue(e.getMessage().contains("src/test/resources/reference/no-such-file.csv"), e.getMessage());
  }

  @Test
  void theReferenceDataIsOnTheClasspath() {
    assertEquals("t", TestResources.lines("/reference/mnist1d/t.csv").get(0));
    assertEquals(65, TestResources.lines("/reference/mnist1d/train_head.csv").size());
    assertTrue(TestResources.lines("/tune/optuna31-sampler-benchmark.md").stream()
        .anyMatch(l -> l.startsWith("| branin | TPE (univariate, default) |")));
  }
}
