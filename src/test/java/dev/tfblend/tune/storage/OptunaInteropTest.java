package dev.tfblend.tune.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python Optuna reads what {@link RdbStorage} writes into SQLite, and RdbStorage reads and
 * continues what Python Optuna writes. Runs with {@code $TFBLEND_PYTHON} (else {@code
 * /usr/bin/python3}) when it can {@code import optuna}; skipped otherwise. Written against
 * Debian's python3-optuna 3.1.0, which knows only the stamp v3.0.0.d, so the Python side opens
 * our v3.2.0.a files with {@code skip_compatibility_check=True} (Optuna 3.2+ needs no flag).
 */
class OptunaInteropTest {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private static String python;

  @TempDir Path dir;

  @BeforeAll
  static void findPython() throws Exception {
    String env = System.getenv("TFBLEND_PYTHON");
    String candidate = env != null && !env.isBlank() ? env : "/usr/bin/python3";
    boolean ok;
    try {
      Process p =
          new ProcessBuilder(candidate, "-c", "import optuna")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      ok = false;
    }
    Assumptions.assumeTrue(
        ok,
        "Optuna interop tests skipped: " + candidate + " cannot import optuna (set TFBLEND_PYTHON"
            + " or apt-get install python3-optuna)");
    python = candidate;
  }

  private Path scriptFile() throws IOException {
    Path script = dir.resolve("optuna_interop.py");
    if (!Files.exists(script)) {
      try (InputStream in = getClass().getResourceAsStream("optuna_interop.py")) {
        Files.copy(in, script);
      }
    }
    return script;
  }

