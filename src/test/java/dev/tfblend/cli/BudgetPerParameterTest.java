package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tune --budget-per-parameter K}: each study runs K trials per tuned hyperparameter, and says so. */
class BudgetPerParameterTest {
  @TempDir Path tmp;

  private int run(StringWriter err, String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void trialsScaleWithTheSearchSpace() throws Exception {
    StringWriter err = new StringWriter();
    int code = run(err, "tune", "--config", "configs/smoke.json", "--optimizers", "Adam,SGD",
        "--budget-per-parameter", "1", "--epochs", "1", "--study", "b", "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("sm").toString(), "--quiet");
    assertEquals(0, code, err.toString());
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs/b/results.json").toFile());
    assertEquals(1, r.at("/optimizers/Adam/trials").size(), "Adam tunes lr: 1 x 1");
    assertEquals(2, r.at("/optimizers/SGD/trials").size(), "SGD tunes lr and momentum: 1 x 2");
    assertEquals(1, r.at("/config/budget_per_parameter").asInt());
    String report = Files.readString(tmp.resolve("runs/b/report.md"));
    assertTrue(report.contains("budget per parameter: 1 trials per tuned hyperparameter"), report);

    StringWriter bad = new StringWriter();
    assertEquals(2, run(bad, "tune", "--config", "configs/smoke.json", "--budget-per-parameter", "0",
        "--study", "c", "--runs-dir", tmp.resolve("runs").toString(), "--quiet"));
    assertTrue(bad.toString().contains("budget_per_parameter must be positive, got 0")
        || bad.toString().contains("--budget-per-parameter must be positive, got 0"), bad.toString());
  }
}
