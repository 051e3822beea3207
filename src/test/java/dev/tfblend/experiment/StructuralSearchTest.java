package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A study's search may fix the blend's horizon (one graph per study) but not search it. */
class StructuralSearchTest {
  @TempDir Path tmp;

  private TuneConfig config(String blendSearch) throws Exception {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{\"optimizers\": [\"DynamicBlended\"], \"search\": {\"DynamicBlended\": " + blendSearch + "}}");
    return TuneConfigLoader.resolve(f, Map.of());
  }

  @Test
  void aFixedHorizonIsTheStudysGraph() throws Exception {
    TuneConfig c = config("{\"optimizer\": \"blended\", \"fixed\": {\"unroll\": 5, \"first_order\": 1},"
        + " \"space\": {\"meta_lr\": {\"type\": \"float\", \"low\": 1e-4, \"high\": 1e-2, \"log\": true}}}");
    OptimizerStudy.Validated v = OptimizerStudy.validate("DynamicBlended", c);
    assertEquals(5.0, v.fixed().get("unroll"));
    assertEquals(1.0, v.fixed().get("first_order"));
  }

  @Test
  void searchingTheHorizonIsRefusedNamingTheField() throws Exception {
    TuneConfig c = config("{\"optimizer\": \"blended\","
        + " \"space\": {\"unroll\": {\"type\": \"int\", \"low\": 1, \"high\": 5}}}");
    BadInputException e = assertThrows(BadInputException.class, () -> OptimizerStudy.validate("DynamicBlended", c));
    assertTrue(e.getMessage().startsWith("search.DynamicBlended.space.unroll selects the graph"), e.getMessage());
  }
}
