package dev.tfblend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C during {@code java -jar tf-blend.jar tune}, then the same command again: the trials
 * finished before the interrupt stay in {@code study.db} as they were, the interrupted trial
 * ends as FAIL ("interrupted") and its parameters run again first, and the resumed run finishes
 * every study with exactly the asked number of trials without re-running a finished one.
 *
 * <p>Ctrl-C on a terminal sends SIGINT to the whole foreground process group: the launcher and
 * the JVM it started. The test sends SIGINT to both. A process started where SIGINT is ignored
 * (a background job of a shell without job control) cannot receive it; the JVM then does not
 * install its handler, so the test sends SIGTERM, which runs the same shutdown hooks.
 */
class TuneInterruptIT {
  private static final String STUDY = "it-int";
  private static final List<String> OPTIMIZERS = List.of("Adam", "SGD");
  private static final int TRIALS = 4;
  /** Enough epochs that a smoke trial lasts about a second: the interrupt lands inside trial 2. */
  private static final String EPOCHS = "100";

  @TempDir Path tmp;

  /**
   * With {@code --jobs 2} two trials run at once, of one study or of both (the studies are tuned
   * together): each running at the interrupt ends and is queued.
   */
  @ParameterizedTest(name = "--jobs {0}")
  @ValueSource(ints = {1, 2})
  void interruptedTuneKeepsFinishedTrialsAndTheSameStudyFinishesWithoutRepeatingThem(int jobs) throws Exception {
    Path runs = tmp.resolve("runs");
    List<String> args = List.of("tune", "--config", "configs/smoke.json", "--trials", String.valueOf(TRIALS),
        "--jobs", String.valueOf(jobs),
        "--epochs", EPOCHS, "--optimizers", String.join(",", OPTIMIZERS), "--study", STUDY,
        "--runs-dir", runs.toString(), "--saved-models-dir", tmp.resolve("saved-models").toString());
    Path db = runs.resolve(STUDY).resolve("study.db");

    // 1. start, wait until the first trial's result is printed, then "press Ctrl-C"
    Process p = TfBlendJar.command(Map.of(), args).start();
    p.getOutputStream().close();
    CompletableFuture<String> out = TfBlendJar.drain(p.getInputStream());
    List<String> err = new CopyOnWriteArrayList<>();
    CompletableFuture<String> firstTrial = new CompletableFuture<>();
    Thread reader = new Thread(() -> readLines(p, err, firstTrial), "stderr");
    reader.setDaemon(true);
    reader.start();
    String seen;
    try {
      seen = firstTrial.get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("no finished trial within 90 s:\n" + String.join("\n", err), e);
    }
    // one at a time, Adam's trial 1 finishes first; two at a time the two studies are tuned
    // together, and the first to finish is trial 1 or 2 of either
    String printed = jobs == 1 ? "Adam" : OPTIMIZERS.stream().filter(seen::startsWith).findFirst().orElse("?");
    assertTrue(seen.startsWith(printed) && (seen.contains("trial 1/" + TRIALS)
        || jobs == 2 && seen.contains("trial 2/" + TRIALS)), seen);
    List<ProcessHandle> group = new ArrayList<>();
    group.add(p.toHandle());
    p.descendants().forEach(group::add);
    assertTrue(group.size() >= 2, "the launcher and the JVM it started: " + group);
    String signal = group.stream().anyMatch(TuneInterruptIT::ignoresSigint) ? "TERM" : "INT";
    List<String> kill = new ArrayList<>(List.of("kill", "-" + signal));
    group.forEach(h -> kill.add(String.valueOf(h.pid())));
    assertEquals(0, new ProcessBuilder(kill).inheritIO().start().waitFor());
    long signalled = System.nanoTime();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("tune did not stop within 60 s of SIG" + signal);
    }
    reader.join(5000);
    double stopSeconds = (System.nanoTime() - signalled) / 1e9;
    String stderr = String.join("\n", err);
    String report = "SIG" + signal + ", exit " + p.exitValue() + " after " + stopSeconds + " s\n--- stdout\n"
        + out.join() + "--- stderr\n" + stderr;
    System.out.println("[TuneInterruptIT] first run, interrupted:\n" + report);
    assertEquals(128 + (signal.equals("INT") ? 2 : 15), p.exitValue(), report);
    assertTrue(group.stream().noneMatch(ProcessHandle::isAlive), "no process left behind");
    assertTrue(stderr.contains("interrupted: ") && stderr.contains("--study " + STUDY), report);
    assertEquals(List.of(), TfBlendJar.nativeLogLines(stderr + out.join()), report);
    assertFalse(Files.exists(runs.resolve(STUDY).resolve("results.json")), "the run stopped before its outputs");

