package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.Trial;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** End to end: {@code tune --config configs/smoke.json} and every output it promises. */
class TuneCommandTest {
  private static final List<String> STUDIES = List.of("DynamicBlended", "Adam", "SGD");

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  private String[] smoke(String study, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("tune", "--config", "configs/smoke.json",
        "--study", study, "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("saved-models").toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void smokeStudyWritesEveryOutput() throws Exception {
    assertEquals(0, run(smoke("smoke")), err.toString());
    Path runDir = tmp.resolve("runs/smoke");
    assertTrue(err.toString().contains("TPE samples randomly for the first 10 trials"), err.toString());

    JsonNode r = new ObjectMapper().readTree(runDir.resolve("results.json").toFile());
    for (String f : List.of("config", "seed", "optimizers", "published_reference", "repeats", "summary", "paired",
        "wall_seconds")) {
      assertTrue(r.has(f), "results.json lacks " + f);
    }
    // synthetic data and a small MLP are not the published study: no published figures beside them
    assertFalse(r.has("published"), r.toString());
    assertTrue(r.get("published_reference").asText().startsWith("no published reference"), r.toString());
    for (String s : STUDIES) {
      JsonNode o = r.at("/optimizers/" + s);
      assertFalse(o.isMissingNode(), s);
      assertEquals(2, o.get("trials").size(), s + " trials");
      for (JsonNode t : o.get("trials")) {
        for (String f : List.of("number", "state", "params")) {
          assertTrue(t.has(f), s + " trial lacks " + f);
        }
      }
      assertTrue(o.get("best_value").isNumber(), s);
      assertTrue(o.get("best_params").isObject(), s);
      JsonNode fin = o.get("final");
      assertEquals(3, fin.get("epochs").size(), "epoch 0 plus 2 epochs");
      for (String f : List.of("epoch", "train_loss", "train_batch_loss", "val_loss", "val_accuracy")) {
        assertTrue(fin.get("epochs").get(1).has(f), f);
      }
      assertTrue(fin.get("test_accuracy").asDouble() > 0.1, s + " learns something");
      assertTrue(fin.get("test_loss").isNumber());
    }
    assertTrue(r.at("/optimizers/DynamicBlended/final/alpha_per_step").size() > 0, "alpha trace");
    assertTrue(r.at("/optimizers/DynamicBlended/final/params/gate_hidden").isIntegralNumber(), "a count is an integer");
    assertTrue(r.at("/optimizers/SGD/final/params/nesterov").isIntegralNumber(), "a flag is an integer");

    for (String png : List.of("final_comparison.png", "alpha_trajectory.png",
        "DynamicBlended_optimization_history.png", "Adam_optimization_history.png",
        "SGD_optimization_history.png")) {
      BufferedImage img = ImageIO.read(runDir.resolve(png).toFile());
      assertNotNull(img, png);
      assertEquals(1000, img.getWidth(), png);
      assertEquals(600, img.getHeight(), png);
    }
    String report = Files.readString(runDir.resolve("report.md"));
    assertTrue(!report.contains("0.7656") && report.contains("no published reference")
        && report.contains("What this run supports"), report);
    assertTrue(Files.exists(runDir.resolve("manifest.json")));

    try (TrialStorage storage = Storages.open("sqlite:" + runDir.resolve("study.db"))) {
      for (String s : STUDIES) {
        long id = storage.getStudyIdByName("smoke-" + s);
        List<FrozenTrial> trials = storage.getAllTrials(id, java.util.EnumSet.allOf(TrialState.class));
        assertEquals(2, trials.size(), s);
        assertEquals(List.of(0, 1), trials.stream().map(FrozenTrial::number).toList());
      }
    }

    for (String s : STUDIES) {
      Path dir = tmp.resolve("saved-models/smoke").resolve(s);
      try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
          TFloat32 x = TFloat32.tensorOf(Shape.of(3, 40))) {
        try (var res = b.function("serving_default").call(Map.of("x", x))) {
          Tensor probs = res.get("probabilities").orElseThrow();
          assertEquals(Shape.of(3, 10), probs.shape(), s);
        }
      }
      assertTrue(Files.exists(dir.resolve("manifest.json")), s);
    }
    assertTrue(Files.exists(tmp.resolve("saved-models/smoke/gate/saved_model.pb")), "gate exported");

    pythonOptunaReads(runDir.resolve("study.db"), r);
    viewsAndHtmlReport(runDir, report);
    tensorBoardMatchesResults(runDir, r);
  }

