package dev.tfblend.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules, checked on the imports of {@code src/main/java}: {@code optim} (the update
 * math and the optimizer) knows nothing of meta-learning, training, experiments or the CLI;
 * {@code tune} has no TensorFlow; the CLI reaches the model only through services.
 */
class PackageRulesTest {
  private static final Path ROOT = Path.of("src/main/java/dev/tfblend");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

  /** {@code file: import} for every import of a file under {@code pkg} that starts with a forbidden prefix. */
  private static List<String> violations(String pkg, List<String> forbidden) throws IOException {
    List<String> found = new ArrayList<>();
    Path dir = ROOT.resolve(pkg.replace('.', '/'));
    assertTrue(Files.isDirectory(dir), "no package " + pkg);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          String imp = m.group(1);
          if (forbidden.stream().anyMatch(imp::startsWith)) {
            found.add(ROOT.relativize(f) + ": " + imp);
          }
        }
      }
    }
    return found;
  }

  @Test
  void optimImportsNoMetaTrainExperimentOrCli() throws IOException {
    assertEquals(List.of(), violations("optim", List.of("dev.tfblend.meta.", "dev.tfblend.train.",
        "dev.tfblend.experiment.", "dev.tfblend.cli.")));
  }

  @Test
  void tuneImportsNoTensorFlow() throws IOException {
    assertEquals(List.of(), violations("tune", List.of("org.tensorflow.")));
  }

  @Test
  void cliImportsNoModelOptimOrMeta() throws IOException {
    assertEquals(List.of(), violations("cli", List.of("dev.tfblend.model.", "dev.tfblend.optim.",
        "dev.tfblend.meta.")));
  }

  @Test
  void theScanSeesImports() throws IOException {
    // the check must be able to fail: train does import optim
    assertTrue(!violations("train", List.of("dev.tfblend.optim.")).isEmpty());
  }
}
