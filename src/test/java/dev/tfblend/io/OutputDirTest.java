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
    try (OutputDir out = OutputDir.stage(target)) {
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
    BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(victim));
    assertEquals("--out " + victim + " exists and is not empty; choose a new directory or remove it",
        e.getMessage());
    assertEquals("years of work", Files.readString(precious));
    assertEquals(List.of("victim"), siblings(), "no staging directory may be left");
  }

  @Test
  void anEarlierOutputIsReplaced() throws IOException {
    Path dir = tmp.resolve("run");
    writeAndCommit(dir, "manifest.json", "{\"n\": 1}");
    Files.writeString(dir.resolve("old-extra.txt"), "from the first run");
    writeAndCommit(dir, "manifest.json", "{\"n\": 2}");
    assertEquals("{\"n\": 2}", Files.readString(dir.resolve("manifest.json")));
    assertFalse(Files.exists(dir.resolve("old-extra.txt")));
    assertEquals(List.of("run"), siblings());
  }

  @Test
  void eachKnownOutputFileAndAnEmptyDirectoryMayBeReplaced() throws IOException {
    for (String name : List.of("manifest.json", "result.json", "dataset.json", "saved_model.pb",
        "sgd_train_step.pbtxt")) {
      Path dir = Files.createDirectory(tmp.resolve("d-" + name));
      Files.writeString(dir.resolve(name), "x");
      writeAndCommit(dir, "new.txt", name);
      assertEquals(List.of("new.txt"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    writeAndCommit(empty, "new.txt", "y");
    assertEquals("y", Files.readString(empty.resolve("new.txt")));
  }

  @Test
  void theCurrentDirectoryAndItsAncestorsAreRefused() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path p : List.of(Path.of("."), Path.of(""), cwd, cwd.getParent())) {
      BadInputException e = assertThrows(BadInputException.class, () -> OutputDir.stage(p), p::toString);
      assertTrue(e.getMessage().startsWith("--out " + p + " "), e.getMessage());
    }
    assertTrue(Files.exists(cwd.resolve("pom.xml")));
  }
}
