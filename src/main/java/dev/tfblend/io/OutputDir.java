package dev.tfblend.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * An output directory that appears complete or not at all, and that replaces only what the same
 * kind of command wrote.
 *
 * <p>{@link #stage} creates a hidden sibling staging directory ({@code .NAME.partial-*}); the
 * caller writes everything into {@link #path()} and then calls {@link #commit()}, which records
 * the owner marker {@value #MARKER} (the command kind and the top-level entries written) and
 * moves the staging directory to the target in one rename. If {@link #close()} runs before
 * {@code commit()} (an exception), or the JVM shuts down first (Ctrl-C, SIGTERM), the staging
 * directory is deleted, so nothing half-written is ever left.
 *
 * <p>An existing target is replaced only when it is empty, or when its marker names the same
 * command kind and every top-level entry in it is one that command wrote. Refused, with a
 * {@link BadInputException} that says why, before anything is computed or written: a target
 * that is not a directory; the current working directory or one of its ancestors; a directory
 * without the marker, with another kind's marker, or holding entries the command did not write;
 * and an existing directory inside a {@code saved-models} directory unless {@code force} is set
 * (models shipped with the project live there).
 *
 * <p>The committed tree gets the modes the user's {@link Umask} asks for.
 *
 * <pre>{@code
 * try (OutputDir out = OutputDir.stage(dir, "train", false)) {
 *   Files.writeString(out.path().resolve("result.json"), json);
 *   out.commit();
 * }
 * }</pre>
 *
 * Not thread-safe; one writer per instance.
 */
public final class OutputDir implements AutoCloseable {
  /** The owner marker's file name, at the top level of every committed output directory. */
  public static final String MARKER = ".tf-blend-output";
  /** The directory name under which an existing directory is replaced only with {@code force}. */
  public static final String SAVED_MODELS = "saved-models";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path target;
  private final Path staging;
  private final String kind;
  private final String option;
  private final boolean force;
  private final Thread cleanup;
  private boolean committed;

  private OutputDir(Path target, Path staging, String kind, String option, boolean force) {
    this.target = target;
    this.staging = staging;
    this.kind = kind;
    this.option = option;
    this.force = force;
    this.cleanup = new Thread(() -> deleteTree(staging), "output-dir-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** {@link #stage(Path, String, String, boolean)} for an {@code --out} option. */
  public static OutputDir stage(Path target, String kind, boolean force) {
    return stage(target, kind, "--out", force);
  }

  /**
   * Prepares to write {@code target} for a command of {@code kind} ({@code train},
   * {@code dataset}, ...). Fails with {@link BadInputException} naming {@code option} and the
   * path when the parent cannot be created or written, or when an existing {@code target} may
   * not be replaced (see the class comment).
   *
   * @param force allow replacing an existing directory inside {@value #SAVED_MODELS}
   */
  public static OutputDir stage(Path target, String kind, String option, boolean force) {
    Path abs = target.toAbsolutePath().normalize();
    checkReplaceable(target, abs, kind, option, force);
    Path parent = abs.getParent();
    try {
      Files.createDirectories(parent);
      return new OutputDir(abs, createStaging(parent, abs.getFileName().toString()), kind, option, force);
    } catch (IOException | SecurityException e) {
      throw new BadInputException("cannot write output directory " + target + ": " + describe(e), e);
    }
  }

  /** A new hidden sibling, created with the umask's mode (not owner-only, as a temporary directory is). */
  private static Path createStaging(Path parent, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path p = parent.resolve("." + name + ".partial-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
      try {
        return Files.createDirectory(p);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 9) {
          throw e;
        }
      }
    }
  }

  private static void checkReplaceable(Path target, Path abs, String kind, String option, boolean force) {
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw BadInputException.of("%s %s exists and is not a directory", option, target);
    }
    if (isCurrentDirOrAncestor(abs)) {
      throw BadInputException.of(
          "%s %s is the current directory or contains it; choose a new directory", option, target);
    }
    if (!Files.isDirectory(abs)) {
      return;
    }
    List<String> entries = entries(abs);
    if (entries.isEmpty()) {
      return;
    }
    if (!force && underSavedModels(abs)) {
      throw BadInputException.of("%s %s exists inside %s/; pass --force to replace it", option, target, SAVED_MODELS);
    }
    Marker marker = readMarker(abs);
    if (marker == null) {
      throw BadInputException.of("%s %s exists and was not written by tf-blend %s (no %s marker);"
          + " choose a new directory or remove it", option, target, kind, MARKER);
    }
    if (!marker.kind().equals(kind)) {
      throw BadInputException.of("%s %s was written by tf-blend %s, not %s; choose a new directory or remove it",
          option, target, marker.kind(), kind);
    }
    List<String> foreign = new ArrayList<>();
    for (String e : entries) {
      if (!e.equals(MARKER) && !marker.entries().contains(e)) {
        foreign.add(e);
      }
    }
    if (!foreign.isEmpty()) {
      throw BadInputException.of("%s %s holds %s, which tf-blend %s did not write; choose a new directory"
          + " or move them", option, target, String.join(", ", foreign), kind);
    }
  }

  private static boolean underSavedModels(Path abs) {
    for (Path p = abs.getParent(); p != null; p = p.getParent()) {
      if (p.getFileName() != null && p.getFileName().toString().equals(SAVED_MODELS)) {
        return true;
      }
    }
    return false;
  }

  private record Marker(String kind, TreeSet<String> entries) {}

  private static Marker readMarker(Path dir) {
    Path file = dir.resolve(MARKER);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      TreeSet<String> entries = new TreeSet<>();
      n.path("entries").forEach(e -> entries.add(e.asText()));
      return n.path("kind").isTextual() ? new Marker(n.get("kind").asText(), entries) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static List<String> entries(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw BadInputException.of("cannot read %s: %s", dir, e.getMessage());
    }
  }

  private static boolean isCurrentDirOrAncestor(Path abs) {
    Path cwd = Path.of("").toAbsolutePath().normalize();
    if (cwd.startsWith(abs)) {
      return true;
    }
    try {
      return Files.exists(abs) && cwd.toRealPath().startsWith(abs.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(Exception e) {
    if (e instanceof FileAlreadyExistsException) {
      return "a file is in the way: " + e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  /** Where to write: the staging directory until {@link #commit()}. */
  public Path path() {
    return staging;
  }

  /** The final directory. */
  public Path target() {
    return target;
  }

  /** Writes the owner marker and moves everything written into place. Call once, after the last file. */
  public void commit() {
    if (committed) {
      throw new IllegalStateException("already committed: " + target);
    }
    checkReplaceable(target, target, kind, option, force); // again: the directory may have changed meanwhile
    try {
      Map<String, Object> marker = new LinkedHashMap<>();
      marker.put("kind", kind);
      marker.put("entries", entries(staging));
      JSON.writeValue(staging.resolve(MARKER).toFile(), marker);
      Umask.apply(staging, Umask.current());
      if (Files.isDirectory(target)) {
        Path old = createStaging(target.getParent(), target.getFileName() + ".old");
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        move(staging, target);
        deleteTree(old);
      } else {
        move(staging, target);
      }
      committed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + staging + " to " + target, e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
      Files.move(from, to);
    }
  }

  @Override
  public void close() {
    if (!committed) {
      deleteTree(staging);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook deletes the staging directory (gone once committed)
    }
  }

  /** Deletes a directory tree, ignoring what cannot be deleted. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover staging directory is hidden and harmless
    }
  }
}
