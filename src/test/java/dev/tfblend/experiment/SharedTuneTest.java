package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.PgTestSupport;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tune} in several processes on one storage, as a user runs it (child JVMs started with
 * the launcher's main): three workers with {@code --trials 24} on the smoke config, one of them
 * SIGKILLed in the middle of a trial, and a fourth with another config from another {@code
 * --runs-dir}. Each study ends with exactly 24 finished trials, the killed worker's trial failed
 * by its heartbeat and run again; the final runs happen once, in one output directory; the fourth
 * worker is refused with exit 2. On SQLite and on PostgreSQL ({@code TFBLEND_PG_URL}). Also: a
 * server that accepts connections and never answers ends {@code tune} with the timeout error.
 */
class SharedTuneTest {
  private static final int BUDGET = 24;
  private static final List<String> OPTIMIZERS = List.of("Adam", "SGD");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void threeWorkersShareOneSqliteStudy() throws Exception {
    Files.createDirectories(tmp.resolve("shared"));
    threeWorkers("sqlite:" + tmp.resolve("shared/study.db"));
  }

  @Test
  void threeWorkersShareOnePostgresStudy() throws Exception {
    String schema = PgTestSupport.createSchema();
    try {
      threeWorkers(PgTestSupport.urlFor(schema));
    } finally {
      PgTestSupport.dropSchema(schema);
    }
  }

  @Test
  void aServerThatNeverAnswersEndsTuneWithTheTimeoutError() throws Exception {
    List<Socket> held = new ArrayList<>();
    long[] firstAccept = {0};
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket sock = server.accept();
            synchronized (firstAccept) {
              if (firstAccept[0] == 0) {
                firstAccept[0] = System.nanoTime();
              }
            }
            held.add(sock);
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String host = "127.0.0.1:" + server.getLocalPort();
      Process p = worker(tmp.resolve("runs"), "silent", "postgresql://" + host + "/tf?user=me",
          "--storage-timeout", "3");
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tune hangs");
      long exited = System.nanoTime();
      String err = err("silent");
      assertEquals(1, p.exitValue(), err);
      assertTrue(err.contains(host) && err.contains("connecting") && err.contains("timed out after 3 s"), err);
      // from the moment tune connected (it first starts a JVM and loads TensorFlow)
      double s;
      synchronized (firstAccept) {
        assertTrue(firstAccept[0] != 0, "tune never connected: " + err);
        s = (exited - firstAccept[0]) / 1e9;
      }
      assertTrue(s < 3 + 5, "took " + s + " s after connecting: " + err);
      assertFalse(Files.exists(tmp.resolve("runs/silent")), "nothing written");
    } finally {
      for (Socket sock : held) {
        sock.close();
      }
    }
  }

  private void threeWorkers(String storage) throws Exception {
    String study = "shared" + Long.toHexString(System.nanoTime());
    Path runs = tmp.resolve("runs");
    List<Process> workers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        workers.add(worker(runs, "w" + i, storage, "--study", study));
      }
      // SIGKILL worker 0 in the middle of one of its trials
      Process victim = workers.get(0);
      FrozenTrial killed = killInTrial(storage, study, victim);
      // a fourth worker whose trials would measure something else, from another --runs-dir
      Process other = worker(tmp.resolve("other-runs"), "w3", storage, "--study", study, "--epochs", "3");
      assertTrue(other.waitFor(60, TimeUnit.SECONDS), "the refused worker hangs");
      String otherErr = err("w3");
      assertEquals(2, other.exitValue(), otherErr);
      assertTrue(otherErr.contains("epochs 4 -> 3"), otherErr);
      assertFalse(Files.exists(tmp.resolve("other-runs").resolve(study)), "the refused worker wrote nothing");

      for (int i = 1; i < 3; i++) {
        assertTrue(workers.get(i).waitFor(120, TimeUnit.SECONDS), "worker " + i + " hangs: " + err("w" + i));
        assertEquals(0, workers.get(i).exitValue(), err("w" + i));
      }
      List<String> finals = new ArrayList<>();
      for (int i = 1; i < 3; i++) {
        String e = err("w" + i);
        if (e.contains("final runs and outputs by this process")) {
          finals.add("w" + i);
        } else {
          assertTrue(e.contains("does the final runs and writes the outputs")
              || e.contains("already did these final runs"), e);
        }
      }
      assertEquals(1, finals.size(), "exactly one worker did the final runs: " + finals);
      try (Stream<Path> dirs = Files.list(runs)) {
        assertEquals(List.of(runs.resolve(study)), dirs.toList(), "one output directory");
      }
      JsonNode results = JSON.readTree(runs.resolve(study).resolve("results.json").toFile());

      try (TrialStorage s = Storages.open(storage)) {
        for (String key : OPTIMIZERS) {
          long id = s.getStudyIdByName(study + "-" + key);
          List<FrozenTrial> trials = s.getAllTrials(id);
          assertEquals(BUDGET, trials.stream().filter(t -> Study.BUDGET_STATES.contains(t.state())).count(),
              key + ": exactly the budget finished: " + trials);
          assertTrue(trials.stream().noneMatch(t -> t.state() == TrialState.RUNNING || t.state() == TrialState.WAITING),
              key + ": nothing left running or queued");
          assertEquals(trials.size(), results.at("/optimizers/" + key + "/trials").size(), key);
          Map<String, Object> user = s.getStudyUserAttrs(id);
          assertEquals(key.toLowerCase(java.util.Locale.ROOT), user.get("optimizer"));
          assertNotNull(user.get("config_summary"));
          assertTrue(user.get("final_metrics") instanceof Map<?, ?> m && m.containsKey("test_accuracy"), user.toString());
          assertTrue(s.getStudySystemAttrs(id).get(SharedStudy.CONFIG_ATTR) instanceof Map<?, ?>);
        }
        FrozenTrial after = s.getTrial(killed.trialId());
        assertEquals(TrialState.FAIL, after.state(), "the killed worker's trial failed by its heartbeat");
        assertTrue(String.valueOf(after.systemAttrs().get(Study.FAIL_REASON)).startsWith("stale"), after.toString());
        List<FrozenTrial> retries = s.getAllTrials(killedStudy(s, killed)).stream()
            .filter(t -> t.systemAttrs().get(Study.RETRY_HISTORY) instanceof List<?> h && h.contains(after.number()))
            .toList();
        assertEquals(1, retries.size(), "its parameters were queued once");
        assertEquals(after.params(), retries.get(0).params(), "and ran again");
        assertTrue(Study.BUDGET_STATES.contains(retries.get(0).state()), retries.get(0).toString());
      }
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
      }
    }
  }

  private static long killedStudy(TrialStorage s, FrozenTrial killed) {
    for (var summary : s.getAllStudies()) {
      if (s.getAllTrials(summary.studyId()).stream().anyMatch(t -> t.trialId() == killed.trialId())) {
        return summary.studyId();
      }
    }
    throw new AssertionError("no study holds trial " + killed);
  }

  /**
   * SIGKILLs {@code p} while it runs a trial and returns that trial: waits until p runs one,
   * freezes p (SIGSTOP) so that the trial cannot finish meanwhile, checks that it is still
   * RUNNING, then kills p; otherwise lets p go on (SIGCONT) and tries again.
   */
  private FrozenTrial killInTrial(String storage, String study, Process p) throws Exception {
    while (true) {
      FrozenTrial t = awaitRunningTrialOf(storage, study, p);
      signal("STOP", p);
      try (TrialStorage s = Storages.open(storage)) {
        if (s.getTrial(t.trialId()).state() == TrialState.RUNNING) {
          p.destroyForcibly();
          assertTrue(p.waitFor(30, TimeUnit.SECONDS));
          return t;
        }
      }
      signal("CONT", p);
    }
  }

  private static void signal(String name, Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
  }

  /** Waits until {@code p} runs a trial (its process attribute names p's pid) and returns it. */
  private FrozenTrial awaitRunningTrialOf(String storage, String study, Process p) throws Exception {
    String pid = ":" + p.pid() + ":";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "worker 0 ended early: " + err("w0"));
      try (TrialStorage s = Storages.open(storage)) {
        for (String key : OPTIMIZERS) {
          var id = s.findStudyIdByName(study + "-" + key);
          if (id.isEmpty()) {
            continue;
          }
          for (FrozenTrial t : s.getAllTrials(id.getAsLong(), EnumSet.of(TrialState.RUNNING))) {
            // a trial inside its training: it has its parameters (and the study has a few trials)
            if (String.valueOf(t.systemAttrs().get(SharedStudy.PROCESS_ATTR)).contains(pid)
                && !t.params().isEmpty() && t.number() >= 3) {
              return t;
            }
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("worker 0 never ran a trial: " + err("w0"));
  }

  /** Starts {@code tune} in a child JVM (the launcher's main, as {@code java -jar} runs it). */
  private Process worker(Path runs, String name, String storage, String... more) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.tfblend.cli.Launcher", "tune",
        "--config", Path.of("configs/smoke.json").toAbsolutePath().toString(), "--optimizers", String.join(",", OPTIMIZERS),
        "--trials", Integer.toString(BUDGET), "--storage", storage, "--runs-dir", runs.toString(),
        "--saved-models-dir", tmp.resolve("models").toString(), "--heartbeat", "0.5"));
    if (!List.of(more).contains("--study")) {
      cmd.addAll(List.of("--study", name));
    }
    if (!List.of(more).contains("--epochs")) {
      cmd.addAll(List.of("--epochs", "4"));
    }
    // one trial at a time per worker: three workers on a 2-core machine already run three trials
    // at once, and their 0.5 s heartbeats must not starve (StudyJobsTest and TuneJobsTest cover --jobs)
    if (!List.of(more).contains("--jobs")) {
      cmd.addAll(List.of("--jobs", "1"));
    }
    cmd.addAll(List.of(more));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
    return pb.start();
  }

  private String err(String name) throws IOException {
    Path f = tmp.resolve(name + ".err");
    return Files.exists(f) ? Files.readString(f) : "";
  }
}
