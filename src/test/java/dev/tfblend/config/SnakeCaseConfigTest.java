package dev.tfblend.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config keys are written in snake_case; the camelCase spellings of older configs still load. */
class SnakeCaseConfigTest {
  @TempDir Path tmp;

  private static final String OLD = "{\"seed\": 7, \"trials\": 2, \"epochs\": 2, \"batchSize\": 50,"
      + " \"finalEpochs\": 3, \"finalSeeds\": 2, \"budgetPerParameter\": 4, \"trialSeeds\": 2,"
      + " \"optimizers\": [\"DynamicBlended\"],"
      + " \"search\": {\"DynamicBlended\": {\"optimizer\": \"blended\", \"gateInput\": \"gradient-stats\","
      + " \"gateOutput\": \"per-tensor\"}},"
      + " \"model\": {\"layers\": [40, 16, 10]},"
      + " \"data\": {\"source\": \"blobs\", \"validationSize\": 90, \"splitSeed\": 5}}";

  private static final String NEW = "{\"seed\": 7, \"trials\": 2, \"epochs\": 2, \"batch_size\": 50,"
      + " \"final_epochs\": 3, \"final_seeds\": 2, \"budget_per_parameter\": 4, \"trial_seeds\": 2,"
      + " \"optimizers\": [\"DynamicBlended\"],"
      + " \"search\": {\"DynamicBlended\": {\"optimizer\": \"blended\", \"gate_input\": \"gradient-stats\","
      + " \"gate_output\": \"per-tensor\"}},"
      + " \"model\": {\"layers\": [40, 16, 10]},"
      + " \"data\": {\"source\": \"blobs\", \"validation_size\": 90, \"split_seed\": 5}}";

  @Test
  void oldCamelCaseTuneConfigLoadsEqualToTheSnakeCaseOne() throws IOException {
    TuneConfig old = TuneConfigLoader.resolve(Files.writeString(tmp.resolve("old.json"), OLD), Map.of());
    TuneConfig now = TuneConfigLoader.resolve(Files.writeString(tmp.resolve("new.json"), NEW), Map.of());
    assertEquals(now, old);
    assertEquals(50, old.batchSize());
    assertEquals(3, old.finalEpochs());
    assertEquals(2, old.finalSeeds());
    assertEquals(4, old.budgetPerParameter());
    assertEquals(90, old.data().validationSize());
    assertEquals(5L, old.data().splitSeed());
    assertEquals("gradient-stats", old.search().get("DynamicBlended").gateInput());
    assertEquals("per-tensor", old.search().get("DynamicBlended").gateOutput());
  }

  @Test
  void writtenConfigHasSnakeCaseKeysOnly() {
    JsonNode json = TuneConfigLoader.toJson(TuneConfigLoader.defaults());
    assertTrue(json.has("batch_size") && json.has("final_epochs") && json.has("final_seeds"), json.toString());
    assertTrue(json.path("data").has("validation_size") && json.path("data").has("split_seed"), json.toString());
    assertTrue(json.at("/search/DynamicBlended").has("gate_input"), json.toString());
    assertNoCamelCaseKeys(json, "");
    assertNoCamelCaseKeys(ConfigLoader.mapper().valueToTree(TrainConfig.defaults()), "");
    assertTrue(ConfigLoader.toJson(TrainConfig.defaults()).contains("\"batch_size\""));
  }

  private static void assertNoCamelCaseKeys(JsonNode node, String at) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      boolean userNamed = at.endsWith("/search") || at.endsWith("/fixed") || at.endsWith("/space")
          || at.endsWith("/params");
      assertFalse(!userNamed && e.getKey().matches("[a-z]+[A-Z].*"), at + "/" + e.getKey());
      assertNoCamelCaseKeys(e.getValue(), at + "/" + e.getKey());
    }
  }

  @Test
  void setAcceptsBothSpellingsAndErrorsNameTheSnakeCaseField() {
    assertEquals(64, TuneConfigLoader.resolve(null, Map.of(), List.of("batch_size=64")).batchSize());
    assertEquals(64, TuneConfigLoader.resolve(null, Map.of(), List.of("batchSize=64")).batchSize());
    assertEquals(300, TuneConfigLoader.resolve(null, Map.of(), List.of("data.validationSize=300")).data()
        .validationSize());
    assertEquals(300, TuneConfigLoader.resolve(null, Map.of(), List.of("data.validation_size=300")).data()
        .validationSize());
    assertEquals(9, TuneConfigLoader.resolve(null, Map.of(), List.of("final_seeds=9")).finalSeeds());
    assertEquals(64, ConfigLoader.resolve(null, Map.of(), List.of("batch_size=64")).batchSize());
    assertEquals(64, ConfigLoader.resolve(null, Map.of(), List.of("batchSize=64")).batchSize());
    assertEquals(11L, ConfigLoader.resolve(null, Map.of(), List.of("data.splitSeed=11")).data().splitSeed());
    assertEquals(11L, ConfigLoader.resolve(null, Map.of(), List.of("data.split_seed=11")).data().splitSeed());

    String tune = assertThrows(BadInputException.class,
        () -> TuneConfigLoader.resolve(null, Map.of(), List.of("batchSize=0"))).getMessage();
    assertTrue(tune.contains("batch_size must be positive"), tune);
    String train = assertThrows(BadInputException.class,
        () -> ConfigLoader.resolve(null, Map.of(), List.of("batchSize=0"))).getMessage();
    assertTrue(train.contains("batch_size must be positive"), train);
    String unknown = assertThrows(BadInputException.class,
        () -> TuneConfigLoader.resolve(null, Map.of(), List.of("batchsize=3"))).getMessage();
    assertTrue(unknown.contains("batch_size") && !unknown.contains("batchSize"), unknown);
  }

  @Test
  void aKeyGivenInBothSpellingsKeepsTheSnakeCaseValue() throws IOException {
    Path f = Files.writeString(tmp.resolve("both.json"), "{\"batchSize\": 10, \"batch_size\": 20}");
    assertEquals(20, TuneConfigLoader.resolve(f, Map.of()).batchSize());
    Path g = Files.writeString(tmp.resolve("both2.json"), "{\"batch_size\": 20, \"batchSize\": 10}");
    assertEquals(20, TuneConfigLoader.resolve(g, Map.of()).batchSize());
  }

  @Test
  void hyperparameterNamesAndStudyNamesAreNotRenamed() {
    JsonNode in = ConfigLoader.mapper().createObjectNode()
        .set("search", ConfigLoader.mapper().createObjectNode()
            .set("batchSize", ConfigLoader.mapper().createObjectNode()
                .set("fixed", ConfigLoader.mapper().createObjectNode().put("myDecay", 0.1))));
    JsonNode out = TuneConfigLoader.snakeKeys(in);
    assertEquals(0.1, out.at("/search/batchSize/fixed/myDecay").asDouble(), out.toString());
  }
}
