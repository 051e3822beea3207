package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tune --jobs N}: trials at once, with what one at a time gives while TPE samples at random. */
class TuneJobsTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  private int tune(String study, String... more) {
    List<String> args = new ArrayList<>(List.of("tune", "--config", "configs/smoke.json", "--study", study,
        "--runs-dir", tmp.resolve("runs").toString(), "--saved-models-dir", tmp.resolve("saved-models").toString()));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  /** Per study: each trial's number, state, value and params, then the final run's figures. */
  private JsonNode outcome(String study) throws Exception {
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs").resolve(study).resolve("results.json").toFile());
    ObjectMapper m = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode o = m.createObjectNode();
    r.get("optimizers").fields().forEachRemaining(e -> {
      com.fasterxml.jackson.databind.node.ArrayNode trials = m.createArrayNode();
      for (JsonNode t : e.getValue().get("trials")) {
        trials.add(m.createArrayNode().add(t.get("number")).add(t.get("state")).add(t.get("value")).add(t.get("params")));
      }
      o.set(e.getKey() + ".trials", trials);
      o.set(e.getKey() + ".final", e.getValue().at("/final/epochs"));
      o.set(e.getKey() + ".test_loss", e.getValue().at("/final/test_loss"));
      o.set(e.getKey() + ".alpha", e.getValue().at("/final/alpha_per_step"));
    });
    return o;
  }

  @Test
  void twoJobsGiveWhatOneGivesWhileTpeSamplesAtRandom() throws Exception {
    assertEquals(0, tune("one", "--trials", "4", "--jobs", "1"), err.toString());
    String oneErr = err.toString();
    err.getBuffer().setLength(0);
    assertEquals(0, tune("two", "--trials", "4", "--jobs", "2"), err.toString());
    JsonNode one = outcome("one");
    JsonNode two = outcome("two");
    assertEquals(one, two);
    for (String key : List.of("DynamicBlended", "Adam", "SGD")) {
      assertEquals(4, two.get(key + ".trials").size(), key);
      two.get(key + ".trials").forEach(t -> assertEquals("COMPLETE", t.get(1).asText(), t.toString()));
      // each trial's progress line carries its own study-wide ordinal, also when two run at once
      List<Integer> ordinals = new ArrayList<>();
      Matcher mt = Pattern.compile("(?m)^" + key + "\\s+trial (\\d)/4 ").matcher(err.toString());
      while (mt.find()) {
        ordinals.add(Integer.parseInt(mt.group(1)));
      }
      ordinals.sort(null);
      assertEquals(List.of(1, 2, 3, 4), ordinals, err.toString());
    }
    assertFalse(oneErr.contains("Exception"), oneErr);
    JsonNode config = new ObjectMapper().readTree(tmp.resolve("runs/two/results.json").toFile()).get("config");
    assertEquals(2, config.get("jobs").asInt());
  }

  @Test
  void theJobsFieldOfAConfigIsReadAndNotPartOfWhatTheStudyMeasures() throws Exception {
    Path cfg = tmp.resolve("jobs.json");
    Files.writeString(cfg, "{\"jobs\": 2, \"trials\": 2, \"epochs\": 2, \"batch_size\": 50, \"final_epochs\": 2,"
        + " \"model\": {\"layers\": [40, 16, 10]}, \"data\": {\"source\": \"blobs\"}}");
    assertEquals(0, run("tune", "--config", cfg.toString(), "--study", "cfg", "--optimizers", "Adam",
        "--runs-dir", tmp.resolve("runs").toString(), "--saved-models-dir", tmp.resolve("saved-models").toString()),
        err.toString());
    // resuming with another --jobs is allowed: it does not change what a trial measures
    assertEquals(0, run("tune", "--config", cfg.toString(), "--study", "cfg", "--optimizers", "Adam", "--trials", "3",
        "--jobs", "1", "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString()), err.toString());
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs/cfg/results.json").toFile());
    assertEquals(3, r.at("/optimizers/Adam/trials").size());
    // each invocation records the jobs it ran with, the manifest the last one's
    assertEquals(2, r.at("/invocations/0/jobs").asInt());
    assertEquals(1, r.at("/invocations/1/jobs").asInt());
    JsonNode manifest = new ObjectMapper().readTree(tmp.resolve("runs/cfg/manifest.json").toFile());
    assertEquals(1, manifest.get("jobs").asInt());
  }

  @Test
  void jobsBelowOneIsBadInputNamingTheOption() {
    for (String bad : List.of("0", "-2")) {
      err.getBuffer().setLength(0);
      assertEquals(2, tune("bad" + bad, "--jobs", bad));
      assertTrue(err.toString().contains("--jobs: jobs must be positive, got " + bad), err.toString());
      assertFalse(Files.exists(tmp.resolve("runs").resolve("bad" + bad)), "nothing written");
    }
    err.getBuffer().setLength(0);
    assertEquals(2, tune("badset", "--set", "jobs=0"));
    assertTrue(err.toString().contains("--set jobs=0: jobs must be positive, got 0"), err.toString());
  }
}
