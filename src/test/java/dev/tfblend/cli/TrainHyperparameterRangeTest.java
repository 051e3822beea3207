package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tf-blend train} rejects out-of-range baseline hyperparameters before writing anything. */
class TrainHyperparameterRangeTest {
  @TempDir Path tmp;

  private void assertRejected(String expected, String... args) throws IOException {
    Path dir = tmp.resolve("run");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = Stream.concat(Stream.of(args), Stream.of("--set", "data.source=blobs", "--epochs", "1",
        "--out", dir.toString())).toArray(String[]::new);
    assertEquals(2, cl.execute(all), err.toString());
    assertTrue(err.toString().contains(expected), err.toString());
    assertFalse(Files.exists(dir), dir + " should not exist");
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(0, left.count(), "nothing may be written");
    }
  }

  @Test
  void adamBeta1AboveOneExitsTwo() throws IOException {
    assertRejected("adam hyperparameter beta1 must be in [0, 1), got 1.5", "train", "--set", "beta1=1.5");
  }

  @Test
  void sgdMomentumFiveExitsTwo() throws IOException {
    assertRejected("sgd hyperparameter momentum must be in [0, 1), got 5.0",
        "train", "--optimizer", "sgd", "--set", "momentum=5");
  }

  @Test
  void otherBaselineRangesExitTwo() throws IOException {
    assertRejected("adam hyperparameter eps must be > 0", "train", "--set", "eps=0");
    assertRejected("sgd hyperparameter weight_decay must be >= 0", "train", "--optimizer", "sgd",
        "--set", "weight_decay=-1");
  }
}
