package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.cli.TfBlendCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The meta-gradient of the gate (and the plain loss gradient) against central differences in
 * float64. Tolerance: maximum relative error below 1e-5 over 4 random directions and 6
 * coordinates (measured about 4e-7 for flat-gradients and 1e-7 for gradient-stats).
 */
class GradientCheckTest {

  private static void passes(GradientCheck.Report r) {
    assertEquals(GradientCheck.DIRECTIONS + GradientCheck.COORDINATES, r.checks().size());
    assertTrue(r.passed() && r.maxRelativeError() < 1e-5, r.toString());
    for (GradientCheck.Check c : r.checks()) {
      assertTrue(c.analytic() != 0 && Double.isFinite(c.numeric()), c.toString());
    }
  }

  @Test
  void metaGradientOfFlatGradientGateMatchesFiniteDifferences() {
    passes(GradientCheck.run("blended", "flat-gradients", 0, 1e-5));
  }

  @Test
  void metaGradientOfGradientStatsGateMatchesFiniteDifferences() {
    passes(GradientCheck.run("blended", "gradient-stats", 1, 1e-5));
  }

  @Test
  void lossGradientMatchesFiniteDifferences() {
    passes(GradientCheck.run("adam", null, 2, 1e-5));
  }

  @Test
  void aStepTooCoarseForDifferencesFailsTheCheck() {
    // h = 0.5 makes the differences wrong: the check must be able to fail
    GradientCheck.Report r = GradientCheck.run("blended", "gradient-stats", 1, 0.5);
    assertTrue(!r.passed() && r.maxRelativeError() > 1e-5, r.toString());
  }

  private static int cli(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void commandPrintsJsonReportAndExitsZero() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, cli(out, err, "gradcheck", "--gate-input", "gradient-stats", "--seed", "3"), err.toString());
    assertTrue(out.toString().contains("\"max_relative_error\"") && out.toString().contains("\"checks\""), out.toString());
  }

  @Test
  void commandRejectsUnknownGateInputWithExitTwo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(2, cli(out, err, "gradcheck", "--gate-input", "pixels"));
    assertTrue(err.toString().contains("unknown gate input mode 'pixels'"), err.toString());
    assertEquals(2, cli(out, err, "gradcheck", "--optimizer", "rmsprop"));
    assertTrue(err.toString().contains("--optimizer 'rmsprop'"), err.toString());
  }

  @Test
  void commandExitsOneWhenTheCheckFails() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(1, cli(out, err, "gradcheck", "--gate-input", "gradient-stats", "--seed", "1", "--step", "0.5"));
    assertTrue(out.toString().contains("\"passed\" : false"), out.toString());
  }
}
