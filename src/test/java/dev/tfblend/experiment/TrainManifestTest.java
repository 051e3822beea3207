package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.config.DataConfig;
import dev.tfblend.config.ModelConfig;
import dev.tfblend.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link TrainExperiment} records about the data and how it writes its JSON. */
class TrainManifestTest {
  @TempDir Path tmp;

  @Test
  void resolvedDataFillsTheSourcesDefaults() {
    assertEquals(Map.of("source", "mnist1d", "seed", 42L, "validation_size", 800, "split_seed", 2020L),
        TrainExperiment.resolvedData(DataConfig.defaults()));
    assertEquals(List.of("source", "seed", "validation_size", "split_seed"),
        List.copyOf(TrainExperiment.resolvedData(DataConfig.defaults()).keySet()));
    assertEquals(Map.of("source", "mnist1d", "seed", 7L, "validation_size", 500, "split_seed", 2020L),
        TrainExperiment.resolvedData(new DataConfig("mnist1d", 7L, 500, null)));
    assertEquals(Map.of("source", "blobs", "seed", DataSources.BLOBS_DEFAULT_SEED),
        TrainExperiment.resolvedData(new DataConfig("blobs", null, null, null)));
    assertEquals(Map.of("source", "blobs", "seed", 3L),
        TrainExperiment.resolvedData(new DataConfig("blobs", 3L, null, null)));
  }

  @Test
  void manifestRecordsTheDataSettingsUsedAndNoPartialFilesRemain() throws IOException {
    TrainConfig config = new TrainConfig("adam", Map.of(), 1, 64, 0,
        new ModelConfig(List.of(40, 8, 10), "relu"), new DataConfig("blobs", null, null, null));
    Path out = tmp.resolve("run");
    TrainExperiment.run(config, out, r -> {});
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("blobs", m.at("/data_resolved/source").asText());
    assertEquals(DataSources.BLOBS_DEFAULT_SEED, m.at("/data_resolved/seed").asLong());
    assertFalse(m.at("/data_resolved/seed").isNull());
    assertEquals(DataSources.BLOBS_DEFAULT_SEED, m.at("/seeds/data").asLong());
    assertFalse(m.at("/seeds/data").isNull());
    JsonNode saved = new ObjectMapper().readTree(out.resolve("saved-model/manifest.json").toFile());
    List<String> runKeys = List.copyOf(iterable(saved.at("/run")));
    assertEquals(List.of("config", "test_accuracy"), runKeys);
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of(dev.tfblend.io.OutputDir.MARKER, "manifest.json", "result.json", "saved-model",
          "tensorboard"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  private static List<String> iterable(JsonNode n) {
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
