package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json is written in a fixed key order, and atomically. */
class SavedModelManifestTest {
  @TempDir Path tmp;

  private static List<String> keys(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void theManifestKeysComeInTheDocumentedOrder() throws Exception {
    Mlp mlp = new Mlp(List.of(3, 4, 2), Activation.RELU);
    double[][] values = {new double[12], new double[4], new double[8], new double[2]};
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("run", "r1");
    extra.put("note", "n");
    Path dir = tmp.resolve("saved-model");
    SavedModelExporter.export(mlp, values, dir, extra);
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertEquals(List.of("format", "tag", "signature", "inputs", "outputs", "model", "build", "run", "note"),
        keys(m));
    assertEquals(List.of("dtype", "shape"), keys(m.at("/inputs/x")));
    assertEquals(List.of("logits", "probabilities"), keys(m.get("outputs")));
    assertEquals(List.of("dtype", "shape"), keys(m.at("/outputs/logits")));
    assertEquals(List.of("dtype", "shape"), keys(m.at("/outputs/probabilities")));
    assertEquals(List.of("kind", "layers", "activation", "parameters"), keys(m.get("model")));
    assertEquals(4 * 3 + 4 + 2 * 4 + 2, m.at("/model/parameters").asInt());
  }

  /** A value Jackson cannot serialize (no properties). */
  static final class Opaque {}

  @Test
  void aFailedWriteKeepsTheEarlierFileAndLeavesNoPartialFile() throws Exception {
    Path file = tmp.resolve("manifest.json");
    InferenceExport.writeJson(file, Map.of("n", 1));
    String before = Files.readString(file);
    assertThrows(UncheckedIOException.class,
        () -> InferenceExport.writeJson(file, Map.of("n", 2, "bad", new Opaque())));
    assertEquals(before, Files.readString(file));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("manifest.json"), s.map(p -> p.getFileName().toString()).toList());
    }
  }
}
