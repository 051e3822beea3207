package dev.tfblend.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.TpeSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchSpaceTest {

  private static Path resource() throws URISyntaxException {
    return Path.of(SearchSpaceTest.class.getResource("/tune/search-space.json").toURI());
  }

  @Test
  void loadsEveryKindOfParameterInOrder() throws Exception {
    SearchSpace space = SearchSpace.load(resource());
    assertEquals(
        List.of("lr", "momentum", "dropout", "units", "epochs", "optimizer"),
        new ArrayList<>(space.distributions().keySet()));
    assertEquals(new FloatDistribution(1e-4, 0.1, true, null), space.distributions().get("lr"));
    assertEquals(FloatDistribution.of(0.5, 0.99), space.distributions().get("momentum"));
    assertEquals(new FloatDistribution(0, 0.5, false, 0.05), space.distributions().get("dropout"));
    assertEquals(new IntDistribution(16, 256, false, 16), space.distributions().get("units"));
    assertEquals(new IntDistribution(1, 64, true, 1), space.distributions().get("epochs"));
    assertEquals(
        CategoricalDistribution.of("adam", "sgd", null, 3, 2.5, true),
        space.distributions().get("optimizer"));
    assertEquals(space, SearchSpace.parse(space.toJson(), "round trip"));
  }

  @Test
  void suggestsEveryParameterThroughTheTrial() throws Exception {
    SearchSpace space = SearchSpace.load(resource());
    Study study =
        Study.create("s", new InMemoryStorage(), StudyDirection.MINIMIZE, new TpeSampler(3),
            new NopPruner());
    List<Map<String, Object>> seen = new ArrayList<>();
    study.optimize(
        t -> {
          Map<String, Object> p = space.suggest(t);
          seen.add(p);
          return (Double) p.get("lr");
        },
        12,
        null);
    assertEquals(12, seen.size());
    for (int i = 0; i < seen.size(); i++) {
      assertEquals(seen.get(i), study.trials().get(i).params());
      assertEquals(space.distributions(), study.trials().get(i).distributions());
    }
  }

  private static String error(String json) {
    return assertThrows(BadInputException.class, () -> SearchSpace.parse(json, "cfg.json"))
        .getMessage();
  }

  @Test
  void errorsNameTheSourceTheParameterAndTheField() {
    assertEquals(
        "cfg.json: parameter 'lr': field 'low' is missing or not a number",
        error("{\"lr\": {\"type\": \"float\", \"high\": 1}}"));
    assertEquals(
        "cfg.json: parameter 'lr': field 'type' is 'floot'; expected float, int or categorical",
        error("{\"lr\": {\"type\": \"floot\", \"low\": 0, \"high\": 1}}"));
    assertEquals(
        "cfg.json: parameter 'n': field 'low' is missing or not a 32-bit integer, got 1.5",
        error("{\"n\": {\"type\": \"int\", \"low\": 1.5, \"high\": 4}}"));
    assertEquals(
        "cfg.json: parameter 'lr': log scale needs low > 0, got low=0.0",
        error("{\"lr\": {\"type\": \"float\", \"low\": 0, \"high\": 1, \"log\": true}}"));
    assertEquals(
        "cfg.json: parameter 'lr': unknown field 'lg' (allowed: high, log, low, step, type)",
        error("{\"lr\": {\"type\": \"float\", \"low\": 0, \"high\": 1, \"lg\": true}}"));
    assertEquals(
        "cfg.json: parameter 'o': field 'choices' must be a non-empty array",
        error("{\"o\": {\"type\": \"categorical\", \"choices\": []}}"));
    assertEquals(
        "cfg.json: parameter 'o': field 'choices[1]': categorical choice must be null, a boolean, a number or a string, got [1]",
        error("{\"o\": {\"type\": \"categorical\", \"choices\": [\"a\", [1]]}}"));
    assertEquals("cfg.json: the search space has no parameters", error("{}"));
    assertTrue(error("{\"lr\": ").startsWith("cfg.json: not valid JSON (line 1, column"));
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");
    BadInputException e = assertThrows(BadInputException.class, () -> SearchSpace.load(missing));
    assertTrue(e.getMessage().startsWith(missing + ": cannot read search space"), e.getMessage());
    assertTrue(Files.notExists(missing));
  }
}
