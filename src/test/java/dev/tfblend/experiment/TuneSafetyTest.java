package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11: {@code tune} destroys nothing it did not create, leaks no password and fails cleanly. */
class TuneSafetyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  private String[] smoke(String study, String... more) {
    return tune("configs/smoke.json", study, more);
  }

  private String[] tune(String config, String study, String... more) {
    List<String> args = new ArrayList<>(List.of("tune", "--config", config, "--study", study,
        "--runs-dir", tmp.resolve("runs").toString(), "--saved-models-dir", tmp.resolve("models").toString(), "-q"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static List<String> tree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  private Path config(String optimizerKey, String space) throws IOException {
    String json = "{\"seed\": 7, \"trials\": 1, \"epochs\": 1, \"batch_size\": 50, \"final_epochs\": 1,"
        + " \"model\": {\"layers\": [40, 16, 10]}, \"data\": {\"source\": \"blobs\"},"
        + " \"optimizers\": [\"" + optimizerKey + "\"], \"search\": {\"" + optimizerKey + "\": {\"optimizer\": \"adam\","
        + " \"space\": " + space + "}}}";
    return Files.writeString(tmp.resolve("c-" + UUID.randomUUID() + ".json"), json);
  }

  private static final String LR = "{\"lr\": {\"type\": \"float\", \"low\": 0.001, \"high\": 0.1, \"log\": true}}";

  /** Finding 2: an optimizer key is a name, never a path; {@code gate} is the blend's export. */
  @Test
  void finding2OptimizerKeysThatAreNotPlainNamesAreRefusedBeforeWriting() throws IOException {
    Path victim = Files.createDirectories(tmp.resolve("models").resolve("default-gate"));
    Files.writeString(victim.resolve("saved_model.pb"), "shipped");
    for (String key : List.of("../default-gate", "/tmp/elsewhere", ".hidden", "a/b", "gate")) {
      err.getBuffer().setLength(0);
      assertEquals(2, run(tune(config(key, LR).toString(), "k")), key + ": " + err);
      assertTrue(err.toString().startsWith("tf-blend tune: optimizers"), err.toString());
      assertFalse(err.toString().contains("at dev.tfblend"), err.toString());
    }
    assertEquals(List.of("", "default-gate", "default-gate/saved_model.pb"), tree(tmp.resolve("models")));
    assertFalse(Files.exists(tmp.resolve("runs").resolve("k")));
  }

  /** Finding 5: a directory that is not a tune run is not written into. */
  @Test
  void finding5ARunsDirThatIsNotATuneRunIsRefused() throws IOException {
    Path model = Files.createDirectories(tmp.resolve("saved-models").resolve("default-gate"));
    Files.writeString(model.resolve("manifest.json"), "{\"kind\": \"gate\"}");
    assertEquals(2, run("tune", "--config", "configs/smoke.json", "--runs-dir", tmp.resolve("saved-models").toString(),
        "--study", "default-gate", "--saved-models-dir", tmp.resolve("models").toString(), "-q"), err.toString());
    assertTrue(err.toString().contains("is not a tune run"), err.toString());
    assertEquals(List.of("", "manifest.json"), tree(model));
    assertEquals("{\"kind\": \"gate\"}", Files.readString(model.resolve("manifest.json")));
  }

  /** Finding 13: a tune refused for its search space or storage leaves nothing behind, so the fix reruns. */
  @Test
  void finding13ARefusedTuneLeavesNothingThatBlocksTheCorrectedRerun() throws IOException {
    String badSpace = "{\"not_a_hyperparameter\": {\"type\": \"float\", \"low\": 0.1, \"high\": 1.0}}";
    Path bad = config("Adam", badSpace);
    assertEquals(2, run(tune(bad.toString(), "fix")), err.toString());
    assertEquals(List.of(), tree(tmp.resolve("runs").resolve("fix")));
    assertEquals(2, run(tune(config("Adam", LR).toString(), "fix",
        "--storage", "sqlite:" + tmp.resolve("no-such-dir").resolve("s.db"))), err.toString());
    assertEquals(List.of(), tree(tmp.resolve("runs").resolve("fix")));
    err.getBuffer().setLength(0);
    assertEquals(0, run(tune(config("Adam", LR).toString(), "fix")), err.toString());
    assertTrue(Files.exists(tmp.resolve("runs/fix/results.json")));
  }

  /** Finding 3: rerunning a subset keeps the other studies' results and records each invocation. */
  @Test
  void finding3ASubsetRerunMergesIntoTheResults() throws IOException {
    assertEquals(0, run(smoke("sub")), err.toString());
    Path results = tmp.resolve("runs/sub/results.json");
    JsonNode first = JSON.readTree(results.toFile());
    assertEquals(0, run(smoke("sub", "--optimizers", "Adam")), err.toString());
    JsonNode merged = JSON.readTree(results.toFile());
    List<String> keys = new ArrayList<>();
    merged.get("optimizers").fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("DynamicBlended", "Adam", "SGD"), keys);
    assertEquals(first.at("/optimizers/SGD"), merged.at("/optimizers/SGD"));
    assertEquals(first.at("/optimizers/DynamicBlended/trials"), merged.at("/optimizers/DynamicBlended/trials"));
    assertEquals(2, merged.get("invocations").size());
    assertEquals("[\"DynamicBlended\",\"Adam\",\"SGD\"]", merged.at("/invocations/0/optimizers").toString());
    assertEquals("[\"Adam\"]", merged.at("/invocations/1/optimizers").toString());
    // the paired comparisons are recomputed over the merged studies: every pair is there
    List<String> pairs = new ArrayList<>();
    merged.get("paired").forEach(p -> pairs.add(p.get("a").asText() + "-" + p.get("b").asText() + "-"
        + p.get("metric").asText()));
    assertTrue(pairs.contains("DynamicBlended-SGD-test_loss") && pairs.contains("Adam-SGD-test_loss"), pairs.toString());
    String report = Files.readString(tmp.resolve("runs/sub/report.md"));
    assertTrue(report.contains("SGD") && report.contains("DynamicBlended"), report);
    assertTrue(Files.exists(tmp.resolve("runs/sub/SGD_optimization_history.png")));
  }

  /** Finding 6: a password in the storage URL is shown and written nowhere. */
  @Test
  void finding6AStoragePasswordIsRedactedEverywhere() throws IOException {
    String pg = System.getenv("TFBLEND_PG_URL");
    Assumptions.assumeTrue(pg != null && !pg.isBlank(), "TFBLEND_PG_URL names a PostgreSQL test database");
    java.net.URI u = java.net.URI.create(pg.substring("jdbc:".length()));
    String study = "redact-" + UUID.randomUUID().toString().substring(0, 8);
    String secret = "S3cr3t-" + UUID.randomUUID();
    // the test database trusts local connections, so any password is accepted
    String url = "postgresql://postgres:" + secret + "@" + u.getHost() + ":" + u.getPort() + u.getPath();
    assertEquals(0, run("tune", "--config", "configs/smoke.json", "--study", study, "--optimizers", "Adam",
        "--storage", url, "--runs-dir", tmp.resolve("runs").toString(),
        "--saved-models-dir", tmp.resolve("models").toString()), err.toString());
    assertFalse(err.toString().contains(secret) || out.toString().contains(secret));
    assertTrue(err.toString().contains("storage postgresql://postgres:***@"), err.toString());
    Path runDir = tmp.resolve("runs").resolve(study);
    for (String f : List.of("results.json", "manifest.json", "report.md", "tune-config.json")) {
      String text = Files.readString(runDir.resolve(f));
      assertFalse(text.contains(secret), f);
    }
    assertTrue(Files.readString(runDir.resolve("results.json")).contains(":***@"));
  }
}
