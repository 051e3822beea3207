package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.CliRuns;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.testing.FreshJvm;
import dev.tfblend.testing.ModelFixtures;
import dev.tfblend.testing.ModelFixtures.TrainedClassifier;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir static Path shared;
  static TrainedClassifier classifier;
  static Path labelled;
  static Path unlabelled;
  static Path gate;

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void trainAndExport() throws Exception {
    classifier = ModelFixtures.trainedClassifier(shared.resolve("classifier"));
    labelled = shared.resolve("test.csv");
    DatasetCsv.write(classifier.test(), labelled);
    unlabelled = shared.resolve("test-features.csv");
    Files.write(unlabelled, withoutLabels(Files.readAllLines(labelled)));
    gate = shared.resolve("gate");
    ModelFixtures.gate(gate, new float[][] {{1f}, {1f}}, new float[] {0f}, new float[] {1f}, 0f, null);
  }

  private int run(String... args) {
    return CliRuns.run(out, err, args);
  }

  @Test
  void probabilitiesEqualTheInProcessModelExactlyAndAccuracyIsPrinted() throws Exception {
    Path csv = tmp.resolve("pred.csv");
    assertEquals(0, run("predict", "--model", classifier.dir().toString(), "--input", labelled.toString(),
        "--out", csv.toString()), err.toString());
    assertEquals("", out.toString());
    List<String> lines = Files.readAllLines(csv);
    assertEquals("row,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9,label", lines.get(0));
    Dataset test = classifier.test();
    assertEquals(test.size() + 1, lines.size());
    int correct = 0;
    for (int i = 0; i < test.size(); i++) {
      String[] cells = lines.get(i + 1).split(",");
      assertEquals(13, cells.length);
      assertEquals(i, Integer.parseInt(cells[0]));
      float[] want = classifier.probabilities()[i];
      float[] got = new float[10];
      for (int c = 0; c < 10; c++) {
        got[c] = Float.parseFloat(cells[2 + c]);
      }
      assertArrayEquals(want, got, "row " + i + " (bit for bit)");
      assertEquals(argMax(want), Integer.parseInt(cells[1]), "row " + i);
      assertEquals(test.y()[i], Integer.parseInt(cells[12]), "row " + i);
      correct += argMax(want) == test.y()[i] ? 1 : 0;
    }
    assertTrue(correct > test.size() / 2, "the fixture learned something: " + correct);
    String accuracy = String.format(Locale.ROOT, "accuracy %.4f (%d/%d)",
        (double) correct / test.size(), correct, test.size());
    assertTrue(err.toString().contains(accuracy), err + " should contain " + accuracy);
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(csv), files.toList(), "no temporary file left");
    }
  }

  @Test
  void withoutLabelColumnWritesToStdoutAndPrintsNoAccuracy() {
    assertEquals(0, run("predict", "--model", classifier.dir().toString(),
        "--input", unlabelled.toString()), err.toString());
    String[] lines = out.toString().split("\n");
    assertEquals("row,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", lines[0]);
    assertEquals(classifier.test().size() + 1, lines.length);
    for (int i = 0; i < classifier.test().size(); i++) {
      String[] cells = lines[i + 1].split(",");
      assertEquals(12, cells.length);
      for (int c = 0; c < 10; c++) {
        assertEquals(classifier.probabilities()[i][c], Float.parseFloat(cells[2 + c]), "row " + i);
      }
    }
    assertFalse(err.toString().contains("accuracy"), err.toString());
  }

  @Test
  void smallBatchesGiveTheSamePredictions() {
    assertEquals(0, run("predict", "--model", classifier.dir().toString(), "--input", labelled.toString(),
        "--batch-size", "7"), err.toString());
    String[] lines = out.toString().split("\n");
    for (int i = 0; i < classifier.test().size(); i++) {
      String[] cells = lines[i + 1].split(",");
      assertEquals(argMax(classifier.probabilities()[i]), Integer.parseInt(cells[1]), "row " + i);
      for (int c = 0; c < 10; c++) {
        assertEquals(classifier.probabilities()[i][c], Float.parseFloat(cells[2 + c]), 1e-6, "row " + i);
      }
    }
  }

  @Test
  void aDirectoryThatIsNotASavedModelExitsTwo() throws Exception {
    Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
    Path csv = tmp.resolve("pred.csv");
    assertEquals(2, run("predict", "--model", notModel.toString(), "--input", labelled.toString(),
        "--out", csv.toString()));
    assertTrue(err.toString().contains(notModel + " is not a SavedModel: no saved_model.pb"), err.toString());
    assertFalse(Files.exists(csv));
  }

  @Test
  void aGateModelHasNoClassifierSignature() {
    Path csv = tmp.resolve("pred.csv");
    assertEquals(2, run("predict", "--model", gate.toString(), "--input", labelled.toString(),
        "--out", csv.toString()));
    assertTrue(err.toString().contains(gate + " has no signature 'serving_default' (available: gate)"),
        err.toString());
    assertFalse(Files.exists(csv));
  }

  @Test
  void aFeatureWidthMismatchNamesTheFileAndBothWidths() throws Exception {
    Path narrow = tmp.resolve("narrow.csv");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(labelled)) {
      lines.add(line.substring(0, line.lastIndexOf(',')));
    }
    Files.write(narrow, lines);
    Path csv = tmp.resolve("pred.csv");
    assertEquals(2, run("predict", "--model", classifier.dir().toString(), "--input", narrow.toString(),
        "--out", csv.toString()));
    assertTrue(err.toString().contains(narrow + " has 39 feature columns, the model "
        + classifier.dir() + " takes 40 (input 'x')"), err.toString());
    assertFalse(Files.exists(csv));
  }

  @Test
  void aRowWithTheWrongColumnCountOrANonNumberNamesTheLine() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(labelled));
    Path csv = tmp.resolve("pred.csv");

    List<String> short3 = new ArrayList<>(lines);
    short3.set(3, short3.get(3).substring(0, short3.get(3).lastIndexOf(',')));
    Path shortRow = tmp.resolve("short.csv");
    Files.write(shortRow, short3);
    assertEquals(2, run("predict", "--model", classifier.dir().toString(), "--input", shortRow.toString(),
        "--out", csv.toString()));
    assertTrue(err.toString().contains(shortRow + " line 4: expected 41 columns as in the header, got 40"),
        err.toString());

    List<String> word = new ArrayList<>(lines);
    word.set(5, word.get(5).replaceFirst(",[^,]*$", ",abc"));
    Path wordRow = tmp.resolve("word.csv");
    Files.write(wordRow, word);
    assertEquals(2, run("predict", "--model", classifier.dir().toString(), "--input", wordRow.toString(),
        "--out", csv.toString()));
    assertTrue(err.toString().contains(wordRow + " line 6 column 41 ('x39'): 'abc' is not a number"),
        err.toString());
    assertFalse(Files.exists(csv));

    assertEquals(2, run("predict", "--model", classifier.dir().toString(), "--input", labelled.toString(),
        "--batch-size", "0"));
    assertTrue(err.toString().contains("--batch-size must be positive, got 0"), err.toString());
  }

  @Test
  void anExistingOutputIsLeftAloneOnError() throws Exception {
    Path csv = Files.writeString(tmp.resolve("pred.csv"), "previous\n");
    Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
    assertEquals(2, run("predict", "--model", notModel.toString(), "--input", labelled.toString(),
        "--out", csv.toString()));
    assertEquals("previous\n", Files.readString(csv));
  }

  @Test
  void aFreshJvmPredictsTheSameBytes() throws Exception {
    Path here = tmp.resolve("here.csv");
    assertEquals(0, run("predict", "--model", classifier.dir().toString(), "--input", labelled.toString(),
        "--out", here.toString()), err.toString());
    Path there = tmp.resolve("there.csv");
    FreshJvm.Run child = FreshJvm.tfBlend("predict", "--model", classifier.dir().toString(),
        "--input", labelled.toString(), "--out", there.toString());
    assertEquals(0, child.exitCode(), child.output());
    assertTrue(child.output().contains("accuracy"), child.output());
    assertEquals(Files.readString(here), Files.readString(there), "identical CSV from another JVM");
  }

  private static int argMax(float[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  private static List<String> withoutLabels(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.substring(line.indexOf(',') + 1));
    }
    return out;
  }
}
