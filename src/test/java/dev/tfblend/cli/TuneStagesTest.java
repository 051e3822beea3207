package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tune --stage search|final}: the search alone writes no outputs; the final stage is
 * refused while a budget is unmet (unless {@code --force}), ignores trials another tool added
 * outside the search space (one warning naming them), and runs once per launch.
 */
class TuneStagesTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private String[] tune(String... more) {
    List<String> args = new ArrayList<>(List.of("tune", "--config", "configs/smoke.json", "--optimizers", "Adam",
        "--study", "st", "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void searchThenFinalWithForeignTrialsLeftOut() throws Exception {
    Path runDir = tmp.resolve("runs/st");
    assertEquals(0, run(tune("--trials", "2", "--stage", "search")), err.toString());
    assertTrue(err.toString().contains("search done: Adam 2/2 finished trials"), err.toString());
    assertFalse(Files.exists(runDir.resolve("results.json")), "the search writes no outputs");

    // a larger budget is not met yet: the final stage is refused unless forced
    assertEquals(2, run(tune("--trials", "3", "--stage", "final")), err.toString());
    assertTrue(err.toString().contains("budget of --study st is unmet (st-Adam 2/3 finished trials)"), err.toString());
    assertFalse(Files.exists(runDir.resolve("results.json")));

    // a trial added by another tool with lr = 5.0, outside log[1e-4, 1e-1], and the best value
    long foreign;
    try (TrialStorage s = Storages.open("sqlite:" + runDir.resolve("study.db"))) {
      long id = s.getStudyIdByName("st-Adam");
      foreign = s.createTrial(id, FrozenTrial.template(TrialState.COMPLETE, 1e-6, Map.of("lr", 5.0),
          Map.of("lr", new FloatDistribution(1e-5, 10, true, null)), null, null));
      assertEquals(3, s.getTrial(foreign).number() + 1);
    }
    assertEquals(0, run(tune("--trials", "2", "--stage", "final")), err.toString());
    assertEquals(1, err.toString().split("outside the search space", -1).length - 1, err.toString());
    assertTrue(err.toString().contains("st-Adam: trial number [2] lies outside the search space"), err.toString());
    JsonNode r = new ObjectMapper().readTree(runDir.resolve("results.json").toFile());
    assertNotEquals(5.0, r.at("/optimizers/Adam/best_params/lr").asDouble(), r.toString());
    assertTrue(r.at("/optimizers/Adam/best_value").asDouble() > 1e-6);

    // the same final stage again: done already; --force runs it again
    assertEquals(0, run(tune("--trials", "2", "--stage", "final")), err.toString());
    assertTrue(err.toString().contains("already did these final runs"), err.toString());
    assertEquals(0, run(tune("--trials", "2", "--stage", "final", "--force")), err.toString());
    assertTrue(err.toString().contains("final runs and outputs by this process"), err.toString());
  }

  @Test
  void badSharingOptionsExitTwo() {
    assertEquals(2, run("tune", "--stage", "final"));
    assertTrue(err.toString().contains("--stage final needs --study NAME"), err.toString());
    assertEquals(2, run(tune("--stage", "later")));
    assertTrue(err.toString().contains("--stage must be all, search or final"), err.toString());
    assertEquals(2, run(tune("--force")));
    assertTrue(err.toString().contains("--force applies to --stage final only"), err.toString());
    assertEquals(2, run(tune("--heartbeat", "0")));
    assertTrue(err.toString().contains("--heartbeat must be a number of seconds"), err.toString());
    assertEquals(2, run(tune("--heartbeat", "2", "--heartbeat-grace", "1")));
    assertTrue(err.toString().contains("--heartbeat-grace (1.0 s) must be longer than --heartbeat (2.0 s)"),
        err.toString());
    assertFalse(Files.exists(tmp.resolve("runs/st")), "nothing written");
  }
}
