package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dataset --out} never replaces a directory that holds files tf-blend did not write. */
class DatasetCommandOutTest {
  @TempDir Path tmp;
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void aDirectoryWithAnUnrelatedFileIsLeftAloneWithExitTwo() throws Exception {
    Path victim = Files.createDirectory(tmp.resolve("victim"));
    Files.writeString(victim.resolve("notes.txt"), "mine");
    assertEquals(2, run("dataset", "--out", victim.toString(), "--num-samples", "50"));
    assertTrue(err.toString().contains("--out " + victim + " exists and was not written by tf-blend dataset"), err.toString());
    assertEquals("mine", Files.readString(victim.resolve("notes.txt")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("victim"), s.map(p -> p.getFileName().toString()).toList());
    }
    try (Stream<Path> s = Files.list(victim)) {
      assertEquals(List.of("notes.txt"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void rerunningIntoAnEarlierOutputReplacesIt() throws Exception {
    Path dir = tmp.resolve("data");
    assertEquals(0, run("dataset", "--out", dir.toString(), "--num-samples", "50"), err.toString());
    assertTrue(Files.exists(dir.resolve("dataset.json")));
    assertEquals(0, run("dataset", "--out", dir.toString(), "--num-samples", "60"), err.toString());
    assertEquals(1 + 60 * 4 / 5, Files.readAllLines(dir.resolve("train.csv")).size());
  }
}
