package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.testing.TestResources;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCommandTest {
  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  @Test
  void defaultsWriteTheOfficialSet() throws Exception {
    Path dir = tmp.resolve("data-out");
    assertEquals(0, run("dataset", "--out", dir.toString()), err.toString());
    assertTrue(out.toString().contains("train 4000 x 40, test 1000 x 40"), out.toString());
    Dataset train = DatasetCsv.read(dir.resolve("train.csv"), 10);
    Dataset test = DatasetCsv.read(dir.resolve("test.csv"), 10);
    assertEquals(4000, train.size());
    assertEquals(1000, test.size());
    assertEquals(40, test.numFeatures());
    JsonNode json = new ObjectMapper().readTree(dir.resolve("dataset.json").toFile());
    assertEquals(42, json.at("/arguments/seed").asInt());
    assertEquals(60, json.at("/arguments/padding/1").asInt());
    assertTrue(json.at("/versions/tf_blend").isTextual());

    List<String> want = TestResources.lines("/reference/mnist1d/train_head.csv");
    List<String> got = Files.readAllLines(dir.resolve("train.csv"));
    assertEquals(want, got.subList(0, want.size()), "same text as the official head");
  }

  @Test
  void everyGeneratorArgumentHasAnOption() throws Exception {
    Path dir = tmp.resolve("small");
    assertEquals(0, run("dataset", "--out", dir.toString(), "--num-samples", "100",
        "--train-split", "0.5", "--template-len", "10", "--padding", "5,20",
        "--scale-coeff", "0.2", "--max-translation", "10", "--corr-noise-scale", "0.1",
        "--iid-noise-scale", "0.01", "--shear-scale", "0.5", "--shuffle-seq",
        "--final-seq-length", "16", "--seed", "7"), err.toString());
    Dataset train = DatasetCsv.read(dir.resolve("train.csv"), 10);
    assertEquals(50, train.size());
    assertEquals(16, train.numFeatures());
    JsonNode a = new ObjectMapper().readTree(dir.resolve("dataset.json").toFile()).get("arguments");
    assertEquals(5, a.at("/padding/0").asInt());
    assertTrue(a.get("shuffleSeq").asBoolean());
    assertEquals(0.01, a.get("iidNoiseScale").asDouble());
  }

  @Test
  void badValuesExitTwoNamingTheOptionAndWriteNothing() {
    Path dir = tmp.resolve("never");
    assertEquals(2, run("dataset", "--out", dir.toString(), "--padding", "60,36"));
    assertTrue(err.toString().contains("--padding"), err.toString());
    assertEquals(2, run("dataset", "--out", dir.toString(), "--num-samples", "-3"));
    assertTrue(err.toString().contains("--num-samples"), err.toString());
    assertEquals(2, run("dataset", "--out", dir.toString(), "--final-seq-length", "1"));
    assertTrue(err.toString().contains("--final-seq-length"), err.toString());
    assertEquals(2, run("dataset", "--out", dir.toString(), "--train-split", "1.5"));
    assertTrue(err.toString().contains("--train-split"), err.toString());
    assertEquals(2, run("dataset", "--out", dir.toString(), "--seed", "abc"));
    assertTrue(err.toString().contains("--seed"), err.toString());
    assertEquals(2, run("dataset", "--out", dir.toString(), "--padding", "36"));
    assertTrue(err.toString().contains("LOW,HIGH"), err.toString());
    assertEquals(2, run("dataset"));
    assertTrue(err.toString().contains("--out"), err.toString());
    assertFalse(Files.exists(dir));
  }
}
