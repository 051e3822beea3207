package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import dev.tfblend.testing.FreshJvm;
import dev.tfblend.testing.ModelFixtures;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateCommandTest {
  // alpha = sigmoid(tanh(x W1 + b1) w2 + b2), n = 3 features, 2 hidden units.
  static final float[][] W1 = {{0.5f, -1.25f}, {2.0f, 0.75f}, {-0.3f, 0.1f}};
  static final float[] B1 = {0.1f, -0.2f};
  static final float[] W2 = {1.5f, -0.8f};
  static final float B2 = 0.05f;
  static final float[][] X = {{0f, 0f, 0f}, {1f, -2f, 0.5f}, {0.25f, 0.125f, -3f}, {10f, 10f, 10f}};

  @TempDir static Path shared;
  static Path gate;
  static Path classifier;

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void exportModels() throws Exception {
    gate = shared.resolve("gate");
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("kind", "gate");
    manifest.put("input_mode", "gradient-stats");
    manifest.put("input_size", 3);
    manifest.put("features", List.of("grad_norm", "grad_mean", "step"));
    ModelFixtures.gate(gate, W1, B1, W2, B2, manifest);
    classifier = shared.resolve("classifier");
    Mlp mlp = new Mlp(List.of(3, 2), Activation.TANH);
    SavedModelExporter.export(mlp, new double[][] {new double[6], new double[2]}, classifier, Map.of());
  }

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  private void assertAlphasMatchHandComputation(JsonNode result) {
    assertEquals(gate.toString(), result.get("model").asText());
    assertEquals("gradient-stats", result.get("input_mode").asText());
    assertEquals(3, result.get("input_size").asInt());
    JsonNode alpha = result.get("alpha");
    assertEquals(X.length, alpha.size());
    for (int i = 0; i < X.length; i++) {
      double want = ModelFixtures.gateAlpha(X[i], W1, B1, W2, B2);
      assertEquals(want, alpha.get(i).asDouble(), 1e-6, "vector " + i);
    }
  }

  @Test
  void csvWithHeaderGivesTheHandComputedAlphas() throws Exception {
    Path csv = tmp.resolve("features.csv");
    Files.writeString(csv, "grad_norm,grad_mean,step\n0,0,0\n1,-2,0.5\n\n0.25,0.125,-3\n1e1,10,10.0\n");
    Path result = tmp.resolve("alpha.json");
    assertEquals(0, run("gate", "--model", gate.toString(), "--input", csv.toString(),
        "--out", result.toString()), err.toString());
    assertAlphasMatchHandComputation(json.readTree(result.toFile()));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(2, files.count(), "input and output only, no temporary file");
    }
  }

  @Test
  void csvWithoutHeaderAndJsonLinesGiveTheSameAlphas() throws Exception {
    Path csv = tmp.resolve("features.csv");
    Files.writeString(csv, "0,0,0\n1,-2,0.5\n0.25,0.125,-3\n10,10,10\n");
    assertEquals(0, run("gate", "--model", gate.toString(), "--input", csv.toString()), err.toString());
    JsonNode fromCsv = json.readTree(out.toString());
    assertAlphasMatchHandComputation(fromCsv);

    Path jsonl = tmp.resolve("features.jsonl");
    Files.writeString(jsonl, "[0, 0, 0]\n{\"features\": [1, -2, 0.5], \"step\": 7}\n"
        + "[0.25, 0.125, -3]\n\n{\"features\": [10.0, 10, 1e1]}\n");
    out.getBuffer().setLength(0);
    assertEquals(0, run("gate", "--model", gate.toString(), "--input", jsonl.toString()), err.toString());
    JsonNode fromJson = json.readTree(out.toString());
    assertAlphasMatchHandComputation(fromJson);
    assertEquals(fromCsv.get("alpha"), fromJson.get("alpha"));
  }

  @Test
  void aFreshJvmGivesTheSameAlphas() throws Exception {
    Path csv = Files.writeString(tmp.resolve("features.csv"), "0,0,0\n1,-2,0.5\n0.25,0.125,-3\n10,10,10\n");
    assertEquals(0, run("gate", "--model", gate.toString(), "--input", csv.toString()), err.toString());
    Path there = tmp.resolve("there.json");
    FreshJvm.Run child = FreshJvm.tfBlend("gate", "--model", gate.toString(), "--input", csv.toString(),
        "--out", there.toString());
    assertEquals(0, child.exitCode(), child.output());
    assertEquals(out.toString(), Files.readString(there), "identical JSON from another JVM");
    assertAlphasMatchHandComputation(json.readTree(there.toFile()));
  }

  @Test
  void describePrintsTheManifestAndTheSignature() throws Exception {
    assertEquals(0, run("gate", "--model", gate.toString(), "--describe"), err.toString());
    JsonNode d = json.readTree(out.toString());
    assertEquals(gate.toString(), d.get("model").asText());
    assertEquals("gate", d.at("/signature/key").asText());
    assertEquals("float32", d.at("/signature/inputs/features/dtype").asText());
    assertEquals("[-1,3]", d.at("/signature/inputs/features/shape").toString());
    assertEquals("float32", d.at("/signature/outputs/alpha/dtype").asText());
    assertEquals("[-1,1]", d.at("/signature/outputs/alpha/shape").toString());
    assertEquals("gradient-stats", d.at("/manifest/input_mode").asText());
    assertEquals("[\"grad_norm\",\"grad_mean\",\"step\"]", d.at("/manifest/features").toString());
  }

  @Test
  void aWidthMismatchNamesTheFileTheLineAndBothWidths() throws Exception {
    Path result = tmp.resolve("alpha.json");
    Path csv = tmp.resolve("wide.csv");
    Files.writeString(csv, "0,0,0\n1,2,3,4\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", csv.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(csv + " line 2: 4 values, the gate takes 3 features"), err.toString());

    Path jsonl = tmp.resolve("narrow.jsonl");
    Files.writeString(jsonl, "[0, 0, 0]\n\n{\"features\": [1, 2]}\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", jsonl.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(jsonl + " line 3: 2 values, the gate takes 3 features"), err.toString());

    Path header = tmp.resolve("header.csv");
    Files.writeString(header, "a,b\n1,2\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", header.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(header + " line 1 (header): 2 columns, the gate takes 3 features"),
        err.toString());
    assertFalse(Files.exists(result));
  }

  @Test
  void nonNumbersAndBadJsonAreNamed() throws Exception {
    Path result = tmp.resolve("alpha.json");
    Path csv = tmp.resolve("word.csv");
    Files.writeString(csv, "x,y,z\n1,2,3\n1,two,3\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", csv.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(csv + " line 3 column 2: 'two' is not a number"), err.toString());

    Path jsonl = tmp.resolve("bad.jsonl");
    Files.writeString(jsonl, "[1, 2, 3]\n[1, \"2\", 3]\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", jsonl.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(jsonl + " line 2 element 2: \"2\" is not a number"), err.toString());

    Files.writeString(jsonl, "[1, 2, 3]\n{\"features\": [1, 2, 3\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", jsonl.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(jsonl + " line 2: not JSON"), err.toString());

    Files.writeString(jsonl, "{\"alpha\": 1}\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", jsonl.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(jsonl + " line 1: expected [numbers] or {\"features\": [numbers]}"),
        err.toString());

    Files.writeString(csv, "1,2,1e40\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--input", csv.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(csv + " line 1 column 3: 1e40 is not a finite float32"), err.toString());
    assertFalse(Files.exists(result));
  }

  @Test
  void aClassifierOrANonModelIsRefusedByName() throws Exception {
    Path csv = Files.writeString(tmp.resolve("f.csv"), "1,2,3\n");
    Path result = tmp.resolve("alpha.json");
    assertEquals(2, run("gate", "--model", classifier.toString(), "--input", csv.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(classifier + " has no signature 'gate' (available: serving_default)"),
        err.toString());
    assertEquals(2, run("gate", "--model", classifier.toString(), "--describe"));
    assertTrue(err.toString().contains(classifier + " has no signature 'gate'"), err.toString());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertEquals(2, run("gate", "--model", empty.toString(), "--input", csv.toString(), "--out", result.toString()));
    assertTrue(err.toString().contains(empty + " is not a SavedModel: no saved_model.pb"), err.toString());
    assertFalse(Files.exists(result));
  }

  @Test
  void aManifestThatDisagreesWithTheSignatureIsRefused() throws Exception {
    Path g = tmp.resolve("gate-bad-manifest");
    ModelFixtures.gate(g, W1, B1, W2, B2, Map.of("gate", Map.of("input_size", 4, "input_mode", "flat-gradients")));
    assertEquals(2, run("gate", "--model", g.toString(), "--describe"));
    assertTrue(err.toString().contains(g + ": manifest.json says input_size 4, signature 'gate' input 'features' takes 3"),
        err.toString());
  }

  @Test
  void needsExactlyOneOfInputAndDescribe() throws Exception {
    assertEquals(2, run("gate", "--model", gate.toString()));
    assertTrue(err.toString().contains("give --input FILE or --describe"), err.toString());
    Path csv = Files.writeString(tmp.resolve("f.csv"), "1,2,3\n");
    assertEquals(2, run("gate", "--model", gate.toString(), "--describe", "--input", csv.toString()));
    assertTrue(err.toString().contains("--describe takes no --input"), err.toString());
  }
}
