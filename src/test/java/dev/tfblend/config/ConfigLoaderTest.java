package dev.tfblend.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path tmp;

  private static String message(Runnable r) {
    return assertThrows(BadInputException.class, r::run).getMessage();
  }

  @Test
  void defaultsAreAdamTenEpochsBatch32() {
    TrainConfig c = ConfigLoader.resolve(null, Map.of(), List.of());
    assertEquals("adam", c.optimizer());
    assertEquals(10, c.epochs());
    assertEquals(32, c.batchSize());
    assertEquals(0, c.seed());
    assertEquals(List.of(40, 100, 100, 10), c.model().layers());
    assertEquals(1e-2, c.effectiveParams().get("lr"));
  }

  @Test
  void fileThenOptionsThenSetsOverrideInOrder() throws IOException {
    Path f = tmp.resolve("c.json");
    Files.writeString(f, "{\"optimizer\": \"sgd\", \"epochs\": 5, \"params\": {\"lr\": 0.2},"
        + " \"model\": {\"activation\": \"tanh\"}}");
    TrainConfig c = ConfigLoader.resolve(f, Map.of("epochs", 7), List.of("momentum=0.5", "batchSize=100",
        "model.layers=40,20,10", "params.lr=0.3"));
    assertEquals("sgd", c.optimizer());
    assertEquals(7, c.epochs());
    assertEquals(100, c.batchSize());
    assertEquals(0.3, c.effectiveParams().get("lr"));
    assertEquals(0.5, c.effectiveParams().get("momentum"));
    assertEquals(0.0, c.effectiveParams().get("weight_decay"));
    assertEquals("tanh", c.model().activation());
    assertEquals(List.of(40, 20, 10), c.model().layers());
  }

  @Test
  void defaultInitIsTorchDefaultForTrainAndTheEmbeddedStudy() {
    assertEquals("torch-default", ConfigLoader.resolve(null, Map.of(), List.of()).model().init());
    assertEquals("torch-default", TuneConfigLoader.defaults().model().init());
  }

  @Test
  void modelInitComesFromFileOrSetAndBadNamesAreRefused() throws IOException {
    assertEquals(ModelConfig.DEFAULT_INIT, ConfigLoader.resolve(null, Map.of(), List.of()).model().init());
    assertEquals("torch-default",
        ConfigLoader.resolve(null, Map.of(), List.of("model.init=torch-default")).model().init());
    Path f = tmp.resolve("init.json");
    Files.writeString(f, "{\"model\": {\"init\": \"glorot-uniform\"}}");
    TrainConfig c = ConfigLoader.resolve(f, Map.of(), List.of());
    assertEquals("glorot-uniform", c.model().init());
    assertEquals(dev.tfblend.model.InitScheme.GLOROT_UNIFORM, c.model().toMlp().init());
    assertEquals(List.of(40, 100, 100, 10), c.model().layers());
    String m = message(() -> ConfigLoader.resolve(null, Map.of(), List.of("model.init=kaiming")));
    assertEquals("model.init must be one of torch-default, he-normal, glorot-uniform, got kaiming", m);
  }

  @Test
  void unknownSetKeyIsNamedWithTheAlternatives() {
    String m = message(() -> ConfigLoader.resolve(null, Map.of(), List.of("learning_rate=0.1")));
    assertTrue(m.contains("learning_rate") && m.contains("lr"), m);
  }

  @Test
  void hyperparameterOfAnotherOptimizerIsRejected() {
    String m = message(() -> ConfigLoader.resolve(null, Map.of("optimizer", "adam"), List.of("momentum=0.9")));
    assertTrue(m.contains("momentum"), m);
  }

  @Test
  void badValuesNameTheField() {
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of("epochs", 0), List.of())).contains("epochs"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of("batchSize", -3), List.of())).contains("batch_size"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of("optimizer", "rmsprop"), List.of())).contains("rmsprop"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of(), List.of("lr=abc"))).contains("lr"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of(), List.of("lr=-1"))).contains("lr"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of(), List.of("lr"))).contains("name=value"));
    assertTrue(message(() -> ConfigLoader.resolve(null, Map.of(), List.of("model.activation=swish"))).contains("model.activation"));
  }

  @Test
  void fileProblemsNameFileAndField() throws IOException {
    Path f = tmp.resolve("bad.json");
    Files.writeString(f, "{\"epochs\": 3, \"epohcs\": 4}");
    String m = message(() -> ConfigLoader.resolve(f, Map.of(), List.of()));
    assertTrue(m.contains("epohcs") && m.contains("bad.json"), m);
    Files.writeString(f, "{\"epochs\": \"many\"}");
    m = message(() -> ConfigLoader.resolve(f, Map.of(), List.of()));
    assertTrue(m.contains("epochs"), m);
    Files.writeString(f, "{\"epochs\": ");
    m = message(() -> ConfigLoader.resolve(f, Map.of(), List.of()));
    assertTrue(m.contains("bad.json"), m);
    m = message(() -> ConfigLoader.resolve(tmp.resolve("none.json"), Map.of(), List.of()));
    assertTrue(m.contains("none.json"), m);
  }
}
