package dev.tfblend.experiment;

import dev.tfblend.config.DataConfig;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.data.Mnist1dConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The published study and its figures, shown beside a run only when the run repeats its protocol.
 *
 * <p>The published protocol: MNIST-1D with its default seed and split (800 validation rows held
 * out of the training set, split seed 2020), the 40-100-100-10 ReLU MLP with PyTorch's default
 * initialisation ({@code torch-default}), 5 trials per optimizer of 10 epochs at batch 32 with
 * the TPE sampler and no pruner, each trial on the study seed alone ({@code trial_seeds} 1,
 * {@code shared}), final runs of 10 epochs, and the search spaces of the embedded
 * {@code configs/seed-experiment.json} for {@code DynamicBlended}, {@code Adam} and {@code SGD}.
 * Seeds, the number of final seeds and of repeats do not change the protocol.
 */
final class PublishedStudy {
  /** The published study's final validation losses. */
  static final Map<String, Double> FIGURES = figures();

  private PublishedStudy() {}

  private static Map<String, Double> figures() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("DynamicBlended", 0.7656);
    m.put("Adam", 1.0807);
    m.put("SGD", 0.8775);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Where {@code config} departs from the published protocol, as {@code field value (published
   * value)} items; empty when it is the published study's.
   */
  static List<String> differences(TuneConfig config) {
    List<String> d = new ArrayList<>();
    DataConfig data = config.data();
    check(d, "data.source", data.source(), "mnist1d");
    if (data.seed() != null) {
      check(d, "data.seed", data.seed(), Mnist1dConfig.defaults().seed());
    }
    if (data.validationSize() != null) {
      check(d, "data.validation_size", data.validationSize(), DataSplits.DEFAULT_VALIDATION_SIZE);
    }
    if (data.splitSeed() != null) {
      check(d, "data.split_seed", data.splitSeed(), DataSplits.DEFAULT_SPLIT_SEED);
    }
    check(d, "data.validation", data.validationMode(), "holdout");
    check(d, "model.layers", config.model().layers(), List.of(40, 100, 100, 10));
    check(d, "model.activation", config.model().activation(), "relu");
    check(d, "model.init", config.model().init(), "torch-default");
    check(d, "trials", config.trials(), 5);
    check(d, "epochs", config.epochs(), 10);
    check(d, "batch_size", config.batchSize(), 32);
    check(d, "final_epochs", config.finalEpochs(), 10);
    check(d, "sampler", config.sampler(), "tpe");
    check(d, "pruner", config.pruner(), "none");
    check(d, "trial_seeds", config.trialSeeds(), 1);
    check(d, "trial_seed_mode", config.trialSeedMode(), "shared");
    Map<String, TuneConfig.OptimizerSearch> published = TuneConfigLoader.defaults().search();
    for (String key : config.optimizers()) {
      TuneConfig.OptimizerSearch s = config.search().get(key);
      TuneConfig.OptimizerSearch p = published.get(key);
      if (!FIGURES.containsKey(key) || p == null) {
        d.add("study " + key + " (not a published study)");
      } else if (!sameSearch(s, p)) {
        d.add("search." + key + " (differs from the published search)");
      }
    }
    return d;
  }

  /** The published figures of the studies {@code config} runs, or null when its protocol differs. */
  static Map<String, Double> figuresFor(TuneConfig config) {
    if (!differences(config).isEmpty()) {
      return null;
    }
    Map<String, Double> m = new LinkedHashMap<>();
    for (String key : config.optimizers()) {
      m.put(key, FIGURES.get(key));
    }
    return m;
  }

  /** Why {@code config} has no published reference, or null when it has one. */
  static String noReference(TuneConfig config) {
    List<String> d = differences(config);
    return d.isEmpty() ? null
        : "no published reference: this run's protocol differs from the published study's (" + String.join(", ", d) + ")";
  }

  private static boolean sameSearch(TuneConfig.OptimizerSearch a, TuneConfig.OptimizerSearch b) {
    String gateA = a.gateInput() == null ? "flat-gradients" : a.gateInput();
    String gateB = b.gateInput() == null ? "flat-gradients" : b.gateInput();
    return Objects.equals(a.optimizer(), b.optimizer()) && a.fixed().equals(b.fixed())
        && Objects.equals(a.space(), b.space()) && gateA.equals(gateB);
  }

  private static void check(List<String> d, String field, Object value, Object published) {
    if (!Objects.equals(normal(value), normal(published))) {
      d.add(field + " " + value + " (published: " + published + ")");
    }
  }

  private static Object normal(Object v) {
    return v instanceof Number n && !(v instanceof Double) ? n.longValue() : v;
  }
}
