package dev.tfblend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.testing.ModelFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Bad input to every command and file format, run in-process through picocli. Each case asserts
 * the exit code, that the first line of standard error names the problem (a fragment of it), that
 * no stack trace is printed, and that nothing in the test's file tree (fixtures, inputs, the place
 * outputs would go) was created, changed or deleted.
 *
 * <p>Adding a case is one line in {@link #cases()}: a name, the exit code, a fragment of the
 * message and the arguments. In arguments {@code @name} is the fixture file {@code name} (see
 * {@link #FILES}; {@code sqlite:@name} names it as a SQLite storage), {@code @model} the
 * classifier SavedModel, {@code @gate} the gate SavedModel, {@code @smoke} the project's
 * {@code configs/smoke.json} and {@code @out} a path under the tree where an output would go.
 */
class BadInputCatalogueTest {
  /** Fixture input files, by name. */
  private static final Map<String, String> FILES = Map.ofEntries(
      Map.entry("nan.csv", csv("NaN")),
      Map.entry("inf.csv", csv("Infinity")),
      Map.entry("huge.csv", csv("1e400")),
      Map.entry("overflow32.csv", csv("1e39")),
      Map.entry("hex.csv", csv("0x1p3")),
      Map.entry("suffix.csv", csv("1.5f")),
      Map.entry("word.csv", csv("abc")),
      Map.entry("short-row.csv", header() + "\n1,0.5,0.5\n"),
      Map.entry("header-only.csv", header() + "\n"),
      Map.entry("empty.csv", ""),
      Map.entry("no-header.csv", "1," + "0.5,".repeat(39) + "0.5\n"),
      Map.entry("label-word.csv", header() + "\nx," + "0.5,".repeat(39) + "0.5\n"),
      Map.entry("label-range.csv", header() + "\n12," + "0.5,".repeat(39) + "0.5\n"),
      Map.entry("narrow.csv", "label,x0,x1\n1,0.5,0.5\n"),
      Map.entry("gate-nan.csv", "a,b\n0.5,NaN\n"),
      Map.entry("gate-hex.csv", "0.5,0x1p3\n"),
      Map.entry("gate-inf.csv", "0.5,-Infinity\n"),
      Map.entry("gate-width.csv", "0.5,0.5,0.5\n"),
      Map.entry("gate-word.csv", "0.5,0.5\n0.5,zz\n"),
      Map.entry("gate-huge.jsonl", "[0.5, 1e400]\n"),
      Map.entry("gate-bad.jsonl", "[0.5, 0.5\n"),
      Map.entry("gate-string.jsonl", "[0.5, \"x\"]\n"),
      Map.entry("gate-shape.jsonl", "{\"values\": [0.5, 0.5]}\n"),
      Map.entry("gate-empty.csv", "\n\n"),
      Map.entry("gate-ok.csv", "0.5,0.5\n"),
      Map.entry("not-json.json", "{\"epochs\": 3,,}"),
      Map.entry("array.json", "[1, 2]"),
      Map.entry("unknown-field.json", "{\"epochz\": 3}"),
      Map.entry("float-epochs.json", "{\"epochs\": 2.5}"),
      Map.entry("tune-unknown.json", "{\"trialz\": 3}"),
      Map.entry("tune-trials.json", "{\"trials\": 0}"),
      Map.entry("tune-sampler.json", "{\"sampler\": \"grid\"}"),
      Map.entry("tune-opt.json", "{\"optimizers\": [\"Nope\"]}"),
      Map.entry("a-file", "not a directory\n"),
      Map.entry("not-sqlite.db", "this is not a database, just text\n".repeat(200)),
      Map.entry("truncated.db", "SQLite format 3\u0000garbage"));

  @TempDir static Path root;
  static Path model;
  static Path gate;
  static Path good;

  @BeforeAll
  static void fixtures() throws IOException {
    model = root.resolve("model");
    ModelFixtures.trainedClassifier(model);
    gate = root.resolve("gate");
    ModelFixtures.gate(gate, new float[][] {{1f}, {1f}}, new float[] {0f}, new float[] {1f}, 0f, null);
    for (Map.Entry<String, String> e : FILES.entrySet()) {
      Files.writeString(root.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
    }
    good = root.resolve("good.csv");
    Files.writeString(good, csv("0.25"), StandardCharsets.UTF_8);
    Files.write(root.resolve("latin1.csv"), (header() + "\n1," + "0.5,".repeat(39) + "0\u00e9\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    Files.createSymbolicLink(root.resolve("good-link.csv"), good);
    Files.createDirectories(root.resolve("a-dir"));
    Files.createDirectories(root.resolve("no-pb"));
    Files.createDirectories(root.resolve("bogus-pb"));
    Files.writeString(root.resolve("bogus-pb/saved_model.pb"), "not a protocol buffer");
  }

  static Stream<Object[]> cases() {
    return Stream.of(
        // tf-blend itself
        c("no-subcommand", 2, "missing subcommand"),
        c("unknown-subcommand", 2, "Unmatched argument", "frobnicate"),
        c("unknown-option", 2, "Unknown option: '--nope'", "--nope"),
        // predict: options and model
        c("predict-no-model", 2, "Missing required option: '--model=DIR'", "predict", "--input", "@good.csv"),
        c("predict-no-input", 2, "Missing required option: '--input=FILE'", "predict", "--model", "@model"),
        c("predict-model-missing", 2, "no such directory", "predict", "--model", "@missing", "--input", "@good.csv"),
        c("predict-model-file", 2, "not a directory", "predict", "--model", "@good.csv", "--input", "@good.csv"),
        c("predict-model-no-pb", 2, "no saved_model.pb", "predict", "--model", "@no-pb", "--input", "@good.csv"),
        c("predict-model-bad-pb", 2, "saved_model.pb", "predict", "--model", "@bogus-pb", "--input", "@good.csv"),
        c("predict-model-is-gate", 2, "serving_default", "predict", "--model", "@gate", "--input", "@good.csv"),
        c("predict-batch-zero", 2, "--batch-size must be positive", "predict", "--model", "@model", "--input", "@good.csv", "--batch-size", "0"),
        c("predict-batch-word", 2, "Invalid value for option '--batch-size'", "predict", "--model", "@model", "--input", "@good.csv", "--batch-size", "x"),
        // predict: the input file
        c("predict-input-missing", 2, "no such file", "predict", "--model", "@model", "--input", "@missing.csv"),
        c("predict-input-dir", 2, "is a directory", "predict", "--model", "@model", "--input", "@a-dir"),
        c("predict-input-dev-zero", 2, "larger than the limit of 64 MiB", "predict", "--model", "@model", "--input", "/dev/zero"),
        c("predict-nan", 2, "line 2 column 2 ('x0'): 'NaN' is not a number", "predict", "--model", "@model", "--input", "@nan.csv"),
        c("predict-infinity", 2, "line 2 column 2 ('x0'): 'Infinity' is not a number", "predict", "--model", "@model", "--input", "@inf.csv"),
        c("predict-1e400", 2, "line 2 column 2 ('x0'): 1e400 is not a finite number", "predict", "--model", "@model", "--input", "@huge.csv"),
        c("predict-1e39", 2, "line 2 column 2 ('x0'): 1e+39 is not a finite float32", "predict", "--model", "@model", "--input", "@overflow32.csv"),
        c("predict-hex", 2, "line 2 column 2 ('x0'): '0x1p3' is not a number", "predict", "--model", "@model", "--input", "@hex.csv"),
        c("predict-suffix", 2, "line 2 column 2 ('x0'): '1.5f' is not a number", "predict", "--model", "@model", "--input", "@suffix.csv"),
        c("predict-word", 2, "line 2 column 2 ('x0'): 'abc' is not a number", "predict", "--model", "@model", "--input", "@word.csv"),
        c("predict-short-row", 2, "line 2: expected 41 columns as in the header, got 3", "predict", "--model", "@model", "--input", "@short-row.csv"),
        c("predict-header-only", 2, "no data rows", "predict", "--model", "@model", "--input", "@header-only.csv"),
        c("predict-empty", 2, "line 1: missing header", "predict", "--model", "@model", "--input", "@empty.csv"),
        c("predict-no-header", 2, "line 1 looks like data, not a header", "predict", "--model", "@model", "--input", "@no-header.csv"),
        c("predict-label-word", 2, "line 2 column 'label': 'x' is not an integer", "predict", "--model", "@model", "--input", "@label-word.csv"),
        c("predict-label-range", 2, "line 2 column 'label': 12 is not a class in [0, 10)", "predict", "--model", "@model", "--input", "@label-range.csv"),
        c("predict-narrow", 2, "has 2 feature columns, the model", "predict", "--model", "@model", "--input", "@narrow.csv"),
        c("predict-not-utf8", 2, "not UTF-8 text", "predict", "--model", "@model", "--input", "@latin1.csv"),
        c("predict-out-is-input", 2, "is the --input file", "predict", "--model", "@model", "--input", "@good.csv", "--out", "@good.csv"),
        c("predict-out-via-symlink", 2, "is the --input file", "predict", "--model", "@model", "--input", "@good.csv", "--out", "@good-link.csv"),
        c("predict-out-via-dotdot", 2, "is the --input file", "predict", "--model", "@model", "--input", "@good.csv", "--out", "@a-dir/../good.csv"),
        // gate
        c("gate-no-input", 2, "give --input FILE or --describe", "gate", "--model", "@gate"),
        c("gate-describe-and-input", 2, "--describe takes no --input", "gate", "--model", "@gate", "--describe", "--input", "@gate-ok.csv"),
        c("gate-model-is-classifier", 2, "'gate'", "gate", "--model", "@model", "--input", "@gate-ok.csv"),
        c("gate-nan", 2, "line 2 column 2: 'NaN' is not a number", "gate", "--model", "@gate", "--input", "@gate-nan.csv"),
        c("gate-hex", 2, "line 1 column 2: '0x1p3' is not a number", "gate", "--model", "@gate", "--input", "@gate-hex.csv"),
        c("gate-infinity", 2, "line 1 column 2: '-Infinity' is not a number", "gate", "--model", "@gate", "--input", "@gate-inf.csv"),
        c("gate-width", 2, "line 1: 3 values, the gate takes 2 features", "gate", "--model", "@gate", "--input", "@gate-width.csv"),
        c("gate-word", 2, "line 2 column 2: 'zz' is not a number", "gate", "--model", "@gate", "--input", "@gate-word.csv"),
        c("gate-json-1e400", 2, "line 1 element 2: 1E+400 is not a finite float32", "gate", "--model", "@gate", "--input", "@gate-huge.jsonl"),
        c("gate-json-broken", 2, "line 1: not JSON", "gate", "--model", "@gate", "--input", "@gate-bad.jsonl"),
        c("gate-json-string", 2, "line 1 element 2: \"x\" is not a number", "gate", "--model", "@gate", "--input", "@gate-string.jsonl"),
        c("gate-json-shape", 2, "line 1: expected [numbers] or {\"features\": [numbers]}", "gate", "--model", "@gate", "--input", "@gate-shape.jsonl"),
        c("gate-empty", 2, "no feature vectors", "gate", "--model", "@gate", "--input", "@gate-empty.csv"),
        c("gate-dev-zero", 2, "larger than the limit of 64 MiB", "gate", "--model", "@gate", "--input", "/dev/zero"),
        c("gate-input-missing", 2, "no such file", "gate", "--model", "@gate", "--input", "@missing.csv"),
        c("gate-out-is-input", 2, "is the --input file", "gate", "--model", "@gate", "--input", "@gate-ok.csv", "--out", "@gate-ok.csv"),
        // train
        c("train-no-out", 2, "Missing required option: '--out=DIR'", "train"),
        c("train-epochs-word", 2, "Invalid value for option '--epochs'", "train", "--epochs", "x", "--out", "@out"),
        c("train-set-epochs-exponent", 2, "--set epochs=1e3: field epochs must be an integer (no fraction or exponent), got 1000.0", "train", "--set", "epochs=1e3", "--out", "@out"),
        c("train-set-no-equals", 2, "--set lr: expected name=value", "train", "--set", "lr", "--out", "@out"),
        c("train-set-unknown", 2, "--set bogus=1: unknown key bogus", "train", "--set", "bogus=1", "--out", "@out"),
        c("train-set-lr-word", 2, "--set lr=fast: not a number", "train", "--set", "lr=fast", "--out", "@out"),
        c("train-set-lr-infinite", 2, "--set lr=Infinity: must be a finite number", "train", "--set", "lr=Infinity", "--out", "@out"),
        c("train-set-layers-word", 2, "model.layers must be comma-separated integers", "train", "--set", "model.layers=40,a,10", "--out", "@out"),
        c("train-model-too-large", 2, "model.layers [40, 30000, 30000, 10] has 901,560,010 parameters", "train", "--set", "model.layers=40,30000,30000,10", "--out", "@out"),
        c("train-config-missing", 2, "--config missing.json: no such file", "train", "--config", "missing.json", "--out", "@out"),
        c("train-config-dev-zero", 2, "--config /dev/zero: larger than the limit of 1 MiB", "train", "--config", "/dev/zero", "--out", "@out"),
        c("train-config-dir", 2, "is a directory", "train", "--config", "@a-dir", "--out", "@out"),
        c("train-config-not-json", 2, "not valid JSON at line 1", "train", "--config", "@not-json.json", "--out", "@out"),
        c("train-config-array", 2, "expected a JSON object", "train", "--config", "@array.json", "--out", "@out"),
        c("train-config-unknown-field", 2, "unknown field epochz", "train", "--config", "@unknown-field.json", "--out", "@out"),
        c("train-config-float-epochs", 2, "field epochs must be an integer (no fraction or exponent), got 2.5", "train", "--config", "@float-epochs.json", "--out", "@out"),
        // tune: options are blamed as typed
        c("tune-trials-negative", 2, "--trials: trials must be positive, got -1", "tune", "--trials", "-1", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-trials-word", 2, "Invalid value for option '--trials'", "tune", "--trials", "many"),
        c("tune-epochs-zero", 2, "--epochs: epochs must be positive, got 0", "tune", "--epochs", "0", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-seeds-zero", 2, "--seeds: final_seeds must be positive, got 0", "tune", "--seeds", "0", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-seed-overflow", 2, "--seed: seed must be in [0, 9223372036854774807]", "tune", "--seed", "9223372036854775807", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-seed-negative", 2, "--seed: seed must be in [0,", "tune", "--seed", "-5", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-sampler", 2, "--sampler: sampler must be one of", "tune", "--sampler", "grid", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-optimizers", 2, "--optimizers: optimizers names Nope", "tune", "--optimizers", "Nope", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-dev-zero", 2, "--config /dev/zero: larger than the limit of 1 MiB", "tune", "--config", "/dev/zero", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-not-json", 2, "not valid JSON", "tune", "--config", "@not-json.json", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-unknown-field", 2, "unknown field trialz", "tune", "--config", "@tune-unknown.json", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-trials-zero", 2, "tune-trials.json: trials must be positive, got 0", "tune", "--config", "@tune-trials.json", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-sampler", 2, "tune-sampler.json: sampler must be one of", "tune", "--config", "@tune-sampler.json", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-config-optimizer", 2, "tune-opt.json: optimizers names Nope", "tune", "--config", "@tune-opt.json", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("tune-saved-models-dir-file", 2, "a-file: exists and is not a directory", "tune", "--runs-dir", "@out", "--saved-models-dir", "@a-file"),
        c("tune-runs-dir-file", 2, "a-file: exists and is not a directory", "tune", "--runs-dir", "@a-file", "--saved-models-dir", "@out2"),
        c("tune-runs-dir-under-file", 2, "is not a directory", "tune", "--runs-dir", "@a-file/runs", "--saved-models-dir", "@out2"),
        // dataset
        c("dataset-no-out", 2, "Missing required option: '--out=DIR'", "dataset"),
        c("dataset-padding", 2, "--padding must be LOW,HIGH (two integers), got '5'", "dataset", "--padding", "5", "--out", "@out"),
        c("dataset-padding-word", 2, "--padding must be LOW,HIGH (two integers)", "dataset", "--padding", "a,b", "--out", "@out"),
        c("dataset-train-split", 2, "--train-split", "dataset", "--train-split", "2", "--out", "@out"),
        c("dataset-num-samples-word", 2, "Invalid value for option '--num-samples'", "dataset", "--num-samples", "ten", "--out", "@out"),
        // graphs, gradcheck
        c("graphs-no-out", 2, "Missing required option: '--out=DIR'", "graphs"),
        c("gradcheck-step-word", 2, "Invalid value for option '--step'", "gradcheck", "--step", "tiny"),
        // bench
        c("bench-epochs-zero", 2, "--epochs must be at least 1, got 0", "bench", "--no-tune", "--epochs", "0"),
        c("bench-warmup-zero", 2, "--warmup must be at least 1, got 0", "bench", "--no-tune", "--warmup", "0"),
        c("bench-batch-negative", 2, "--batch-sizes must be positive, got -1", "bench", "--no-tune", "--batch-sizes", "32,-1"),
        c("bench-optimizer-unknown", 2, "optimizer must be one of", "bench", "--no-tune", "--optimizers", "adamw"),
        // storage: what is wrong with the file or URL, exit 2
        c("studies-not-a-database", 2, "not-sqlite.db is not a database", "studies", "--storage", "sqlite:@not-sqlite.db"),
        c("studies-truncated-database", 2, "truncated.db is not a database", "studies", "--storage", "sqlite:@truncated.db"),
        c("best-trial-not-a-database", 2, "not-sqlite.db is not a database", "best-trial", "--study", "s", "--storage", "sqlite:@not-sqlite.db"),
        c("tune-storage-not-a-database", 2, "not-sqlite.db is not a database", "tune", "-q", "--config", "@smoke", "--storage", "sqlite:@not-sqlite.db", "--runs-dir", "@out", "--saved-models-dir", "@out2"),
        c("studies-refused-port", 2, "cannot connect to jdbc:postgresql://127.0.0.1:1/db", "studies", "--storage", "postgresql://u:secret@127.0.0.1:1/db"),
        c("tune-refused-port-no-password", 2, "cannot connect to jdbc:postgresql://127.0.0.1:1/db", "tune", "-q", "--config", "@smoke", "--storage", "postgresql://u:secret@127.0.0.1:1/db", "--runs-dir", "@out", "--saved-models-dir", "@out2"));
  }

  private static Object[] c(String name, int exit, String message, String... args) {
    return new Object[] {name, exit, message, args};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedWithOneLineAndNothingTouched(String name, int exit, String message, String[] args) throws Exception {
    List<String> resolved = new ArrayList<>();
    for (String a : args) {
      resolved.add(resolve(a));
    }
    Map<String, String> before = checksums(root);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TfBlendCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(resolved.toArray(new String[0]));
    String text = "tf-blend " + String.join(" ", resolved) + "\n--- stderr\n" + err + "--- stdout\n" + out;
    assertEquals(exit, code, text);
    String first = err.toString().lines().findFirst().orElse("");
    assertTrue(first.contains(message.replace("@", "")) || first.contains(message.replace("@", root + "/")),
        "first line names the problem (" + message + "):\n" + text);
    assertFalse(err.toString().contains("\tat ") || err.toString().contains("Exception"), "no stack trace:\n" + text);
    assertEquals(before, checksums(root), "nothing created, changed or deleted:\n" + text);
  }

  private static String resolve(String arg) {
    if (arg.startsWith("sqlite:@")) {
      return "sqlite:" + resolve(arg.substring("sqlite:".length()));
    }
    if (!arg.startsWith("@")) {
      return arg;
    }
    String name = arg.substring(1);
    return switch (name) {
      case "smoke" -> Path.of("configs", "smoke.json").toAbsolutePath().toString();
      case "model" -> model.toString();
      case "gate" -> gate.toString();
      case "out" -> root.resolve("out").toString();
      case "out2" -> root.resolve("out2").toString();
      default -> root.resolve(name).toString();
    };
  }

  /** Path -> SHA-256 (or "dir") of everything under {@code dir}, symbolic links not followed. */
  private static Map<String, String> checksums(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String key = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          m.put(key, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          m.put(key, "dir");
        } else {
          m.put(key, sha256(Files.readAllBytes(p)));
        }
      }
    }
    return m;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header() {
    StringBuilder sb = new StringBuilder("label");
    for (int j = 0; j < 40; j++) {
      sb.append(",x").append(j);
    }
    return sb.toString();
  }

  /** A labelled 40-feature CSV of one row whose first feature is {@code first}. */
  private static String csv(String first) {
    return header() + "\n1," + first + ",0.5".repeat(39) + "\n";
  }
}
