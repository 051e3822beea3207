package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tf-blend studies} and {@code tf-blend best-trial} on a SQLite study database. */
class StudiesCommandTest {
  static final FloatDistribution LR = new FloatDistribution(1e-4, 1e-1, true, null);

  @TempDir Path tmp;
  Path db;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void studies() {
    db = tmp.resolve("study.db");
    try (TrialStorage s = Storages.open("sqlite:" + db)) {
      long adam = s.createStudy("run-Adam", StudyDirection.MINIMIZE);
      add(s, adam, TrialState.COMPLETE, 1.25, 1e-3);
      add(s, adam, TrialState.COMPLETE, 0.75, 3e-3);
      add(s, adam, TrialState.FAIL, null, 5e-2);
      add(s, adam, TrialState.COMPLETE, 0.75, 1e-2);
      long acc = s.createStudy("run-acc", StudyDirection.MAXIMIZE);
      add(s, acc, TrialState.COMPLETE, 0.5, 1e-3);
      add(s, acc, TrialState.COMPLETE, 0.9, 2e-3);
      s.createStudy("empty", StudyDirection.MINIMIZE);
    }
  }

  private static void add(TrialStorage s, long study, TrialState state, Double value, double lr) {
    s.createTrial(study, FrozenTrial.template(state, value, Map.of("lr", lr), Map.of("lr", LR),
        Map.of("note", "x"), Map.of()));
  }

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  @Test
  void studiesListsEveryStudyWithItsBestValue() throws Exception {
    assertEquals(0, run("studies", "--storage", "sqlite:" + db, "--json"), err.toString());
    JsonNode rows = new ObjectMapper().readTree(out.toString());
    assertEquals(3, rows.size());
    Map<String, JsonNode> byName = new java.util.HashMap<>();
    rows.forEach(r -> byName.put(r.get("name").asText(), r));
    assertEquals(4, byName.get("run-Adam").get("n_trials").asInt());
    assertEquals(0.75, byName.get("run-Adam").get("best_value").asDouble());
    assertEquals(1, byName.get("run-Adam").get("best_trial").asInt(), "first of equal values");
    assertEquals("MAXIMIZE", byName.get("run-acc").get("direction").asText());
    assertEquals(0.9, byName.get("run-acc").get("best_value").asDouble());
    assertTrue(byName.get("empty").get("best_value").isNull());
  }

  @Test
  void studiesPrintsATableByDefault() {
    assertEquals(0, run("studies", "--storage", "sqlite:///" + db), err.toString());
    String[] lines = out.toString().split("\\R");
    assertTrue(lines[0].startsWith("name") && lines[0].contains("best_value"), lines[0]);
    assertTrue(out.toString().contains("run-Adam"));
    assertTrue(out.toString().matches("(?s).*empty\\s+MINIMIZE\\s+0\\s+-\\s+-.*"), out.toString());
  }

  @Test
  void bestTrialPrintsJson() throws Exception {
    assertEquals(0, run("best-trial", "--study", "run-acc", "--storage", "sqlite:" + db),
        err.toString());
    JsonNode t = new ObjectMapper().readTree(out.toString());
    assertEquals(1, t.get("number").asInt());
    assertEquals(0.9, t.get("value").asDouble());
    assertEquals(2e-3, t.get("params").get("lr").asDouble());
    assertEquals("COMPLETE", t.get("state").asText());
    assertEquals("x", t.get("user_attrs").get("note").asText());
  }

  @Test
  void badStudyOrStorageExitsTwoWithOneLine() {
    assertEquals(2, run("best-trial", "--study", "nope", "--storage", "sqlite:" + db));
    assertTrue(err.toString().contains("--study nope: no such study"), err.toString());
    assertTrue(err.toString().contains("run-Adam"), err.toString());
    assertEquals(2, run("best-trial", "--study", "empty", "--storage", "sqlite:" + db));
    assertTrue(err.toString().contains("no completed trial"), err.toString());
    Path missing = tmp.resolve("missing.db");
    assertEquals(2, run("studies", "--storage", "sqlite:" + missing));
    assertTrue(err.toString().contains("no such database file"), err.toString());
    assertFalse(Files.exists(missing), "nothing created");
  }
}
