package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps TPE's proposals for fixed seeds in {@code golden/tpe-proposals.v1.json}, so that any
 * change to the sampler's numbers shows up in review. Regenerate with {@code mvn -B test
 * -Dtest=TpeGoldenTest -Dtfblend.updateGolden=true} and explain the change in the commit.
 */
class TpeGoldenTest {
  private static final String RESOURCE = "/golden/tpe-proposals.v1.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private record Case(String name, TpeSampler.Config config) {}

  private static final List<Case> CASES =
      List.of(
          new Case("univariate", TpeSampler.Config.defaults(42)),
          new Case("multivariate", TpeSampler.Config.defaults(42).withMultivariate(true)));

  /** 25 trials over a mixed space; internal values of each trial's params, in order. */
  private static ArrayNode proposals(TpeSampler.Config config) {
    Study study =
        Study.create("golden", new InMemoryStorage(), StudyDirection.MINIMIZE, new TpeSampler(config),
            new NopPruner());
    study.optimize(
        t -> {
          double x = t.suggestFloat("x", -5, 5);
          double lr = t.suggestFloat("lr", 1e-4, 1e-1, true);
          double drop = t.suggestFloat("dropout", 0, 0.5, false, 0.05);
          int units = t.suggestInt("units", 16, 256, false, 16);
          int epochs = t.suggestInt("epochs", 1, 64, true, 1);
          String opt = t.suggestCategorical("optimizer", "adam", "sgd", "rmsprop");
          return x * x + Math.abs(Math.log10(lr) + 2.5) + drop + Math.abs(units - 128) / 128.0
              + Math.abs(Math.log(epochs) - 2) + (opt.equals("sgd") ? 0 : 0.3);
        },
        25,
        null);
    ArrayNode rows = JSON.createArrayNode();
    for (FrozenTrial t : study.trials()) {
      ArrayNode row = rows.addArray();
      for (Map.Entry<String, ?> e : t.params().entrySet()) {
        row.add(t.internalParam(e.getKey()));
      }
    }
    return rows;
  }

  @Test
  void proposalsMatchTheGoldenFile() throws Exception {
    JsonNode golden = null;
    if (Boolean.getBoolean("tfblend.updateGolden")) {
      ObjectNode root = JSON.createObjectNode();
      root.put("version", 1);
      root.put("generator", "dev.tfblend.tune.sampler.TpeGoldenTest");
      root.put(
          "content",
          "internal param values (x, lr, dropout, units, epochs, optimizer index) of 25 trials");
      ObjectNode cases = root.putObject("cases");
      for (Case c : CASES) {
        cases.set(c.name(), proposals(c.config()));
      }
      Path out = Path.of("src/test/resources" + RESOURCE);
      Files.createDirectories(out.getParent());
      JSON.writeValue(out.toFile(), root);
      golden = JSON.readTree(out.toFile());
    } else {
      try (InputStream in = TpeGoldenTest.class.getResourceAsStream(RESOURCE)) {
        assertTrue(in != null, "missing " + RESOURCE + "; run with -Dtfblend.updateGolden=true");
        golden = JSON.readTree(in);
      }
    }
    assertEquals(1, golden.get("version").asInt());
    for (Case c : CASES) {
      JsonNode expected = golden.get("cases").get(c.name());
      ArrayNode actual = proposals(c.config());
      assertEquals(expected.size(), actual.size(), c.name());
      for (int i = 0; i < expected.size(); i++) {
        for (int j = 0; j < expected.get(i).size(); j++) {
          double e = expected.get(i).get(j).asDouble();
          double a = actual.get(i).get(j).asDouble();
          assertEquals(e, a, 1e-9 * Math.max(1, Math.abs(e)), c.name() + " trial " + i + " param " + j);
        }
      }
    }
  }
}
