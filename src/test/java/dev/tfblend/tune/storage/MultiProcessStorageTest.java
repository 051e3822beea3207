package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVM processes ({@link StorageWorker}) share one study: 2 and 4 on one SQLite file, 3
 * on one PostgreSQL database (when {@code TFBLEND_PG_URL} is set). Every trial must be stored
 * once, with the numbers 0..n-1 exactly, and none left RUNNING. Prints the timings. The
 * {@code slow}-tagged variants run 500 trials per process.
 */
class MultiProcessStorageTest {
  @TempDir Path dir;

  @Test
  void twoProcessesShareOneSqliteFile() throws Exception {
    run("sqlite:" + dir.resolve("two.db"), 2, 120);
  }

  @Test
  void fourProcessesShareOneSqliteFile() throws Exception {
    run("sqlite:" + dir.resolve("four.db"), 4, 60);
  }

  @Test
  void threeProcessesShareOnePostgresDatabase() throws Exception {
    String schema = PgTestSupport.createSchema();
    try {
      run(PgTestSupport.urlFor(schema), 3, 80);
    } finally {
      PgTestSupport.dropSchema(schema);
    }
  }

  @Test
  @Tag("slow")
  void fourProcessesShareOneSqliteFileForLong() throws Exception {
    run("sqlite:" + dir.resolve("four-long.db"), 4, 500);
  }

  @Test
  @Tag("slow")
  void threeProcessesShareOnePostgresDatabaseForLong() throws Exception {
    String schema = PgTestSupport.createSchema();
    try {
      run(PgTestSupport.urlFor(schema), 3, 500);
    } finally {
      PgTestSupport.dropSchema(schema);
    }
  }

  private void run(String spec, int processes, int trialsEach) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("java.class.path");
    List<Process> workers = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    long spawn = System.nanoTime();
    try {
      for (int i = 0; i < processes; i++) {
        Path err = dir.resolve("worker" + i + ".err");
        Process p =
            new ProcessBuilder(
                    java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath,
                    StorageWorker.class.getName(), spec, "shared", Integer.toString(trialsEach),
                    Integer.toString(100 + i))
                .redirectError(err.toFile())
                .start();
        workers.add(p);
        outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < processes; i++) {
        assertEquals("ready", outs.get(i).readLine(), "worker " + i + ": " + stderr(i));
      }
      double startupS = (System.nanoTime() - spawn) / 1e9;
      long go = System.nanoTime();
      for (Process p : workers) {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      List<String> reports = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        String line = outs.get(i).readLine();
        assertTrue(workers.get(i).waitFor(300, TimeUnit.SECONDS), "worker " + i + " hangs");
        assertEquals(0, workers.get(i).exitValue(), "worker " + i + ": " + stderr(i));
        assertTrue(line != null && line.startsWith("done "), "worker " + i + " said " + line);
        reports.add(line.substring(5));
      }
      double runS = (System.nanoTime() - go) / 1e9;
      int total = processes * trialsEach;
      try (TrialStorage storage = Storages.open(spec)) {
        long study = storage.getStudyIdByName("shared");
        assertEquals(1, storage.getAllStudies().size(), "one study, though every worker created it");
        List<FrozenTrial> trials = storage.getAllTrials(study);
        assertEquals(total, trials.size(), "no trial lost or duplicated");
        assertEquals(
            IntStream.range(0, total).boxed().toList(),
            trials.stream().map(FrozenTrial::number).toList(),
            "numbers are exactly 0..n-1");
        assertEquals(total, new HashSet<>(trials.stream().map(FrozenTrial::trialId).toList()).size());
        assertTrue(
            trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE && t.params().containsKey("x")),
            "every trial COMPLETE with its param, none RUNNING");
      }
      System.out.printf(
          Locale.ROOT,
          "multi-process %s: %d processes x %d trials = %d trials; startup %.1f s, run %.2f s"
              + " (%.0f trials/s); per worker [trials ms slowest-trial-ms]: %s%n",
          spec.startsWith("sqlite") ? "SQLite" : "PostgreSQL",
          processes, trialsEach, total, startupS, runS, total / runS, reports);
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
      }
    }
  }

  private String stderr(int i) throws Exception {
    Path err = dir.resolve("worker" + i + ".err");
    return Files.exists(err) ? Files.readString(err) : "";
  }
}
