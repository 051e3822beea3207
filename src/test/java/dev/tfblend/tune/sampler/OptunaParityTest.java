package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Objective;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.storage.InMemoryStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same proposals as Optuna: 16 trials of {@code TPESampler(seed=3)} from Optuna 3.1.0
 * ({@code tune/optuna31-tpe-trials.txt}, written by {@code tune/optuna31_tpe_trials.py}),
 * univariate and multivariate, on Branin and on a space with log, stepped, int and categorical
 * parameters; "v31" rows with Optuna 3.1's kernel density, "fixed" rows with the density of
 * Optuna 3.5 and later. The first 10 trials are the random startup (numpy's MT19937), the rest
 * TPE proper.
 */
class OptunaParityTest {

  static final Objective MIXED =
      t -> {
        double x = t.suggestFloat("x", -5, 5);
        double lr = t.suggestFloat("lr", 1e-4, 1e-1, true);
        double d = t.suggestFloat("dropout", 0, 0.5, false, 0.05);
        int u = t.suggestInt("units", 16, 256, false, 16);
        String opt = t.suggestCategorical("optimizer", "adam", "sgd", "rmsprop");
        return x * x + Math.abs(Math.log10(lr) + 2.5) + d + Math.abs(u - 128) / 128.0
            + (opt.equals("sgd") ? 0 : 0.3);
      };

  @Test
  void tpeProposesWhatOptunaProposes() throws Exception {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                OptunaParityTest.class.getResourceAsStream("/tune/optuna31-tpe-trials.txt"),
                StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    }
    assertEquals(8, lines.size());
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      String[] head = line.split(" ", 4);
      boolean legacy = head[0].equals("v31");
      boolean multivariate = head[1].equals("multi");
      Objective objective = head[2].equals("branin") ? TestFunctions.BRANIN : MIXED;
      JsonNode expected = json.readTree(head[3]);
      TpeSampler sampler =
          new TpeSampler(
              TpeSampler.Config.defaults(3)
                  .withMultivariate(multivariate)
                  .withLegacyKernelDensity(legacy));
      Study study =
          Study.create("parity", new InMemoryStorage(), StudyDirection.MINIMIZE, sampler,
              new NopPruner());
      study.optimize(objective, expected.size(), null);
      List<FrozenTrial> trials = study.trials();
      for (int i = 0; i < expected.size(); i++) {
        List<String> names = new ArrayList<>(trials.get(i).params().keySet());
        for (int j = 0; j < names.size(); j++) {
          double e = expected.get(i).get(j).asDouble();
          double a = trials.get(i).internalParam(names.get(j));
          assertEquals(
              e, a, 1e-9 * Math.max(1, Math.abs(e)),
              String.join(" ", head[0], head[1], head[2]) + " trial " + i + " " + names.get(j));
        }
      }
    }
  }
}
