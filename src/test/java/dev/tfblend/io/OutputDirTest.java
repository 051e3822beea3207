package dev.tfblend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputDirTest {
  @TempDir Path tmp;

  private static void writeAndCommit(Path target, String name, String text) throws IOException {
    try (OutputDir out = OutputDir.stage(target, "train", false)) {
      Files.writeString(out.path().resolve(name), text);
      out.commit();
    }
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aDirectoryWithUnrelatedFilesIsRefusedAndKept() throws IOException {
    Path victim = Files.createDirectory(tmp.resolve("victim"));
    Path precious = Files.writeString(victim.resolve("thesis.tex"), "years of work");
    BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(victim, "train", false));
    assertEquals("--out " + victim + " exists and was not written by tf-blend train (no .tf-blend-output"
        + " marker); choose a new directory or remove it", e.getMessage());
    assertEquals("years of work", Files.readString(precious));
    assertEquals(List.of("victim"), siblings(), "no staging directory may be left");
  }

  @Test
  void anEarlierOutputIsReplaced() throws IOException {
    Path dir = tmp.resolve("run");
    writeAndCommit(dir, "old-extra.txt", "from the first run");
    writeAndCommit(dir, "manifest.json", "{\"n\": 2}");
    assertEquals("{\"n\": 2}", Files.readString(dir.resolve("manifest.json")));
    assertFalse(Files.exists(dir.resolve("old-extra.txt")));
    assertEquals(List.of("run"), siblings());
  }

  @Test
  void anEmptyDirectoryMayBeReplaced() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    writeAndCommit(empty, "new.txt", "y");
    assertEquals("y", Files.readString(empty.resolve("new.txt")));
  }

  /** Issue 11 finding 1: an output file name alone no longer makes a directory replaceable. */
  @Test
  void finding1KnownOutputFileNamesDoNotMakeAForeignDirectoryReplaceable() throws IOException {
    for (String name : List.of("manifest.json", "result.json", "dataset.json", "saved_model.pb",
        "sgd_train_step.pbtxt")) {
      Path dir = Files.createDirectory(tmp.resolve("d-" + name));
      Files.writeString(dir.resolve(name), "x");
      Files.writeString(dir.resolve("notes.txt"), "other work");
      assertThrows(BadInputException.class, () -> OutputDir.stage(dir, "train", false), name);
      assertEquals("other work", Files.readString(dir.resolve("notes.txt")));
    }
  }

  /** Issue 11 finding 1: {@code train --out runs/s1} must not delete a tune run's study.db and report. */
  @Test
  void finding1AnotherCommandsOutputIsRefused() throws IOException {
    Path run = tmp.resolve("s1");
    try (OutputDir out = OutputDir.stage(run, "dataset", false)) {
      Files.writeString(out.path().resolve("dataset.json"), "{}");
      out.commit();
    }
    BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(run, "train", false));
    assertEquals("--out " + run + " was written by tf-blend dataset, not train; choose a new directory or remove it",
        e.getMessage());
    assertTrue(Files.exists(run.resolve("dataset.json")));
  }

  /** Issue 11 finding 1: files added to an earlier output after it was written are never deleted. */
  @Test
  void finding1AnEarlierOutputHoldingForeignFilesIsRefused() throws IOException {
    Path dir = tmp.resolve("run");
    writeAndCommit(dir, "result.json", "{}");
    Files.writeString(dir.resolve("analysis.ipynb"), "mine");
    BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(dir, "train", false));
    assertTrue(e.getMessage().contains("holds analysis.ipynb, which tf-blend train did not write"), e.getMessage());
    assertEquals("mine", Files.readString(dir.resolve("analysis.ipynb")));
  }

  /** Issue 11 finding 1: a directory inside saved-models/ is replaced only with --force. */
  @Test
  void finding1SavedModelsNeedsForce() throws IOException {
    Path dir = tmp.resolve("saved-models").resolve("mine");
    try (OutputDir out = OutputDir.stage(dir, "train", false)) {
      Files.writeString(out.path().resolve("result.json"), "1");
      out.commit();
    }
    BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(dir, "train", false));
    assertEquals("--out " + dir + " exists inside saved-models/; pass --force to replace it", e.getMessage());
    try (OutputDir out = OutputDir.stage(dir, "train", true)) {
      Files.writeString(out.path().resolve("result.json"), "2");
      out.commit();
    }
    assertEquals("2", Files.readString(dir.resolve("result.json")));
    Path shipped = Files.createDirectories(tmp.resolve("saved-models").resolve("default-gate"));
    Files.writeString(shipped.resolve("saved_model.pb"), "shipped");
    assertThrows(BadInputException.class, () -> OutputDir.stage(shipped, "train", true));
    assertEquals("shipped", Files.readString(shipped.resolve("saved_model.pb")));
  }

  @Test
  void theCurrentDirectoryAndItsAncestorsAreRefused() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p : List.of(Path.of("."), Path.of(""), cwd, cwd.getParent())) {
      BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(p, "train", false), p::toString);
      assertTrue(e.getMessage().startsWith("--out " + p + " "), e.getMessage());
    }
    assertTrue(Files.exists(cwd.resolve("pom.xml")));
  }
}
