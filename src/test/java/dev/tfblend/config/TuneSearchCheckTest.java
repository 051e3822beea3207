package dev.tfblend.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tfblend.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tune config is checked against the optimizers' hyperparameter tables when it is loaded, so a
 * search space that can propose a value outside its domain is refused before any trial runs.
 */
class TuneSearchCheckTest {
  @TempDir Path tmp;

  private String refused(String search) throws Exception {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{\"search\": {" + search + "}}");
    return assertThrows(BadInputException.class, () -> TuneConfigLoader.resolve(f, Map.of())).getMessage();
  }

  @Test
  void rangeLeavingTheDomainIsRefused() throws Exception {
    assertEquals("--config " + tmp.resolve("c.json") + ": search.SGD: sgd hyperparameter momentum: search range"
        + " [0.5, 1.2] leaves its domain in [0, 1)", refused("\"SGD\": {\"optimizer\": \"sgd\", \"space\": {"
        + "\"momentum\": {\"type\": \"float\", \"low\": 0.5, \"high\": 1.2}}}"));
    assertEquals("--config " + tmp.resolve("c.json") + ": search.Adam: adam hyperparameter lr: search range"
        + " [0.0, 0.1] leaves its domain > 0", refused("\"Adam\": {\"optimizer\": \"adam\", \"space\": {"
        + "\"lr\": {\"type\": \"float\", \"low\": 0, \"high\": 0.1}}}"));
  }

  @Test
  void unknownKeysAndBadFixedValuesAreRefusedInTheTableFormat() throws Exception {
    assertEquals("--config " + tmp.resolve("c.json") + ": search.Adam: adam has no hyperparameter momentum"
        + " (known: lr, beta1, beta2, eps)", refused("\"Adam\": {\"optimizer\": \"adam\", \"space\": {"
        + "\"momentum\": {\"type\": \"float\", \"low\": 0.5, \"high\": 0.9}}}"));
    assertEquals("--config " + tmp.resolve("c.json") + ": search.SGD: sgd hyperparameter nesterov must be 0 or 1,"
        + " got 2.0", refused("\"SGD\": {\"optimizer\": \"sgd\", \"fixed\": {\"nesterov\": 2}, \"space\": {"
        + "\"lr\": {\"type\": \"float\", \"low\": 0.01, \"high\": 0.1}}}"));
  }

  @Test
  void theShippedConfigsPass() {
    for (String c : new String[] {"configs/seed-experiment.json", "configs/smoke.json", "configs/gate-stats.json"}) {
      assertDoesNotThrow(() -> TuneConfigLoader.resolve(Path.of(c), Map.of()), c);
    }
  }
}
