package dev.tfblend.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tfblend.BadInputException;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.train.Optimizers;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.IntDistribution;
import dev.tfblend.tune.SearchSpace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that determines a {@code tune} run: the studies (one per optimizer), their budget,
 * the final runs and the model and data they share. JSON keys are the component names in
 * snake_case ({@code batchSize} is {@code batch_size}; the camelCase spelling is read too); a config
 * file may give any subset, the rest comes from the embedded {@code configs/seed-experiment.json}
 * (see {@link TuneConfigLoader}).
 *
 * @param description free text, copied into the report
 * @param seed the study's seed: sampler seeds, the model initialisation and batch order of every
 *     trial, and (plus 1000 + k) the seeds of the final runs
 * @param trials trials per optimizer (positive), unless {@code budgetPerParameter} is set
 * @param budgetPerParameter when set (positive), each study runs this many trials per tuned
 *     hyperparameter (the keys of its search space) instead of {@code trials}; {@code null} gives
 *     every study {@code trials}
 * @param epochs epochs per trial (positive)
 * @param batchSize rows per training step (positive)
 * @param finalEpochs epochs of each final run (positive)
 * @param finalSeeds how many final runs per optimizer, each on its own seed (positive)
 * @param repeats how many whole studies (search and final runs) to run, repeat {@code r} with
 *     study seed {@code seed + r} (positive; 1 runs the study once)
 * @param jobs how many trials of a study this process runs at once, each on its own graph and
 *     session (positive); {@code null} (the default) means the number of available processors
 *     ({@link #effectiveJobs()}). Not part of what a study measures: processes sharing a study
 *     may differ in it
 * @param trialSeeds how many seeds (model initialisation and batch order) score each trial: the
 *     trial's value is the mean of their final validation losses (positive; JSON {@code trial_seeds})
 * @param trialSeedMode {@code shared} (every trial of a study trains on the same seeds) or
 *     {@code per-trial} (each trial on seeds of its own); JSON {@code trial_seed_mode}
 * @param sampler {@code tpe}, {@code tpe-multivariate} or {@code random}
 * @param pruner {@code none} or {@code median} (Optuna's default pruner)
 * @param optimizers the studies to run, in order; names are keys of {@code search}
 * @param search per study name: the optimizer, fixed hyperparameters and the search space
 * @param model the MLP every study trains
 * @param data the data set
 */
public record TuneConfig(
    String description,
    long seed,
    int trials,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @JsonProperty("budget_per_parameter") @JsonAlias("budget_per_parameter") Integer budgetPerParameter,
    int epochs,
    @JsonProperty("batch_size") @JsonAlias("batch_size") int batchSize,
    @JsonProperty("final_epochs") @JsonAlias("final_epochs") int finalEpochs,
    @JsonProperty("final_seeds") @JsonAlias("final_seeds") int finalSeeds,
    int repeats,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    Integer jobs,
    @JsonProperty("trial_seeds") int trialSeeds,
    @JsonProperty("trial_seed_mode") String trialSeedMode,
    String sampler,
    String pruner,
    List<String> optimizers,
    Map<String, OptimizerSearch> search,
    ModelConfig model,
    DataConfig data) {

  /** Known samplers. */
  public static final List<String> SAMPLERS = List.of("tpe", "tpe-multivariate", "random");
  /** Known pruners. */
  public static final List<String> PRUNERS = List.of("none", "median");
  /** Known trial seed modes. */
  public static final List<String> TRIAL_SEED_MODES = List.of("shared", "per-trial");

  /**
   * One study's optimizer.
   *
   * @param optimizer {@code blended}, {@code adam} or {@code sgd}
   * @param fixed hyperparameters held fixed during the search (the optimizer's defaults fill the
   *     rest)
   * @param space the search space: hyperparameter name to distribution (see
   *     {@code dev.tfblend.tune.SearchSpace})
   * @param gateInput for {@code blended}: the gate's input, {@code flat-gradients} (the published
   *     method, default) or {@code gradient-stats}; must be absent for other optimizers
   * @param gateOutput for {@code blended}: {@code global} (one alpha per step, the published method,
   *     default) or {@code per-tensor} (one per parameter tensor); must be absent for other optimizers
   */
  public record OptimizerSearch(String optimizer, Map<String, Double> fixed, JsonNode space,
      @JsonProperty("gate_input") @JsonAlias("gateInput") String gateInput,
      @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
      @JsonProperty("gate_output") @JsonAlias("gateOutput") String gateOutput) {
    public OptimizerSearch {
      fixed = fixed == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
    }
  }

  public TuneConfig {
    optimizers = optimizers == null ? List.of() : List.copyOf(optimizers);
    search = search == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(search));
  }

  /** This config with study seed {@code newSeed} (a repeat's config). */
  public TuneConfig withSeed(long newSeed) {
    return new TuneConfig(description, newSeed, trials, budgetPerParameter, epochs, batchSize, finalEpochs, finalSeeds,
        repeats, jobs, trialSeeds, trialSeedMode, sampler, pruner, optimizers, search, model, data);
  }

  /**
   * How many trials of a study run at once in this process: {@code jobs}, or the number of
   * available processors ({@link Runtime#availableProcessors()}) when it is not set.
   */
  public int effectiveJobs() {
    return jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
  }

  /**
   * The trials of study {@code key}: {@code budgetPerParameter} times the size of its search space
   * when that is set, else {@code trials}.
   */
  public int trialsFor(String key) {
    if (budgetPerParameter == null) {
      return trials;
    }
    OptimizerSearch s = search.get(key);
    return budgetPerParameter * (s == null || s.space() == null ? 1 : Math.max(1, s.space().size()));
  }

  /** The budget rule in words, for results and reports. */
  public String budgetRule() {
    return budgetPerParameter == null ? "equal: " + trials + " trials per optimizer"
        : "per parameter: " + budgetPerParameter + " trials per tuned hyperparameter";
  }

  /** Checks every field, naming the first bad one (prefixed by {@code source}). */
  public TuneConfig validated(String source) {
    positive(source, "trials", trials);
    if (budgetPerParameter != null) {
      positive(source, "budget_per_parameter", budgetPerParameter);
    }
    positive(source, "epochs", epochs);
    positive(source, "batch_size", batchSize);
    positive(source, "final_epochs", finalEpochs);
    positive(source, "final_seeds", finalSeeds);
    positive(source, "repeats", repeats);
    if (jobs != null) {
      positive(source, "jobs", jobs);
    }
    positive(source, "trial_seeds", trialSeeds);
    if (trialSeedMode == null || !TRIAL_SEED_MODES.contains(trialSeedMode)) {
      throw BadInputException.of("%s: trial_seed_mode must be one of %s, got %s", source, TRIAL_SEED_MODES,
          trialSeedMode);
    }
    if (sampler == null || !SAMPLERS.contains(sampler)) {
      throw BadInputException.of("%s: sampler must be one of %s, got %s", source, SAMPLERS, sampler);
    }
    if (pruner == null || !PRUNERS.contains(pruner)) {
      throw BadInputException.of("%s: pruner must be one of %s, got %s", source, PRUNERS, pruner);
    }
    if (optimizers.isEmpty()) {
      throw BadInputException.of("%s: optimizers is empty; name at least one of %s", source, search.keySet());
    }
    for (String name : optimizers) {
      OptimizerSearch s = search.get(name);
      if (s == null) {
        throw BadInputException.of("%s: optimizers names %s, which has no entry in search (known: %s)",
            source, name, String.join(", ", search.keySet()));
      }
      if (s.optimizer() == null) {
        throw BadInputException.of("%s: search.%s.optimizer is missing", source, name);
      }
      if (s.space() == null || !s.space().isObject() || s.space().isEmpty()) {
        throw BadInputException.of("%s: search.%s.space must be a non-empty object", source, name);
      }
      if (s.gateInput() != null && !s.optimizer().equals("blended")) {
        throw BadInputException.of("%s: search.%s.gate_input applies to the blended optimizer only", source, name);
      }
      if (s.gateInput() != null && !List.of("flat-gradients", "gradient-stats").contains(s.gateInput())) {
        throw BadInputException.of("%s: search.%s.gate_input must be flat-gradients or gradient-stats, got %s",
            source, name, s.gateInput());
      }
      if (s.gateOutput() != null && !s.optimizer().equals("blended")) {
        throw BadInputException.of("%s: search.%s.gate_output applies to the blended optimizer only", source, name);
      }
      if (s.gateOutput() != null && !List.of("global", "per-tensor").contains(s.gateOutput())) {
        throw BadInputException.of("%s: search.%s.gate_output must be global or per-tensor, got %s",
            source, name, s.gateOutput());
      }
      if (java.util.Collections.frequency(optimizers, name) > 1) {
        throw BadInputException.of("%s: optimizers names %s twice", source, name);
      }
      try {
        checkSearch(s, SearchSpace.fromJson(s.space(), "search." + name + ".space"));
      } catch (BadInputException e) {
        throw new BadInputException(source + ": search." + name + ": " + e.getMessage(), e);
      }
    }
    if (model == null) {
      throw BadInputException.of("%s: model is missing", source);
    }
    if (data == null) {
      throw BadInputException.of("%s: data is missing", source);
    }
    try {
      model.validated();
      data.validated();
    } catch (BadInputException e) {
      throw new BadInputException(source + ": " + e.getMessage(), e);
    }
    return this;
  }

  /**
   * Checks a study's optimizer, fixed values and search space against the optimizer's
   * hyperparameter table: every key known, every fixed value and every value the space can
   * propose inside its domain, so a bad space is refused before any trial runs.
   *
   * @throws BadInputException in the table's format
   */
  static void checkSearch(OptimizerSearch search, SearchSpace space) {
    HyperparameterTable table = Optimizers.table(search.optimizer());
    table.check(search.fixed());
    space.distributions().forEach((key, d) -> {
      if (d instanceof FloatDistribution f) {
        boolean integral = f.step() != null && f.step() == Math.rint(f.step()) && f.low() == Math.rint(f.low());
        table.checkRange(key, f.low(), f.high(), integral);
      } else if (d instanceof IntDistribution i) {
        table.checkRange(key, i.low(), i.high(), true);
      } else if (d instanceof CategoricalDistribution c) {
        c.choices().forEach(v -> table.check(key, v instanceof Number n ? n.doubleValue() : Double.NaN));
      }
    });
  }

  private static void positive(String source, String field, int value) {
    if (value <= 0) {
      throw BadInputException.of("%s: %s must be positive, got %s", source, field, value);
    }
  }
}
