package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tune --repeats}, {@code tune --set}, trial seeds and validation modes, end to end on the smoke config. */
class TuneRepeatsCommandTest {
  private static final List<String> STUDIES = List.of("DynamicBlended", "Adam", "SGD");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  private String[] smoke(String study, String... more) {
    List<String> args = new ArrayList<>(List.of("tune", "--config", "configs/smoke.json", "--quiet",
        "--study", study, "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void threeRepeatsWriteRepeatsSummaryAndPairedComparisons() throws Exception {
    assertEquals(0, run(smoke("rep", "--repeats", "3")), err.toString());
    Path runDir = tmp.resolve("runs/rep");
    JsonNode r = JSON.readTree(runDir.resolve("results.json").toFile());

    assertEquals("repeats", r.get("units").asText());
    JsonNode repeats = r.get("repeats");
    assertEquals(3, repeats.size());
    for (int i = 0; i < 3; i++) {
      JsonNode rep = repeats.get(i);
      assertEquals(i, rep.get("repeat").asInt());
      assertEquals(7 + i, rep.get("seed").asLong(), "study seed seed + repeat");
      assertEquals("rep-r" + i, rep.get("study_name").asText());
      for (String s : STUDIES) {
        JsonNode o = rep.at("/optimizers/" + s);
        assertTrue(o.get("best_params").isObject(), s);
        assertTrue(o.get("best_value").isNumber(), s);
        assertTrue(o.at("/final/test_loss").isNumber(), s);
        assertEquals(1, o.get("final_runs").size(), s);
        assertEquals(o.get("final_runs").get(0), o.get("final"), s);
        double curse = o.at("/final/epochs").get(2).get("val_loss").asDouble() - o.get("best_value").asDouble();
        assertEquals(curse, o.get("winners_curse").asDouble(), 1e-12, s + " winner's curse");
      }
    }
    // the repeats are different studies: not every repeat picks the same parameters
    Set<String> picks = new HashSet<>();
    repeats.forEach(rep -> picks.add(rep.at("/optimizers/Adam/best_params").toString()));
    assertEquals(3, picks.size(), picks.toString());

    for (String s : STUDIES) {
      for (String metric : List.of("test_loss", "test_accuracy", "val_loss")) {
        JsonNode m = r.at("/summary/" + s + "/" + metric);
        assertEquals(3, m.get("n").asInt(), s + " " + metric);
        double mean = 0;
        for (JsonNode rep : repeats) {
          String field = metric.equals("val_loss") ? null : metric;
          JsonNode fin = rep.at("/optimizers/" + s + "/final");
          mean += (field == null ? fin.get("epochs").get(2).get("val_loss").asDouble() : fin.get(field).asDouble()) / 3;
        }
        assertEquals(mean, m.get("mean").asDouble(), 1e-9, s + " " + metric + " mean over the repeats");
        assertTrue(m.get("sd").isNumber() && m.get("ci95").isArray() && m.get("ci95").size() == 2);
      }
    }
    JsonNode paired = r.get("paired");
    assertEquals(9, paired.size(), "3 pairs x 3 metrics");
    for (JsonNode p : paired) {
      for (String f : List.of("a", "b", "metric", "n", "mean_diff", "ci95", "a_better", "wilcoxon_p", "sign_p", "t_p")) {
        assertTrue(p.has(f), "paired lacks " + f + ": " + p);
      }
      assertEquals(3, p.get("n").asInt());
    }
    assertEquals("DynamicBlended", paired.get(0).get("a").asText());
    assertEquals("Adam", paired.get(0).get("b").asText());
    assertEquals("test_loss", paired.get(0).get("metric").asText());

    String report = Files.readString(runDir.resolve("report.md"));
    assertTrue(report.contains("The primary endpoint is test loss"), report);
    assertTrue(report.contains("Winner's curse") && report.contains("DynamicBlended's gate"), report);
    assertTrue(out.toString().contains("test loss (primary endpoint) over repeats"), out.toString());

    try (TrialStorage storage = Storages.open("sqlite:" + runDir.resolve("study.db"))) {
      for (int i = 0; i < 3; i++) {
        for (String s : STUDIES) {
          long id = storage.getStudyIdByName("rep-r" + i + "-" + s);
          assertEquals(2, storage.getAllTrials(id, EnumSet.allOf(TrialState.class)).size(), s);
        }
      }
    }
    // only the first repeat exports SavedModels
    assertTrue(Files.exists(tmp.resolve("saved-models/rep/Adam/saved_model.pb")));
  }

  @Test
  void trialSeedsScoreEachTrialByTheMeanAndKeepThePerSeedValues() throws Exception {
    assertEquals(0, run(smoke("ts", "--optimizers", "Adam", "--set", "trial_seeds=2",
        "--set", "trial_seed_mode=per-trial")), err.toString());
    Path runDir = tmp.resolve("runs/ts");
    JsonNode r = JSON.readTree(runDir.resolve("results.json").toFile());
    assertEquals(2, r.at("/config/trial_seeds").asInt());
    try (TrialStorage storage = Storages.open("sqlite:" + runDir.resolve("study.db"))) {
      List<FrozenTrial> trials = storage.getAllTrials(storage.getStudyIdByName("ts-Adam"),
          EnumSet.allOf(TrialState.class));
      assertEquals(2, trials.size());
      List<Object> seeds = new ArrayList<>();
      for (FrozenTrial t : trials) {
        List<?> values = (List<?>) t.userAttrs().get("seed_values");
        List<?> trialSeeds = (List<?>) t.userAttrs().get("trial_seeds");
        assertEquals(2, values.size());
        assertEquals(2, trialSeeds.size());
        assertNotEquals(values.get(0), values.get(1), "two seeds, two trajectories");
        double mean = (((Number) values.get(0)).doubleValue() + ((Number) values.get(1)).doubleValue()) / 2;
        assertEquals(mean, t.value(), 1e-12, "the trial's value is the mean over its seeds");
        seeds.addAll(trialSeeds);
      }
      assertEquals(4, new HashSet<>(seeds).size(), "per-trial: no two trials share a seed");
    }
    JsonNode trial = r.at("/optimizers/Adam/trials/0");
    assertEquals(2, trial.get("seed_values").size());
  }

  @Test
  void setOverridesAnyConfigFieldAndValidationModesAreLabelled() throws Exception {
    assertEquals(0, run(smoke("val", "--optimizers", "SGD", "--set", "data.validation=test", "--set", "trials=1",
        "--set", "model.layers=40,8,10", "--set", "search.SGD.fixed.weight_decay=0.001")), err.toString());
    JsonNode r = JSON.readTree(tmp.resolve("runs/val/results.json").toFile());
    assertEquals("test", r.get("validation").asText());
    assertEquals("test used for selection", r.get("validation_label").asText());
    assertEquals(1, r.at("/optimizers/SGD/trials").size());
    assertEquals("[40,8,10]", r.at("/config/model/layers").toString());
    assertEquals(0.001, r.at("/optimizers/SGD/final/params/weight_decay").asDouble());
    // the validation rows are the test rows: the final run's last validation loss is its test loss
    JsonNode fin = r.at("/optimizers/SGD/final");
    assertEquals(fin.get("test_loss").asDouble(), fin.get("epochs").get(2).get("val_loss").asDouble(), 1e-6);
    String report = Files.readString(tmp.resolve("runs/val/report.md"));
    assertTrue(report.contains("test used for selection"), report);
  }

  @Test
  void setOfAnUnknownFieldOrBadValueExitsTwoNamingIt() {
    assertEquals(2, run(smoke("bad", "--set", "trail_seeds=3")));
    assertTrue(err.toString().contains("trail_seeds"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run(smoke("bad", "--set", "trial_seed_mode=sometimes")));
    assertTrue(err.toString().contains("trial_seed_mode"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run(smoke("bad", "--set", "data.validation=dev")));
    assertTrue(err.toString().contains("data.validation"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run(smoke("bad", "--repeats", "0")));
    assertTrue(err.toString().contains("repeats"), err.toString());
    assertFalse(Files.exists(tmp.resolve("runs/bad/results.json")));
  }
}
