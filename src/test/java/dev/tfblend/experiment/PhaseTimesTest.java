package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link PhaseTimes}: phases in the order first named, repeated phases summed, a total. */
class PhaseTimesTest {
  @Test
  void phasesSumTheirPartsAndAddUpToTheTotal() throws InterruptedException {
    PhaseTimes t = PhaseTimes.start();
    Thread.sleep(30);
    t.end("search");
    Thread.sleep(20);
    t.end("final runs");
    Thread.sleep(30);
    t.end("search");
    String line = t.line();
    assertTrue(line.startsWith("timings: launch "), line);
    Matcher m = Pattern.compile("([a-z ]+) (\\d+\\.\\d\\d) s").matcher(line.substring("timings: ".length()));
    List<String> names = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1).strip());
      seconds.add(Double.parseDouble(m.group(2)));
    }
    assertEquals(List.of("launch", "search", "final runs", "total"), names, line);
    assertTrue(seconds.get(1) >= 0.06, "search holds both parts: " + line);
    assertTrue(seconds.get(2) >= 0.02, line);
    double parts = seconds.get(0) + seconds.get(1) + seconds.get(2);
    // rounding of four figures, plus the moment between the last end and the line
    assertEquals(parts, seconds.get(3), 0.05, "the total is launch plus the phases: " + line);
  }
}