    Map<String, List<FrozenTrial>> before = readStudies(db);
    List<FrozenTrial> shown = before.get(STUDY + "-" + printed);
    assertTrue(shown != null && !shown.isEmpty(), report);
    if (jobs == 1) {
      assertEquals(TrialState.COMPLETE, shown.get(0).state(), "the trial printed before Ctrl-C is stored: " + shown);
    } else {
      // two at a time, the printed trial is trial 0 or 1, whichever finished first
      assertTrue(shown.stream().limit(2).anyMatch(t -> t.state() == TrialState.COMPLETE),
          "the trial printed before Ctrl-C is stored: " + shown);
    }
    // interrupted trial -> its study and the WAITING trial that retries it
    Map<FrozenTrial, String> interrupted = new LinkedHashMap<>();
    Map<FrozenTrial, FrozenTrial> queuedFor = new LinkedHashMap<>();
    for (Map.Entry<String, List<FrozenTrial>> e : before.entrySet()) {
      for (FrozenTrial t : e.getValue()) {
        assertNotEquals(TrialState.RUNNING, t.state(), "no trial left RUNNING: " + t);
        if (Study.INTERRUPTED.equals(t.systemAttrs().get(Study.FAIL_REASON))) {
          assertEquals(TrialState.FAIL, t.state());
          interrupted.put(t, e.getKey());
        }
      }
    }
    assertTrue(!interrupted.isEmpty(), "the trial running at the interrupt ends as FAIL (interrupted): " + before);
    assertTrue(interrupted.size() <= jobs, "at most " + jobs + " trial(s) were running: " + interrupted.keySet());
    for (Map.Entry<FrozenTrial, String> e : interrupted.entrySet()) {
      FrozenTrial stopped = e.getKey();
      FrozenTrial queued = before.get(e.getValue()).stream().filter(t -> t.state() == TrialState.WAITING
          && List.of(stopped.number()).equals(t.systemAttrs().get(Study.RETRY_HISTORY))).findFirst().orElseThrow(
              () -> new AssertionError("the interrupted trial is queued again: " + before.get(e.getValue())));
      assertEquals(stopped.params(), queued.params());
      queuedFor.put(stopped, queued);
    }

    // 2. the same command again finishes the studies
    TfBlendJar.Result again = TfBlendJar.run(args.toArray(String[]::new));
    System.out.println("[TuneInterruptIT] resumed run:\n" + again);
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.err().contains(printed + ": resuming study " + STUDY + "-" + printed + " with "),
        again.toString());
    assertEquals(List.of(), TfBlendJar.nativeLogLines(again.err() + again.out()), again.toString());

    Map<String, List<FrozenTrial>> after = readStudies(db);
    assertEquals(OPTIMIZERS.stream().map(o -> STUDY + "-" + o).toList(), List.copyOf(after.keySet()));
    for (Map.Entry<String, List<FrozenTrial>> e : after.entrySet()) {
      List<FrozenTrial> trials = e.getValue();
      List<FrozenTrial> earlier = before.getOrDefault(e.getKey(), List.of());
      for (FrozenTrial t : trials) {
        assertTrue(t.state().isFinished(), "nothing RUNNING or WAITING is left: " + t);
      }
      // the budget counts COMPLETE and PRUNED trials; the interrupted trial's retry is one of them
      long counted = trials.stream().filter(t -> Study.BUDGET_STATES.contains(t.state())).count();
      assertEquals(TRIALS, counted, e.getKey() + " has the asked number of finished trials: " + trials);
      for (FrozenTrial t : earlier) {
        if (t.state().isFinished()) {
          assertEquals(t, trials.get(t.number()), "kept unchanged: trial " + t.number() + " of " + e.getKey());
        }
      }
      // no finished trial is run again: the trials added by the resume draw other parameters
      // (the retry of the interrupted trial takes its parameters, which never finished)
      Set<Map<String, Object>> finishedParams = new HashSet<>();
      earlier.stream().filter(t -> t.state().isFinished() && !interrupted.containsKey(t))
          .forEach(t -> finishedParams.add(t.params()));
      for (FrozenTrial t : trials.subList(earlier.size(), trials.size())) {
        assertFalse(finishedParams.contains(t.params()), "trial " + t.number() + " of " + e.getKey()
            + " repeats the parameters of a trial finished before the interrupt: " + t.params());
      }
    }
    for (Map.Entry<FrozenTrial, FrozenTrial> e : queuedFor.entrySet()) {
      FrozenTrial retry = after.get(interrupted.get(e.getKey())).get(e.getValue().number());
      assertEquals(e.getKey().params(), retry.params(), "the interrupted parameters ran again");
      assertTrue(retry.state() == TrialState.COMPLETE || retry.state() == TrialState.PRUNED
          || retry.systemAttrs().containsKey(Study.FAIL_REASON), retry.toString());
    }

    JsonNode results = new ObjectMapper().readTree(runs.resolve(STUDY).resolve("results.json").toFile());
    for (String o : OPTIMIZERS) {
      JsonNode trials = results.get("optimizers").get(o).get("trials");
      assertEquals(after.get(STUDY + "-" + o).size(), trials.size(), o);
      assertTrue(results.get("optimizers").get(o).get("final").get("test_loss").isNumber(), o);
    }
  }

  /** Copies the launcher's stderr lines into {@code lines}; completes {@code first} with the first trial result. */
  private static void readLines(Process p, List<String> lines, CompletableFuture<String> first) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (line.matches(".*\\btrial \\d+/\\d+\\s+val_loss .*")) {
          first.complete(line);
        }
      }
    } catch (IOException e) {
      first.completeExceptionally(new UncheckedIOException(e));
    }
    first.completeExceptionally(new AssertionError("tune ended before a trial finished:\n" + String.join("\n", lines)));
  }

  /** All trials of every study in {@code db}, by study name in creation order. */
  private static Map<String, List<FrozenTrial>> readStudies(Path db) {
    Map<String, List<FrozenTrial>> studies = new LinkedHashMap<>();
    try (TrialStorage storage = Storages.open("sqlite:" + db)) {
      storage.getAllStudies().forEach(s -> studies.put(s.studyName(),
          storage.getAllTrials(s.studyId(), EnumSet.allOf(TrialState.class))));
    }
    return studies;
  }

  /** Whether {@code process} ignores SIGINT (Linux: bit 2 of SigIgn in /proc/PID/status). */
  private static boolean ignoresSigint(ProcessHandle process) {
    Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
        }
      }
    } catch (IOException e) {
      // not Linux: assume a terminal-like environment where SIGINT is delivered
    }
    return false;
  }
}
