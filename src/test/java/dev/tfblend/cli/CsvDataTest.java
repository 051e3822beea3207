package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.data.GaussianBlobs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code data.source csv}: the user's own files (as {@code tf-blend dataset} writes them) for
 * {@code train} and {@code tune}; the model's input width and classes follow the files; bad
 * files are refused naming file, line and column.
 */
class CsvDataTest {
  @TempDir Path tmp;
  private StringWriter err;
  private Path train;
  private Path test;

  private int run(String... args) {
    err = new StringWriter();
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @BeforeEach
  void files() {
    // 6 features, 4 classes: neither the default model's 40 inputs nor its 10 classes
    train = tmp.resolve("train.csv");
    test = tmp.resolve("test.csv");
    DatasetCsv.write(GaussianBlobs.generate(400, 6, 4, 1.0, 5, 0), train);
    DatasetCsv.write(GaussianBlobs.generate(100, 6, 4, 1.0, 5, 1), test);
  }

  private List<String> trainArgs(Path trainFile, Path testFile, String out) {
    return new ArrayList<>(List.of("train", "-q", "--epochs", "3", "--set", "lr=0.01", "--set", "data.source=csv",
        "--set", "data.train=" + trainFile, "--set", "data.test=" + testFile, "--set", "data.validation_size=80",
        "--out", tmp.resolve(out).toString()));
  }

  @Test
  void trainFitsTheModelToTheFilesAndLearns() throws Exception {
    // the header line is optional: the training file here has none, the test file has one
    Path headerless = tmp.resolve("headerless.csv");
    List<String> lines = Files.readAllLines(train);
    Files.write(headerless, lines.subList(1, lines.size()));
    assertTrue(lines.get(0).startsWith("label,x0,"), lines.get(0));
    assertEquals(0, run(trainArgs(headerless, test, "run").toArray(String[]::new)), err.toString());
    ObjectMapper json = new ObjectMapper();
    JsonNode result = json.readTree(tmp.resolve("run/result.json").toFile());
    assertTrue(result.get("test_accuracy").asDouble() > 0.6, result.toString());
    JsonNode manifest = json.readTree(tmp.resolve("run/manifest.json").toFile());
    assertEquals(320, manifest.at("/data_sizes/train").asInt());
    assertEquals(80, manifest.at("/data_sizes/validation").asInt());
    assertEquals(100, manifest.at("/data_sizes/test").asInt());
    assertEquals("csv", manifest.at("/data_resolved/source").asText());
    assertEquals(headerless.toString(), manifest.at("/data_resolved/train").asText());
    JsonNode model = json.readTree(tmp.resolve("run/saved-model/manifest.json").toFile());
    assertTrue(model.toString().contains("[6,100,100,4]"), "layers follow the data: " + model);
  }

  @Test
  void tuneRunsOnTheFiles() throws Exception {
    Path config = tmp.resolve("csv.json");
    Files.writeString(config, "{\"seed\": 3, \"trials\": 1, \"epochs\": 1, \"batch_size\": 50, \"final_epochs\": 1,"
        + " \"final_seeds\": 1, \"optimizers\": [\"Adam\"], \"model\": {\"layers\": [1, 16, 1]},"
        + " \"data\": {\"source\": \"csv\", \"train\": \"" + train + "\", \"test\": \"" + test + "\","
        + " \"validation_size\": 80}}");
    assertEquals(0, run("tune", "-q", "--config", config.toString(), "--study", "csv",
        "--runs-dir", tmp.resolve("runs").toString(), "--saved-models-dir", tmp.resolve("sm").toString()),
        err.toString());
    JsonNode r = new ObjectMapper().readTree(tmp.resolve("runs/csv/results.json").toFile());
    assertTrue(r.at("/optimizers/Adam/final/test_accuracy").asDouble() > 0.3, r.toString());
  }

  @Test
  void mismatchedFilesAreRefusedNamingFileLineAndColumn() throws Exception {
    Path narrow = tmp.resolve("narrow.csv");
    DatasetCsv.write(GaussianBlobs.generate(50, 5, 4, 1.0, 5, 1), narrow);
    assertEquals(2, run(trainArgs(train, narrow, "a").toArray(String[]::new)));
    assertTrue(err.toString().contains(narrow + " line 1: 5 feature columns, but data.train " + train + " has 6"),
        err.toString());

    Path badLabel = tmp.resolve("label.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(test));
    lines.set(3, "9" + lines.get(3).substring(lines.get(3).indexOf(',')));
    Files.write(badLabel, lines);
    assertEquals(2, run(trainArgs(train, badLabel, "b").toArray(String[]::new)));
    assertTrue(err.toString().contains(badLabel + " line 4 column 'label': 9 is not a class in [0, 4)"),
        err.toString());

    Path badValue = tmp.resolve("value.csv");
    lines = new ArrayList<>(Files.readAllLines(train));
    lines.set(2, lines.get(2).substring(0, lines.get(2).lastIndexOf(',')) + ",abc");
    Files.write(badValue, lines);
    assertEquals(2, run(trainArgs(badValue, test, "c").toArray(String[]::new)));
    assertTrue(err.toString().contains(badValue + " line 3 column 7"), err.toString());

    assertEquals(2, run("train", "--set", "data.source=csv", "--set", "data.train=" + train,
        "--out", tmp.resolve("d").toString()));
    assertTrue(err.toString().contains("data.source csv needs data.train and data.test"), err.toString());
    for (String out : List.of("a", "b", "c", "d")) {
      assertFalse(Files.exists(tmp.resolve(out)), "nothing written for " + out);
    }
  }
}
