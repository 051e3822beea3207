package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DistributionTest {

  @Test
  void writesOptunaJson() {
    assertEquals(
        "{\"name\":\"FloatDistribution\",\"attributes\":{\"step\":null,\"low\":-10.0,\"high\":10.0,\"log\":false}}",
        FloatDistribution.of(-10, 10).toJson());
    assertEquals(
        "{\"name\":\"FloatDistribution\",\"attributes\":{\"step\":null,\"low\":1e-05,\"high\":0.1,\"log\":true}}",
        new FloatDistribution(1e-5, 0.1, true, null).toJson());
    assertEquals(
        "{\"name\":\"IntDistribution\",\"attributes\":{\"log\":false,\"step\":5,\"low\":0,\"high\":100}}",
        new IntDistribution(0, 100, false, 5).toJson());
    assertEquals(
        "{\"name\":\"CategoricalDistribution\",\"attributes\":{\"choices\":[\"adam\",\"sgd\",null,3,2.5,true]}}",
        CategoricalDistribution.of("adam", "sgd", null, 3, 2.5, true).toJson());
  }

  @Test
  void writesFloatsAsPythonRepr() {
    assertEquals("0.0001", PyJson.pyFloat(1e-4));
    assertEquals("1e-05", PyJson.pyFloat(1e-5));
    assertEquals("1.5e-07", PyJson.pyFloat(1.5e-7));
    assertEquals("1000000000000000.0", PyJson.pyFloat(1e15));
    assertEquals("1e+16", PyJson.pyFloat(1e16));
    assertEquals("0.1", PyJson.pyFloat(0.1));
    assertEquals("0.30000000000000004", PyJson.pyFloat(0.1 + 0.2));
    assertEquals("-2.5", PyJson.pyFloat(-2.5));
    assertEquals("Infinity", PyJson.pyFloat(Double.POSITIVE_INFINITY));
  }

  @Test
  void readsOptunaJsonInAnyOrderAndLegacyNames() {
    assertEquals(
        new FloatDistribution(-10, 10, false, null),
        Distribution.fromJson(
            "{\"name\": \"FloatDistribution\", \"attributes\": {\"log\": false, \"high\": 10.0, \"low\": -10.0, \"step\": null}}"));
    assertEquals(
        new FloatDistribution(1e-3, 1, true, null),
        Distribution.fromJson("{\"name\":\"LogUniformDistribution\",\"attributes\":{\"low\":0.001,\"high\":1.0}}"));
    assertEquals(
        new FloatDistribution(0, 1, false, 0.25),
        Distribution.fromJson(
            "{\"name\":\"DiscreteUniformDistribution\",\"attributes\":{\"low\":0.0,\"high\":1.0,\"q\":0.25}}"));
    assertEquals(
        new IntDistribution(1, 9, false, 2),
        Distribution.fromJson("{\"name\":\"IntUniformDistribution\",\"attributes\":{\"low\":1,\"high\":9,\"step\":2}}"));
    assertEquals(
        CategoricalDistribution.of("a", null, 3, 2.5, false),
        Distribution.fromJson(
            "{\"name\":\"CategoricalDistribution\",\"attributes\":{\"choices\":[\"a\",null,3,2.5,false]}}"));
    assertThrows(IllegalArgumentException.class, () -> Distribution.fromJson("{\"name\":\"Nope\",\"attributes\":{}}"));
    assertThrows(IllegalArgumentException.class, () -> Distribution.fromJson("not json"));
  }

  @Test
  void adjustsHighToTheStepGridAsOptunaDoes() {
    assertEquals(0.9, new FloatDistribution(0.0, 1.0, false, 0.3).high(), 1e-15);
    assertEquals(0.99, new FloatDistribution(0.5, 0.99, false, 0.01).high());
    assertEquals(9, new IntDistribution(1, 10, false, 2).high());
  }

  @Test
  void containsChecksRangeAndGrid() {
    FloatDistribution f = new FloatDistribution(0.5, 0.99, false, 0.01);
    assertTrue(f.contains(0.93));
    assertFalse(f.contains(0.935));
    assertFalse(f.contains(1.0));
    IntDistribution i = new IntDistribution(8, 256, false, 8);
    assertTrue(i.contains(136));
    assertFalse(i.contains(137));
    assertFalse(i.contains(136.5));
    CategoricalDistribution c = CategoricalDistribution.of("a", "b");
    assertTrue(c.contains(1));
    assertFalse(c.contains(2));
    assertFalse(c.contains(0.5));
  }

  @Test
  void convertsBetweenExternalAndInternal() {
    CategoricalDistribution c = new CategoricalDistribution(Arrays.asList("a", null, 3L, 2.5f));
    assertEquals(1.0, c.toInternal(null));
    assertEquals(2.0, c.toInternal(3));
    assertEquals(3.0, c.toInternal(2.5));
    assertEquals(3, c.toExternal(2));
    assertThrows(IllegalArgumentException.class, () -> c.toInternal("zzz"));
    IntDistribution i = IntDistribution.of(0, 10);
    assertEquals(7, i.toExternal(7.0));
    assertThrows(IllegalArgumentException.class, () -> i.toInternal(2.5));
    assertEquals(0.25, FloatDistribution.of(0, 1).toExternal(0.25));
  }

  @Test
  void rejectsInvalidDistributions() {
    assertThrows(IllegalArgumentException.class, () -> new FloatDistribution(1, 0, false, null));
    assertThrows(IllegalArgumentException.class, () -> new FloatDistribution(0, 1, true, null));
    assertThrows(IllegalArgumentException.class, () -> new FloatDistribution(0.1, 1, true, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new IntDistribution(0, 10, true, 1));
    assertThrows(IllegalArgumentException.class, () -> new IntDistribution(1, 10, true, 2));
    assertThrows(IllegalArgumentException.class, () -> new CategoricalDistribution(java.util.List.of()));
  }

  @Test
  void compatibilityFollowsOptuna() {
    Distribution.checkCompatibility("x", FloatDistribution.of(0, 1), FloatDistribution.of(-1, 2));
    assertThrows(
        IllegalArgumentException.class,
        () -> Distribution.checkCompatibility("x", FloatDistribution.of(0, 1), IntDistribution.of(0, 1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Distribution.checkCompatibility("x", FloatDistribution.of(0.1, 1), new FloatDistribution(0.1, 1, true, null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Distribution.checkCompatibility("x", CategoricalDistribution.of("a"), CategoricalDistribution.of("a", "b")));
  }
}
