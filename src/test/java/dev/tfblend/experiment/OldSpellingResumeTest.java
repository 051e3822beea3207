package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study created by a version that wrote config keys in camelCase ({@code batchSize},
 * {@code data.validationSize}) resumes with the same config, and is still refused with another.
 */
class OldSpellingResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  /** {@code config} as the older versions stored it: the camelCase keys. */
  private static ObjectNode oldSpelling(TuneConfig config) {
    ObjectNode o = (ObjectNode) JSON.valueToTree(TuneConfigLoader.toJson(config));
    rename(o, "batch_size", "batchSize");
    rename(o, "final_epochs", "finalEpochs");
    rename(o, "final_seeds", "finalSeeds");
    rename((ObjectNode) o.get("data"), "validation_size", "validationSize");
    rename((ObjectNode) o.get("data"), "split_seed", "splitSeed");
    for (JsonNode s : o.get("search")) {
      rename((ObjectNode) s, "gate_input", "gateInput");
      rename((ObjectNode) s, "gate_output", "gateOutput");
    }
    assertTrue(o.has("batchSize") && o.path("data").has("validationSize") && !o.has("batch_size"), o.toString());
    return o;
  }

  private static void rename(ObjectNode o, String from, String to) {
    if (o.has(from)) {
      o.set(to, o.remove(from));
    }
  }

  private static TuneConfig smoke(List<String> sets) {
    return TuneConfigLoader.resolve(Path.of("configs/smoke.json"), Map.of(), sets);
  }

  @Test
  void runDirectoryConfigInOldSpellingIsTheSameStudy() throws IOException {
    TuneConfig config = smoke(List.of());
    Path saved = tmp.resolve(StudyResume.STUDY_CONFIG);
    Files.writeString(saved, JSON.writeValueAsString(oldSpelling(config)));
    assertDoesNotThrow(() -> StudyResume.checkSameStudy(config, saved, "old"));
    BadInputException e = assertThrows(BadInputException.class,
        () -> StudyResume.checkSameStudy(smoke(List.of("batch_size=25")), saved, "old"));
    assertTrue(e.getMessage().contains("batch_size 50 -> 25"), e.getMessage());
  }

  @Test
  void storedStudyAttributeInOldSpellingIsTheSameStudy() {
    TuneConfig config = smoke(List.of());
    InMemoryStorage storage = new InMemoryStorage();
    Study study = Study.create("old-Adam", storage, StudyDirection.MINIMIZE, new RandomSampler(1), new NopPruner());
    storage.setStudySystemAttr(study.studyId(), SharedStudy.CONFIG_ATTR,
        JSON.convertValue(oldSpelling(config), Object.class));
    assertDoesNotThrow(() -> SharedStudy.checkOrStoreConfig(storage, study, "Adam", config, "old"));
    BadInputException e = assertThrows(BadInputException.class,
        () -> SharedStudy.checkOrStoreConfig(storage, study, "Adam", smoke(List.of("data.validation_size=90")), "old"));
    assertTrue(e.getMessage().contains("data"), e.getMessage());
  }
}