  private JsonNode py(String command, Path file, String study) throws Exception {
    Path script = scriptFile();
    Process p =
        new ProcessBuilder(python, script.toString(), command, file.toString(), study)
            .redirectErrorStream(false)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
    String stdout = new String(out, StandardCharsets.UTF_8);
    assertEquals(
        0, p.exitValue(), "python " + command + " failed:\n" + new String(err, StandardCharsets.UTF_8));
    String[] lines = stdout.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static String stamp(Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version_num FROM alembic_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Map<String, String> sqliteSchema(Path file) throws Exception {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name, sql FROM sqlite_master")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void sqliteSchemaIsOptunasOwnPlusTheV320Index() throws Exception {
    Path ours = dir.resolve("ours.db");
    Path theirs = dir.resolve("theirs.db");
    RdbStorage.open("sqlite:" + ours).close();
    py("init", theirs, "-");
    Map<String, String> expected = sqliteSchema(theirs);
    if (stamp(theirs).equals("v3.0.0.d")) {
      // Optuna 3.1's create_all predates revision v3.2.0.a, which adds this index.
      expected.put("ix_trials_study_id", "CREATE INDEX ix_trials_study_id ON trials (study_id)");
    }
    assertEquals(expected, sqliteSchema(ours));
  }

  @Test
  void pythonOptunaReadsAStudyWrittenByTfBlend() throws Exception {
    Path file = dir.resolve("java.db");
    FloatDistribution x = FloatDistribution.of(-10, 10);
    FloatDistribution lr = new FloatDistribution(1e-5, 0.1, true, null);
    FloatDistribution m = new FloatDistribution(0, 1, false, 0.25);
    IntDistribution n = new IntDistribution(0, 100, false, 5);
    IntDistribution k = new IntDistribution(1, 1024, true, 1);
    CategoricalDistribution opt = CategoricalDistribution.of("adam", "sgd", null, 3, 2.5, true);
    List<FrozenTrial> written;
    try (RdbStorage s = RdbStorage.open("sqlite:" + file)) {
      long study = s.createStudy("from-java", StudyDirection.MINIMIZE);
      long t0 = s.createTrial(study);
      s.setTrialParam(t0, "x", 1.5, x);
      s.setTrialParam(t0, "lr", 0.0031622776601683794, lr);
      s.setTrialParam(t0, "m", 0.75, m);
      s.setTrialParam(t0, "n", 35, n);
      s.setTrialParam(t0, "k", 16, k);
      s.setTrialParam(t0, "opt", 1, opt);
      s.setTrialIntermediateValue(t0, 0, 3.0);
      s.setTrialIntermediateValue(t0, 1, Double.NaN);
      s.setTrialIntermediateValue(t0, 2, Double.POSITIVE_INFINITY);
      s.setTrialIntermediateValue(t0, 3, 2.0);
      s.setTrialUserAttr(t0, "note", "hello");
      s.setTrialUserAttr(t0, "nested", Map.of("k", List.of(1, "two", 3.5)));
      s.setTrialState(t0, TrialState.COMPLETE, 1.25);
      long t1 = s.createTrial(study);
      s.setTrialParam(t1, "x", 2.0, x);
      s.setTrialParam(t1, "opt", 2, opt);
      s.setTrialIntermediateValue(t1, 0, 5.0);
      s.setTrialIntermediateValue(t1, 1, 4.0);
      s.setTrialState(t1, TrialState.PRUNED, 4.0);
      long t2 = s.createTrial(study);
      s.setTrialParam(t2, "x", -3.0, x);
      s.setTrialSystemAttr(t2, "fail_reason", "boom");
      s.setTrialState(t2, TrialState.FAIL, null);
      long t3 = s.createTrial(study);
      s.setTrialParam(t3, "x", 9.5, x);
      // -inf, not +inf: Optuna 3.1 picks its best trial with ORDER BY value, and SQLite sorts
      // the NULL of an infinity first, so 3.1 would call a +inf trial the best when minimising.
      s.setTrialState(t3, TrialState.COMPLETE, Double.NEGATIVE_INFINITY);
      long t4 = s.createTrial(study);
      s.setTrialParam(t4, "x", 0.0, x);
      s.setTrialParam(t4, "opt", 5, opt);
      s.setTrialParam(t4, "n", 100, n);
      s.setTrialState(t4, TrialState.COMPLETE, 0.5);
      Map<String, Object> fixed = new LinkedHashMap<>();
      fixed.put("x", 2.5);
      fixed.put("opt", "sgd");
      s.createTrial(
          study,
          FrozenTrial.template(TrialState.WAITING, null, null, null, null, Map.of("fixed_params", fixed)));
      written = s.getAllTrials(study);
    }
    assertEquals("v3.2.0.a", stamp(file));
    JsonNode dump = py("dump", file, "from-java");
    assertEquals("MINIMIZE", dump.get("direction").asText());
    assertSameTrials(written, dump.get("trials"));
    assertEquals(3, dump.get("best_number").asInt());
    assertEquals(Double.NEGATIVE_INFINITY, dump.get("best_value").asDouble());
    assertEquals(Double.NEGATIVE_INFINITY, dump.get("trials").get(3).get("value").asDouble());
    assertEquals(0.5, dump.get("trials").get(4).get("value").asDouble());
    assertEquals("WAITING", dump.get("trials").get(5).get("state").asText());
    assertTrue(dump.get("trials").get(5).get("datetime_start").isNull());
  }

  @Test
  void tfBlendReadsAndContinuesAStudyWrittenByPythonOptuna() throws Exception {
    Path file = dir.resolve("python.db");
    assertEquals(7, py("write", file, "from-python").get("n").asInt());
    assertEquals("v3.0.0.d", stamp(file));
    JsonNode before = py("dump", file, "from-python");
    try (RdbStorage s = RdbStorage.open("sqlite:///" + file)) {
      assertEquals("v3.0.0.d", s.schemaStamp());
      long id = s.getStudyIdByName("from-python");
      assertEquals(StudyDirection.MINIMIZE, s.getStudyDirection(id));
      List<FrozenTrial> read = s.getAllTrials(id);
      assertSameTrials(read, before.get("trials"));
      assertEquals(
          List.of(TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED,
              TrialState.COMPLETE, TrialState.COMPLETE, TrialState.WAITING),
          read.stream().map(FrozenTrial::state).toList());
      FrozenTrial pruned = read.get(3);
      assertEquals(
          pruned.intermediateValues().get(pruned.lastStep().getAsInt()),
          pruned.value(),
          "Optuna's PRUNED trial keeps its last intermediate value");

      Study study = Study.load("from-python", s, new RandomSampler(7), new NopPruner());
      study.optimize(
          trial -> {
            double xv = trial.suggestFloat("x", -10, 10);
            double lrv = trial.suggestFloat("lr", 1e-5, 1e-1, true);
            int units = trial.suggestInt("units", 8, 256, false, 8);
            Object o = trial.suggestCategorical("opt", "adam", "sgd", null, 3, 2.5, true);
            for (int step = 0; step < 3; step++) {
              trial.report(xv * xv + step, step);
            }
            return xv * xv + lrv + units / 1000.0 + ("sgd".equals(o) ? 0.5 : 0.0);
          },
          5,
          null);
      List<FrozenTrial> after = s.getAllTrials(id);
      assertEquals(11, after.size(), "7 Python trials (one WAITING, claimed) + 4 new");
      FrozenTrial enqueued = after.get(6);
      assertEquals(TrialState.COMPLETE, enqueued.state());
      assertEquals(1.5, enqueued.params().get("x"));
      assertEquals(64, enqueued.params().get("units"));
      JsonNode dump = py("dump", file, "from-python");
      assertSameTrials(after, dump.get("trials"));
      assertEquals(study.bestTrial().number(), dump.get("best_number").asInt());
      for (int i = 0; i < 11; i++) {
        assertEquals(i, dump.get("trials").get(i).get("number").asInt());
        assertTrue(!dump.get("trials").get(i).get("state").asText().equals("RUNNING"));
      }
    }
    assertEquals("v3.0.0.d", stamp(file), "the stamp of a Python file is never changed");
  }

  @Test
  void javaAndPythonWorkersShareOneSqliteStudy() throws Exception {
    Path file = dir.resolve("mixed.db");
    try (RdbStorage s = RdbStorage.open("sqlite:" + file)) {
      s.createStudy("mixed", StudyDirection.MINIMIZE);
    }
    Path script = scriptFile();
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    List<ProcessBuilder> builders = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      builders.add(
          new ProcessBuilder(
              javaBin, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
              StorageWorker.class.getName(), "sqlite:" + file, "mixed", "80", Integer.toString(i)));
    }
    builders.add(new ProcessBuilder(python, script.toString(), "work", file.toString(), "mixed", "80"));
    List<Process> workers = new ArrayList<>();
    List<java.io.BufferedReader> outs = new ArrayList<>();
    try {
      for (int i = 0; i < builders.size(); i++) {
        Process p = builders.get(i).redirectError(dir.resolve("w" + i + ".err").toFile()).start();
        workers.add(p);
        outs.add(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < workers.size(); i++) {
        assertEquals("ready", outs.get(i).readLine(), Files.readString(dir.resolve("w" + i + ".err")));
      }
      long go = System.nanoTime();
      for (Process p : workers) {
        p.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
      }
      for (int i = 0; i < workers.size(); i++) {
        outs.get(i).readLine();
        assertTrue(workers.get(i).waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, workers.get(i).exitValue(), Files.readString(dir.resolve("w" + i + ".err")));
      }
      double seconds = (System.nanoTime() - go) / 1e9;
      System.out.printf(
          java.util.Locale.ROOT,
          "2 Java + 1 Python Optuna worker x 80 trials on one SQLite study: %.2f s%n", seconds);
    } finally {
      workers.forEach(Process::destroyForcibly);
    }
    JsonNode dump = py("dump", file, "mixed");
    assertEquals(240, dump.get("trials").size());
    try (RdbStorage s = RdbStorage.open("sqlite:" + file)) {
      List<FrozenTrial> all = s.getAllTrials(s.getStudyIdByName("mixed"));
      assertEquals(java.util.stream.IntStream.range(0, 240).boxed().toList(),
          all.stream().map(FrozenTrial::number).toList());
      assertTrue(all.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
      assertSameTrials(all, dump.get("trials"));
    }
  }

  @Test
  void heartbeatsUseOneClockForPythonAndJava() throws Exception {
    Path file = dir.resolve("hb.db");
    long javaTrial;
    try (RdbStorage s = RdbStorage.open("sqlite:" + file)) {
      long study = s.createStudy("java-beats", StudyDirection.MINIMIZE);
      javaTrial = s.createTrial(study);
      s.recordHeartbeat(javaTrial);
    }
    assertEquals(0, py("beat", file, "python-beats").get("number").asInt());
    Thread.sleep(3200);
    JsonNode states = py("failstale", file, "java-beats").get("states");
    assertEquals("FAIL", states.get(0).asText(), "Python fails the Java trial with a stale beat");
    try (RdbStorage s = RdbStorage.open("sqlite:" + file)) {
      long study = s.getStudyIdByName("python-beats");
      List<Long> failed = s.failStaleTrials(study, Duration.ofSeconds(2));
      assertEquals(1, failed.size(), "Java fails the Python trial with a stale beat");
      assertEquals(TrialState.FAIL, s.getTrial(failed.get(0)).state());
      assertEquals(TrialState.FAIL, s.getTrial(javaTrial).state());
    }
  }

  /** Java's snapshots equal what Python Optuna reads from the same file. */
  private static void assertSameTrials(List<FrozenTrial> java, JsonNode pyTrials) {
    assertEquals(java.size(), pyTrials.size(), "trial count");
    for (int i = 0; i < java.size(); i++) {
      FrozenTrial t = java.get(i);
      JsonNode p = pyTrials.get(i);
      String where = "trial " + t.number();
      assertEquals(t.number(), p.get("number").asInt(), where);
      assertEquals(t.state().name(), p.get("state").asText(), where);
      if (t.value() == null) {
        assertTrue(p.get("value").isNull(), where + " value " + p.get("value"));
      } else {
        assertEquals(t.value(), p.get("value").asDouble(), where);
      }
      assertEquals(t.params().keySet(), keys(p.get("params")), where);
      for (Map.Entry<String, Object> e : t.params().entrySet()) {
        Object pv = scalar(p.get("params").get(e.getKey()));
        Distribution d = t.distributions().get(e.getKey());
        assertEquals(d, Distribution.fromJson(p.get("distributions").get(e.getKey()).asText()), where);
        if (d instanceof CategoricalDistribution) {
          assertEquals(e.getValue(), pv, where + " " + e.getKey());
        } else {
          assertEquals(((Number) e.getValue()).doubleValue(), ((Number) pv).doubleValue(), where);
        }
      }
      JsonNode iv = p.get("intermediate_values");
      assertEquals(t.intermediateValues().size(), iv.size(), where);
      for (Map.Entry<Integer, Double> e : t.intermediateValues().entrySet()) {
        assertEquals(e.getValue(), iv.get(e.getKey().toString()).asDouble(), where + " step " + e.getKey());
      }
      assertEquals(local(t.datetimeStart()), pyDateTime(p.get("datetime_start")), where);
      assertEquals(local(t.datetimeComplete()), pyDateTime(p.get("datetime_complete")), where);
      assertEquals(JSON.valueToTree(t.userAttrs()), p.get("user_attrs"), where);
      assertEquals(JSON.valueToTree(t.systemAttrs()), p.get("system_attrs"), where);
    }
  }

  private static List<String> keysList(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  private static java.util.Set<String> keys(JsonNode n) {
    return new java.util.HashSet<>(keysList(n));
  }

  private static Object scalar(JsonNode n) {
    if (n.isNull()) {
      return null;
    } else if (n.isBoolean()) {
      return n.booleanValue();
    } else if (n.isIntegralNumber()) {
      return n.intValue();
    } else if (n.isNumber()) {
      return n.doubleValue();
    }
    return n.asText();
  }

  /** The naive local time Python Optuna shows for an instant we stored. */
  private static LocalDateTime local(Instant t) {
    return t == null ? null : LocalDateTime.ofInstant(t, ZoneId.systemDefault());
  }

  /** Python's {@code datetime.isoformat()} text (or null). */
  private static LocalDateTime pyDateTime(JsonNode n) {
    return n.isNull() ? null : LocalDateTime.parse(n.asText());
  }
}