  /** Optuna's four views per study are drawn, listed in report.md and embedded in report.html. */
  private void viewsAndHtmlReport(Path runDir, String report) throws Exception {
    String html = Files.readString(runDir.resolve("report.html"));
    assertTrue(html.startsWith("<!DOCTYPE html>"), "report.html is an HTML page");
    assertFalse(html.contains("src=\"http") || html.contains("<script"), "self-contained");
    int embedded = html.split("src=\"data:image/png;base64,", -1).length - 1;
    int listed = 0;
    for (String s : STUDIES) {
      for (String suffix : List.of("_intermediate_values.png", "_parallel_coordinate.png", "_slice.png",
          "_contour.png")) {
        String png = s + suffix;
        assertNotNull(ImageIO.read(runDir.resolve(png).toFile()), png);
        assertTrue(report.contains("](" + png + ")"), "report.md shows " + png);
        listed++;
      }
    }
    int charts = report.split("!\\[", -1).length - 1;
    assertTrue(listed + 5 <= charts, "report.md lists the views beside the 5 charts: " + charts);
    assertEquals(charts, embedded, "every chart of report.md is embedded in report.html");
  }

  /**
   * Each trial and final run is a TensorBoard run under tensorboard/<study>/; read back with the
   * independent Python reader of the TensorBoard writer's test, its values equal results.json's
   * (as float32, TensorBoard's scalar type).
   */
  private void tensorBoardMatchesResults(Path runDir, JsonNode results) throws Exception {
    String env = System.getenv("TFBLEND_PYTHON");
    String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    for (String s : STUDIES) {
      try (java.util.stream.Stream<Path> runs = Files.list(runDir.resolve("tensorboard").resolve(s))) {
        assertEquals(3, runs.count(), s + ": 2 trials and 1 final run");
      }
    }
    try {
      Process check = new ProcessBuilder(python, "-c", "import json, struct").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || check.exitValue() != 0) {
        throw new java.io.IOException("exit " + check.exitValue());
      }
    } catch (java.io.IOException e) {
      System.err.println("TuneCommandTest: TensorBoard read-back skipped: no Python 3 at " + python);
      return;
    }
    Path script = tmp.resolve("read_events.py");
    try (java.io.InputStream in = getClass().getResourceAsStream("/dev/tfblend/tensorboard/read_events.py")) {
      Files.copy(in, script);
    }
    ObjectMapper json = new ObjectMapper();
    for (String s : STUDIES) {
      Path studyDir = runDir.resolve("tensorboard").resolve(s);
      JsonNode o = results.at("/optimizers/" + s);
      for (JsonNode t : o.get("trials")) {
        JsonNode tb = readEvents(python, script, studyDir.resolve("trial-" + t.get("number").asInt()), json);
        JsonNode val = tb.at("/scalars/loss~1validation");
        assertEquals(3, val.size(), s + ": epoch 0 and 2 epochs");
        JsonNode last = val.get(val.size() - 1);
        assertEquals(2, last.get(0).asInt());
        assertEquals((float) t.get("value").asDouble(), (float) last.get(1).asDouble(), 0f, s + " trial value");
        assertTrue(tb.at("/texts/hyperparameters/0/1/0").asText().contains("| name | value |"), s);
      }
      JsonNode fin = o.get("final");
      JsonNode tb = readEvents(python, script, studyDir.resolve("final-seed-" + fin.get("seed").asLong()), json);
      for (String[] tag : new String[][] {{"loss/train", "train_loss"}, {"loss/validation", "val_loss"},
          {"accuracy/validation", "val_accuracy"}}) {
        JsonNode points = tb.get("scalars").get(tag[0]);
        assertEquals(fin.get("epochs").size(), points.size(), s + " " + tag[0]);
        for (int i = 0; i < points.size(); i++) {
          JsonNode e = fin.get("epochs").get(i);
          assertEquals(e.get("epoch").asInt(), points.get(i).get(0).asInt());
          assertEquals((float) e.get(tag[1]).asDouble(), (float) points.get(i).get(1).asDouble(), 0f,
              s + " " + tag[0] + " epoch " + i);
        }
      }
      if (fin.has("alpha_per_step")) {
        JsonNode alpha = tb.get("scalars").get("alpha/step");
        assertEquals(fin.get("alpha_per_step").size(), alpha.size(), s + " alpha per step");
        for (int i = 0; i < alpha.size(); i++) {
          assertEquals(i + 1, alpha.get(i).get(0).asInt());
          assertEquals((float) fin.get("alpha_per_step").get(i).asDouble(), (float) alpha.get(i).get(1).asDouble(),
              0f, s + " alpha step " + (i + 1));
        }
      }
    }
  }

  private static JsonNode readEvents(String python, Path script, Path logDir, ObjectMapper json) throws Exception {
    assertTrue(Files.isDirectory(logDir), logDir + " exists");
    Process p = new ProcessBuilder(python, script.toString(), logDir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "reader failed on " + logDir + ": " + out);
    return json.readTree(out);
  }

  /** Where Python Optuna is installed, it loads the three studies with the same trials and best trial. */
  private void pythonOptunaReads(Path db, JsonNode results) throws Exception {
    String env = System.getenv("TFBLEND_PYTHON");
    String python = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    boolean available;
    try {
      Process p = new ProcessBuilder(python, "-c", "import optuna").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      available = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      available = false;
    }
    if (!available) {
      System.err.println("TuneCommandTest: Python Optuna check skipped: " + python
          + " cannot import optuna (set TFBLEND_PYTHON or apt-get install python3-optuna)");
      return;
    }
    Path script = tmp.resolve("optuna_interop.py");
    try (java.io.InputStream in = getClass().getResourceAsStream("/dev/tfblend/tune/storage/optuna_interop.py")) {
      Files.copy(in, script);
    }
    ObjectMapper json = new ObjectMapper();
    for (String s : STUDIES) {
      Process p = new ProcessBuilder(python, script.toString(), "dump", db.toString(), "smoke-" + s).start();
      byte[] stdout = p.getInputStream().readAllBytes();
      byte[] stderr = p.getErrorStream().readAllBytes();
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), new String(stderr, java.nio.charset.StandardCharsets.UTF_8));
      String[] lines = new String(stdout, java.nio.charset.StandardCharsets.UTF_8).strip().split("\n");
      JsonNode dump = json.readTree(lines[lines.length - 1]);
      JsonNode ours = results.at("/optimizers/" + s);
      assertEquals(2, dump.get("trials").size(), s);
      for (int i = 0; i < 2; i++) {
        JsonNode pt = dump.get("trials").get(i);
        JsonNode jt = ours.get("trials").get(i);
        assertEquals(jt.get("number").asInt(), pt.get("number").asInt());
        assertEquals(jt.get("state").asText(), pt.get("state").asText());
        assertEquals(jt.get("value").asDouble(), pt.get("value").asDouble(), 0.0, s);
        assertEquals(jt.get("params"), pt.get("params"), s);
        assertEquals(2, pt.get("intermediate_values").size(), s + ": one validation loss per epoch");
      }
      assertEquals(ours.get("best_value").asDouble(), dump.get("best_value").asDouble(), 0.0, s);
      assertEquals(ours.get("best_params"), dump.get("best_params"), s);
    }
  }

  @Test
  void rerunningTheSameStudyRunsOnlyMissingTrials() throws Exception {
    assertEquals(0, run(smoke("resume", "--trials", "1", "--optimizers", "Adam")), err.toString());
    Path db = tmp.resolve("runs/resume/study.db");
    FrozenTrial first;
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      first = storage.getAllTrials(storage.getStudyIdByName("resume-Adam"),
          java.util.EnumSet.allOf(TrialState.class)).get(0);
    }
    assertEquals(0, run(smoke("resume", "--trials", "3", "--optimizers", "Adam")), err.toString());
    assertTrue(err.toString().contains("resuming study resume-Adam with 1 finished trials; 2 to run"), err.toString());
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      List<FrozenTrial> trials = storage.getAllTrials(storage.getStudyIdByName("resume-Adam"),
          java.util.EnumSet.allOf(TrialState.class));
      assertEquals(List.of(0, 1, 2), trials.stream().map(FrozenTrial::number).toList());
      assertEquals(first.value(), trials.get(0).value(), "the first trial is kept, not rerun");
      assertEquals(first.params(), trials.get(0).params());
      assertNotEquals(first.params(), trials.get(1).params(),
          "the resumed sampler does not draw the first run's parameters again");
    }
    // a third run with the same budget adds nothing
    assertEquals(0, run(smoke("resume", "--trials", "3", "--optimizers", "Adam")), err.toString());
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      assertEquals(3, storage.getAllTrials(storage.getStudyIdByName("resume-Adam"),
          java.util.EnumSet.allOf(TrialState.class)).size());
    }
  }

  @Test
  void aTrialLeftRunningByAKilledProcessIsWaitedForFailedAndRunAgain() throws Exception {
    // a process killed a moment ago (SIGKILL: no shutdown hook) left trial 0 RUNNING with a fresh heartbeat
    Path db = tmp.resolve("runs/killed/study.db");
    Files.createDirectories(db.getParent());
    double lr;
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      Study dead = Study.createOrLoad("killed-Adam", storage, StudyDirection.MINIMIZE,
          new RandomSampler(1), new NopPruner());
      Trial orphan = dead.ask();
      lr = orphan.suggestFloat("lr", 1e-4, 1e-1, true);
      storage.recordHeartbeat(orphan.trialId());
    }
    long start = System.nanoTime();
    assertEquals(0, run(smoke("killed", "--trials", "2", "--optimizers", "Adam")), err.toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(err.toString().contains("the rest of the budget is taken by running trial [0]"), err.toString());
    assertTrue(seconds > 5, "waited for the heartbeat to go stale: " + seconds + " s");
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      List<FrozenTrial> trials = storage.getAllTrials(storage.getStudyIdByName("killed-Adam"),
          java.util.EnumSet.allOf(TrialState.class));
      // the orphan holds one of the 2 places of the budget: one new trial runs, then the process
      // waits for the orphan, fails it once its heartbeat is stale and runs its parameters again
      assertEquals(List.of(TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE),
          trials.stream().map(FrozenTrial::state).toList(), trials.toString());
      assertTrue(String.valueOf(trials.get(0).systemAttrs().get(Study.FAIL_REASON)).startsWith("stale"));
      assertEquals(lr, (Double) trials.get(2).params().get("lr"), "the orphan's parameters ran again");
      assertEquals(List.of(0), trials.get(2).systemAttrs().get(Study.RETRY_HISTORY));
    }
  }

  @Test
  void studiesCanLiveInPostgres() throws Exception {
    String url = System.getenv("TFBLEND_PG_URL");
    org.junit.jupiter.api.Assumptions.assumeTrue(url != null && !url.isBlank(),
        "PostgreSQL tune test skipped: TFBLEND_PG_URL is not set (.ci/services.sh sets it)");
    String study = "pg" + Long.toHexString(System.nanoTime());
    assertEquals(0, run(smoke(study, "--trials", "2", "--optimizers", "Adam,SGD", "--storage", url)), err.toString());
    assertTrue(err.toString().contains("storage " + url), err.toString());
    try (TrialStorage storage = Storages.open(url)) {
      for (String s : List.of("Adam", "SGD")) {
        List<FrozenTrial> trials = storage.getAllTrials(storage.getStudyIdByName(study + "-" + s),
            java.util.EnumSet.allOf(TrialState.class));
        assertEquals(List.of(0, 1), trials.stream().map(FrozenTrial::number).toList(), s);
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), s);
      }
    }
    assertTrue(Files.exists(tmp.resolve("runs").resolve(study).resolve("results.json")));
    assertTrue(!Files.exists(tmp.resolve("runs").resolve(study).resolve("study.db")), "no SQLite file with --storage");
  }

  @Test
  void resumingWithAnotherTrialLengthIsRefused() throws Exception {
    assertEquals(0, run(smoke("changed", "--trials", "1", "--optimizers", "Adam")), err.toString());
    assertEquals(2, run(smoke("changed", "--trials", "2", "--optimizers", "Adam", "--epochs", "3")));
    assertTrue(err.toString().contains("--study changed was tuned with another config (epochs 2 -> 3"), err.toString());
    try (TrialStorage storage = Storages.open("sqlite:" + tmp.resolve("runs/changed/study.db"))) {
      assertEquals(1, storage.getAllTrials(storage.getStudyIdByName("changed-Adam"),
          java.util.EnumSet.allOf(TrialState.class)).size(), "nothing ran");
    }
  }

  @Test
  void aDivergingTrialFailsWithItsReasonAndTheStudyGoesOn() throws Exception {
    Path cfg = tmp.resolve("diverge.json");
    // SGD-momentum at learning rates of 1e3..1e4 blows the loss up within the first epoch
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode c =
        (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Path.of("configs/smoke.json").toFile());
    c.set("search", json.readTree("{\"SGD\": {\"space\": "
        + "{\"lr\": {\"type\": \"float\", \"low\": 1000.0, \"high\": 10000.0, \"log\": true},"
        + " \"momentum\": {\"type\": \"float\", \"low\": 0.9, \"high\": 0.95}}}}"));
    Files.writeString(cfg, json.writeValueAsString(c));
    assertEquals(0, run("tune", "--config", cfg.toString(), "--study", "diverge",
        "--runs-dir", tmp.resolve("runs").toString(), "--saved-models-dir", tmp.resolve("saved-models").toString(),
        "--optimizers", "SGD", "--trials", "2"), err.toString());
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs/diverge/results.json").toFile());
    JsonNode trials = r.at("/optimizers/SGD/trials");
    assertEquals(2, trials.size(), "the study went on after the first failure");
    for (JsonNode t : trials) {
      assertEquals("FAIL", t.get("state").asText(), t.toString());
      assertTrue(t.get("fail_reason").asText().contains("non-finite"), t.toString());
    }
    assertTrue(err.toString().contains("no trial completed"), err.toString());
  }

  @Test
  void badConfigFieldIsNamedAndExitsWithTwo() throws Exception {
    Path cfg = tmp.resolve("bad.json");
    Files.writeString(cfg, "{\"trials\": 0}");
    assertEquals(2, run("tune", "--config", cfg.toString(), "--runs-dir", tmp.resolve("runs").toString()));
    assertTrue(err.toString().contains("trials must be positive"), err.toString());
    assertTrue(err.toString().contains(cfg.toString()), err.toString());

    Files.writeString(cfg, "{\"optimizers\": [\"Nadam\"]}");
    assertEquals(2, run("tune", "--config", cfg.toString(), "--runs-dir", tmp.resolve("runs").toString()));
    assertTrue(err.toString().contains("Nadam"), err.toString());
  }
}
