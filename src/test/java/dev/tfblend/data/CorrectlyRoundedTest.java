package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CorrectlyRoundedTest {
  @Test
  void logAndExpEqualSixtyDigitDecimalRoundedOnce() {
    int n = 0;
    for (String line : GoldenFile.text("correctly-rounded.v1.txt").split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] p = line.trim().split(" ");
      double x = Double.parseDouble(p[0]);
      assertEquals(Double.parseDouble(p[1]), CorrectlyRounded.log(x), 0.0, "log " + x);
      assertEquals(Double.parseDouble(p[2]), CorrectlyRounded.exp(-x), 0.0, "exp " + -x);
      n++;
    }
    assertEquals(206, n);
  }

  @Test
  void gaussianKernelArgumentsWhereFdlibmIsOffByOneUlp() {
    // exp(-1/8) = 0.88249690258459540286..., exp(-25/8) = 0.04393693362340741732...
    assertEquals(0.8824969025845955, CorrectlyRounded.exp(-0.125), 0.0);
    assertEquals(0.04393693362340742, CorrectlyRounded.exp(-3.125), 0.0);
    assertEquals(0.0, CorrectlyRounded.log(1.0), 0.0);
  }
}
