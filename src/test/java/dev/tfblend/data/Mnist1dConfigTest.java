package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import org.junit.jupiter.api.Test;

class Mnist1dConfigTest {
  private static final Mnist1dConfig D = Mnist1dConfig.defaults();

  private static Mnist1dConfig with(int numSamples, double split, int templateLen, int low,
      int high, int maxTranslation, double noise, int finalLen, long seed) {
    return new Mnist1dConfig(numSamples, split, templateLen, low, high, 0.4, maxTranslation,
        noise, 0.02, 0.75, false, finalLen, seed);
  }

  private static String error(Runnable r) {
    return assertThrows(BadInputException.class, r::run).getMessage();
  }

  @Test
  void defaultsAreTheOfficialArguments() {
    assertEquals(5000, D.numSamples());
    assertEquals(0.8, D.trainSplit());
    assertEquals(12, D.templateLen());
    assertArrayEquals(new int[] {36, 60}, D.padding());
    assertEquals(48, D.maxTranslation());
    assertEquals(40, D.finalSeqLength());
    assertEquals(42, D.seed());
    assertEquals(4000, D.trainSize());
    assertEquals(72, D.dilatedLength());
  }

  @Test
  void badArgumentsNameTheArgument() {
    assertTrue(error(() -> with(-5, 0.8, 12, 36, 60, 48, 0.25, 40, 42)).startsWith("numSamples"));
    assertTrue(error(() -> with(5000, 1.0, 12, 36, 60, 48, 0.25, 40, 42)).startsWith("trainSplit"));
    assertTrue(error(() -> with(5000, 0.0, 12, 36, 60, 48, 0.25, 40, 42)).startsWith("trainSplit"));
    assertTrue(error(() -> with(5000, 0.8, -1, 36, 60, 48, 0.25, 40, 42)).startsWith("templateLen"));
    assertTrue(error(() -> with(5000, 0.8, 12, -1, 60, 48, 0.25, 40, 42)).startsWith("padding"));
    String lowHigh = error(() -> with(5000, 0.8, 12, 61, 60, 48, 0.25, 40, 42));
    assertTrue(lowHigh.startsWith("padding low must be <= padding high"), lowHigh);
    assertTrue(error(() -> with(5000, 0.8, 12, 36, 60, 0, 0.25, 40, 42)).startsWith("maxTranslation"));
    assertTrue(error(() -> with(5000, 0.8, 12, 36, 60, 48, -0.1, 40, 42)).startsWith("corrNoiseScale"));
    assertTrue(error(() -> with(5000, 0.8, 12, 36, 60, 48, Double.NaN, 40, 42)).startsWith("corrNoiseScale"));
    assertTrue(error(() -> with(5000, 0.8, 12, 36, 60, 48, 0.25, 1, 42)).startsWith("finalSeqLength"));
    assertTrue(error(() -> with(5000, 0.8, 12, 36, 60, 48, 0.25, 40, -1)).startsWith("seed"));
    assertTrue(error(() -> with(5000, 0.8, 0, 0, 1, 48, 0.25, 40, 42)).startsWith("templateLen + padding"));
  }

  @Test
  void jsonUsesTheOfficialPaddingPairAndRoundTrips() throws Exception {
    ObjectMapper m = new ObjectMapper();
    String json = m.writeValueAsString(D.withSeed(7));
    assertTrue(json.contains("\"padding\":[36,60]"), json);
    assertTrue(!json.contains("paddingLow") && !json.contains("trainSize"), json);
    assertEquals(D.withSeed(7), m.readValue(json, Mnist1dConfig.class));
    Mnist1dConfig partial = m.readValue("{\"seed\": 3, \"padding\": [1, 2]}", Mnist1dConfig.class);
    assertEquals(3, partial.seed());
    assertEquals(1, partial.paddingLow());
    assertEquals(5000, partial.numSamples());
  }

  @Test
  void otherArgumentsGenerateConsistentShapes() {
    Mnist1dConfig c = new Mnist1dConfig(205, 0.5, 5, 0, 3, 0.1, 200, 0.1, 0.01, 0.2, true, 7, 9);
    Mnist1dData d = Mnist1d.generate(c);
    assertEquals(100, d.train().size());
    assertEquals(100, d.test().size());
    assertEquals(7, d.train().numFeatures());
    assertEquals(7, d.t().length);
    double sum = 0;
    double sq = 0;
    for (Dataset ds : new Dataset[] {d.train(), d.test()}) {
      for (double[] row : ds.x()) {
        for (double v : row) {
          sum += v;
          sq += v * v;
        }
      }
    }
    assertEquals(0.0, sum / 1400, 1e-12, "centred over train and test together");
    assertEquals(1.0, sq / 1400, 1e-12, "unit variance over train and test together");
    assertEquals(Mnist1d.generate(c).test().x()[5][3], d.test().x()[5][3], 0.0, "deterministic");
  }
}
