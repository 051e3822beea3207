package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrozenTrialTest {
  private static final FloatDistribution X = FloatDistribution.of(0, 1);

  private static FrozenTrial running() {
    return FrozenTrial.template(TrialState.RUNNING, null, Map.of("x", 0.5), Map.of("x", X),
            Map.of("u", 1), Map.of("s", "a"))
        .withIdentity(7, 3)
        .withDatetimes(Instant.ofEpochSecond(100), null);
  }

  @Test
  void eachWitherChangesOnlyItsFields() {
    FrozenTrial t = running();
    FrozenTrial done = t.withState(TrialState.COMPLETE, 2.0);
    assertEquals(new FrozenTrial(7, 3, TrialState.COMPLETE, 2.0, t.datetimeStart(), null,
        t.params(), t.distributions(), t.intermediateValues(), t.userAttrs(), t.systemAttrs()), done);
    FrozenTrial y = t.withParam("y", 4, IntDistribution.of(0, 9));
    assertEquals(List.of("x", "y"), List.copyOf(y.params().keySet()));
    assertEquals(4.0, y.internalParam("y"));
    FrozenTrial iv = t.withIntermediateValue(2, 0.25).withIntermediateValue(1, Double.NaN);
    assertEquals(List.of(1, 2), List.copyOf(iv.intermediateValues().keySet()));
    assertEquals(Map.of("u", 1, "v", List.of(1)), t.withUserAttr("v", List.of(1)).userAttrs());
    assertEquals(Map.of("s", "b"), t.withSystemAttr("s", "b").systemAttrs());
    FrozenTrial ended = t.withDatetimes(t.datetimeStart(), Instant.ofEpochSecond(160));
    assertEquals(Instant.ofEpochSecond(160), ended.datetimeComplete());
    assertEquals(running(), t, "the original snapshot is unchanged");
  }

  @Test
  void withersKeepTheRecordChecks() {
    FrozenTrial t = running();
    assertThrows(IllegalArgumentException.class, () -> t.withState(TrialState.COMPLETE, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> t.withUserAttr("o", new Object()));
  }
}
