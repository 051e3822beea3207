package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How far one shared study scales on each storage, with a trivial objective ({@code x^2}, random
 * sampler), so that the figures are the storage's: (1) trials per second that 1, 4 and 16 worker
 * processes ({@link SharedBudgetWorker}, {@link Study#optimizeShared}) sustain on one study
 * with a budget of {@value #BUDGET}, checking that exactly the budget finished, numbers are
 * 0..n-1 (none lost, none duplicated) and none is left RUNNING; (2) the storage time per trial
 * once the study already holds 100, 1,000 and 10,000 finished trials. Prints the figures;
 * PostgreSQL runs when {@code TFBLEND_PG_URL} is set. Run with {@code mvn -B test -Pbench
 * -Dtest=StorageScaleBenchmark}.
 */
@Tag("benchmark")
class StorageScaleBenchmark {
  static final int BUDGET = 400;
  @TempDir Path dir;

  @Test
  void sqliteThroughput() throws Exception {
    for (int workers : new int[] {1, 4, 16}) {
      throughput("sqlite:" + dir.resolve("w" + workers + ".db"), "SQLite", workers);
    }
  }

  @Test
  void postgresThroughput() throws Exception {
    for (int workers : new int[] {1, 4, 16}) {
      String schema = PgTestSupport.createSchema();
      try {
        throughput(PgTestSupport.urlFor(schema), "PostgreSQL", workers);
      } finally {
        PgTestSupport.dropSchema(schema);
      }
    }
  }

  @Test
  void sqliteCostPerTrialAsTheStudyGrows() throws Exception {
    costPerTrial(n -> "sqlite:" + dir.resolve("grow" + n + ".db"), "SQLite");
  }

  @Test
  void postgresCostPerTrialAsTheStudyGrows() throws Exception {
    List<String> schemas = new ArrayList<>();
    try {
      costPerTrial(n -> {
        try {
          String schema = PgTestSupport.createSchema();
          schemas.add(schema);
          return PgTestSupport.urlFor(schema);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, "PostgreSQL");
    } finally {
      for (String s : schemas) {
        PgTestSupport.dropSchema(s);
      }
    }
  }

  private void throughput(String spec, String label, int processes) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("java.class.path");
    List<Process> workers = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        Path err = dir.resolve(label + processes + "-" + i + ".err");
        Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
            "-cp", classpath, SharedBudgetWorker.class.getName(), spec, "scale", Integer.toString(BUDGET),
            Integer.toString(100 + i))
            .redirectError(err.toFile()).start();
        workers.add(p);
        outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < processes; i++) {
        assertEquals("ready", outs.get(i).readLine(), "worker " + i);
      }
      long go = System.nanoTime();
      for (Process p : workers) {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      int ranTotal = 0;
      List<Integer> perWorker = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        String line = outs.get(i).readLine();
        assertTrue(workers.get(i).waitFor(600, TimeUnit.SECONDS), "worker " + i + " hangs");
        assertTrue(line != null && line.startsWith("done "), "worker " + i + " said " + line + ": "
            + Files.readString(dir.resolve(label + processes + "-" + i + ".err")));
        int ran = Integer.parseInt(line.split(" ")[1]);
        perWorker.add(ran);
        ranTotal += ran;
      }
      double runS = (System.nanoTime() - go) / 1e9;
      try (TrialStorage storage = Storages.open(spec)) {
        long study = storage.getStudyIdByName("scale");
        List<FrozenTrial> trials = storage.getAllTrials(study);
        assertEquals(BUDGET, trials.size(), "no trial lost or duplicated, none beyond the budget");
        assertEquals(BUDGET, ranTotal, "the workers ran the budget between them");
        assertEquals(IntStream.range(0, BUDGET).boxed().toList(),
            trials.stream().map(FrozenTrial::number).toList(), "numbers are exactly 0..n-1");
        assertEquals(BUDGET, new HashSet<>(trials.stream().map(FrozenTrial::trialId).toList()).size());
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), "none RUNNING");
      }
      System.out.printf(Locale.ROOT,
          "scale %s: %2d processes, budget %d: %.2f s, %.0f trials/s, 0 lost, 0 duplicated; trials per worker %s%n",
          label, processes, BUDGET, runS, BUDGET / runS, perWorker);
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
      }
    }
  }

  /** Opens the storage for a study of a given size. */
  @FunctionalInterface
  interface SpecFor {
    String spec(int size);
  }

  private void costPerTrial(SpecFor specFor, String label) {
    FloatDistribution x = new FloatDistribution(-5, 5, false, null);
    for (int size : new int[] {100, 1_000, 10_000}) {
      String spec = specFor.spec(size);
      try (TrialStorage storage = Storages.open(spec)) {
        Study study = Study.create("grow", storage, StudyDirection.MINIMIZE, new RandomSampler(7), new NopPruner());
        long fill = System.nanoTime();
        for (int i = 0; i < size; i++) {
          double v = -5 + 10.0 * i / size;
          storage.createTrial(study.studyId(), FrozenTrial.template(TrialState.COMPLETE, v * v,
              Map.of("x", v), Map.of("x", x), null, null));
        }
        double fillS = (System.nanoTime() - fill) / 1e9;
        study.enableHeartbeat(Duration.ofSeconds(2), Duration.ofSeconds(6), true);
        int extra = 50;
        study.optimizeShared(t -> t.suggestFloat("x", -5, 5), size + 5, Duration.ofMillis(20));
        long t0 = System.nanoTime();
        study.optimizeShared(t -> {
          double v = t.suggestFloat("x", -5, 5);
          return v * v;
        }, size + 5 + extra, Duration.ofMillis(20));
        double perTrialMs = (System.nanoTime() - t0) / 1e6 / extra;
        long r0 = System.nanoTime();
        int all = storage.getAllTrials(study.studyId()).size();
        double readAllMs = (System.nanoTime() - r0) / 1e6;
        assertEquals(size + 5 + extra, all);
        System.out.printf(Locale.ROOT,
            "growth %s: %5d finished trials: %.2f ms per trial (optimizeShared, 1 process);"
                + " reading all trials %.0f ms; filling took %.1f s%n",
            label, size, perTrialMs, readAllMs, fillS);
      }
    }
  }
}
