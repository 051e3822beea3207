package dev.tfblend.tune.sampler;

import dev.tfblend.random.Mt19937;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Tree-structured Parzen Estimator sampler with Optuna's defaults (Bergstra et al., NeurIPS
 * 2011; Watanabe, arXiv:2304.11127; Optuna's {@code TPESampler}).
 *
 * <p>Until {@code nStartupTrials} (10) trials are COMPLETE or PRUNED it samples at random. Then,
 * for each parameter (or, with {@code multivariate}, for the parameters all finished trials
 * share, jointly):
 *
 * <ol>
 *   <li>split the {@code n} finished trials into the best {@code gamma(n) = min(ceil(0.1 n),
 *       25)} ("below") and the rest ("above"): COMPLETE trials ranked by value first, then
 *       PRUNED trials ranked by the last step they reached (later is better) and the value
 *       reported there; FAIL trials are ignored, and so are RUNNING trials unless {@code
 *       constantLiar} is on;
 *   <li>fit {@link ParzenEstimator}s {@code l(x)} to the below and {@code g(x)} to the above
 *       trials that have the parameters, each with a prior kernel of weight 1.0, the magic
 *       clip, no endpoints, and the weights {@code defaultWeights} (older above-trials ramp
 *       down once there are 25 or more);
 *   <li>draw {@code nEiCandidates} (24) samples from {@code l} and return the one maximising
 *       {@code log l(x) - log g(x)}.
 * </ol>
 *
 * <p><b>Constant liar</b> ({@link Config#withConstantLiar}, Optuna's {@code
 * TPESampler(constant_liar=True)}), for trials that run at once: once past the startup trials,
 * every other RUNNING trial of the study counts as a trial with the worst possible value, so it
 * joins the "above" group with the parameters it has drawn so far, and TPE does not propose
 * again what is being evaluated right now. {@code gamma} still counts only the finished trials
 * and the startup phase still ends after {@code nStartupTrials} finished ones. With no other
 * trial running it proposes exactly what it proposes without the option. Unlike Optuna, a
 * multivariate proposal is not written to the trial's system attributes for other processes:
 * a running trial contributes the parameters stored for it (in {@code tune} all of them, drawn
 * when the trial starts).
 *
 * <p>Kernels are truncated normals with their proper density, as in Optuna 3.5 and later.
 * Optuna up to 3.4 dropped the {@code 1/sigma} factor of continuous kernels (optuna#5109);
 * {@link Config#withLegacyKernelDensity} reproduces that, which the benchmark uses to compare
 * with figures measured on Optuna 3.1.
 *
 * <p>Random numbers are Optuna's: numpy's MT19937 seeded like {@code RandomState(seed)}, one
 * stream for the startup trials and one for TPE, consumed in Optuna's order. With the same seed
 * and objective it proposes what Optuna's {@code TPESampler(seed=seed)} proposes, up to
 * floating-point rounding ({@code OptunaParityTest} checks 16 trials against Optuna 3.1; the
 * benchmark reproduces Optuna's published table). Log-scale ints use the discrete log-normal
 * kernels of current Optuna (optuna#6258), not 3.1's continuous ones.
 *
 * <p>Deterministic given the seed and the sequence of calls (and, with the constant liar, the
 * running trials). Not thread-safe (a study calls its sampler under its sampling lock).
 */
public final class TpeSampler implements Sampler {

  /**
   * Settings, defaulting to Optuna's.
   *
   * @param gamma number of below-trials out of {@code n} finished trials
   * @param weights kernel weights of {@code n} observations in trial-number order
   * @param legacyKernelDensity reproduce Optuna up to 3.4, whose continuous kernels lacked
   *     the {@code 1/sigma} factor of the truncated normal density (optuna#5109, fixed in 3.5
   *     by optuna#5110); false (the default) is the correct density of current Optuna. Only
   *     for comparing with figures measured on old Optuna, such as the 3.1 reference.
   * @param constantLiar count the study's other RUNNING trials as the worst trials ("above"),
   *     for trials that run at once (Optuna's {@code constant_liar}); false (Optuna 3.1's
   *     default, and what a lone sequential study needs) ignores them
   */
  public record Config(
      long seed,
      int nStartupTrials,
      int nEiCandidates,
      double priorWeight,
      boolean considerMagicClip,
      boolean considerEndpoints,
      boolean multivariate,
      IntUnaryOperator gamma,
      IntFunction<double[]> weights,
      boolean legacyKernelDensity,
      boolean constantLiar) {

    public Config {
      if (nStartupTrials < 0 || nEiCandidates < 1 || !(priorWeight >= 0)) {
        throw new IllegalArgumentException(
            "need nStartupTrials >= 0, nEiCandidates >= 1, priorWeight >= 0; got "
                + nStartupTrials + ", " + nEiCandidates + ", " + priorWeight);
      }
      Objects.requireNonNull(gamma, "gamma");
      Objects.requireNonNull(weights, "weights");
    }

    /** Optuna's defaults with this seed. */
    public static Config defaults(long seed) {
      return new Config(
          seed, 10, 24, 1.0, true, false, false, TpeSampler::defaultGamma,
          TpeSampler::defaultWeights, false, false);
    }

    /** This config with multivariate TPE on or off. */
    public Config withMultivariate(boolean value) {
      return with(seed, value, legacyKernelDensity, constantLiar);
    }

    /** This config with the kernel density of Optuna up to 3.4 ({@code legacyKernelDensity}) on or off. */
    public Config withLegacyKernelDensity(boolean value) {
      return with(seed, multivariate, value, constantLiar);
    }

    /** This config with the constant liar on or off (see {@link TpeSampler}). */
    public Config withConstantLiar(boolean value) {
      return with(seed, multivariate, legacyKernelDensity, value);
    }

    /** This config with another seed. */
    public Config withSeed(long value) {
      return with(value, multivariate, legacyKernelDensity, constantLiar);
    }

    /** This config with the components its withers change replaced; the others kept. */
    private Config with(long seed, boolean multivariate, boolean legacyKernelDensity, boolean constantLiar) {
      return new Config(seed, nStartupTrials, nEiCandidates, priorWeight, considerMagicClip,
          considerEndpoints, multivariate, gamma, weights, legacyKernelDensity, constantLiar);
    }
  }

  private static final EnumSet<TrialState> FINISHED_FOR_TPE =
      EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED);
  private static final EnumSet<TrialState> FINISHED_OR_RUNNING =
      EnumSet.of(TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING);

  private final Config config;
  private final ParzenEstimator.Parameters parzen;
  private final Mt19937 startupRng;
  private final Mt19937 rng;

  /** TPE with Optuna's defaults (univariate) and this seed. */
  public TpeSampler(long seed) {
    this(Config.defaults(seed));
  }

  public TpeSampler(Config config) {
    this.config = Objects.requireNonNull(config, "config");
    this.parzen =
        new ParzenEstimator.Parameters(
            config.priorWeight(), config.considerMagicClip(), config.considerEndpoints(),
            config.multivariate(), config.weights(), config.legacyKernelDensity());
    // Two generators with the same seed, as Optuna's TPESampler(seed) holds RandomState(seed)
    // for TPE and a RandomSampler(seed) for the startup trials.
    this.startupRng = new Mt19937(config.seed() & 0xffffffffL);
    this.rng = new Mt19937(config.seed() & 0xffffffffL);
  }

  public Config config() {
    return config;
  }

  /** Optuna's {@code default_gamma}: {@code min(ceil(0.1 n), 25)}. */
  public static int defaultGamma(int n) {
    return Math.min((int) Math.ceil(0.1 * n), 25);
  }

  /**
   * Optuna's {@code default_weights}: all ones below 25 observations; otherwise the oldest
   * {@code n - 25} ramp linearly from {@code 1/n} to 1 and the newest 25 weigh 1.
   */
  public static double[] defaultWeights(int n) {
    double[] w = new double[n];
    if (n < 25) {
      Arrays.fill(w, 1.0);
      return w;
    }
    int ramp = n - 25;
    for (int i = 0; i < ramp; i++) {
      w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
    }
    Arrays.fill(w, ramp, n, 1.0);
    return w;
  }

  @Override
  public Optional<String> budgetNotice(int nTrials) {
    if (nTrials <= config.nStartupTrials()) {
      return Optional.of(
          String.format(
              "TPE samples randomly for the first %d trials; with %d trials this study is a"
                  + " random search.",
              config.nStartupTrials(), nTrials));
    }
    return Optional.empty();
  }

  @Override
  public Map<String, Distribution> inferRelativeSearchSpace(Study study, FrozenTrial trial) {
    if (!config.multivariate()) {
      return Map.of();
    }
    // Optuna's IntersectionSearchSpace(include_pruned=True): params with the same
    // distribution in every COMPLETE or PRUNED trial, in the order of the latest such trial
    // (the order decides which random numbers each parameter gets).
    List<FrozenTrial> finished = study.trials(FINISHED_FOR_TPE);
    if (finished.isEmpty()) {
      return Map.of();
    }
    Map<String, Distribution> space =
        new LinkedHashMap<>(finished.get(finished.size() - 1).distributions());
    for (FrozenTrial t : finished) {
      space.entrySet().removeIf(e -> !e.getValue().equals(t.distributions().get(e.getKey())));
    }
    space.values().removeIf(Distribution::isSingle);
    return space;
  }

  @Override
  public Map<String, Double> sampleRelative(
      Study study, FrozenTrial trial, Map<String, Distribution> searchSpace) {
    if (searchSpace.isEmpty()) {
      return Map.of();
    }
    List<FrozenTrial> finished = study.trials(FINISHED_FOR_TPE);
    if (finished.size() < config.nStartupTrials()) {
      return Map.of();
    }
    return sample(study.direction(), trial.trialId(), observed(study, trial, finished), searchSpace);
  }

  @Override
  public double sampleIndependent(
      Study study, FrozenTrial trial, String name, Distribution distribution) {
    List<FrozenTrial> finished = study.trials(FINISHED_FOR_TPE);
    if (finished.size() < config.nStartupTrials()) {
      return RandomSampler.sample(startupRng, distribution);
    }
    return sample(study.direction(), trial.trialId(), observed(study, trial, finished),
        Map.of(name, distribution)).get(name);
  }

  /**
   * The trials a proposal for {@code trial} learns from: the finished ones, plus, with the
   * constant liar, the study's other RUNNING trials (in trial-number order).
   */
  private List<FrozenTrial> observed(Study study, FrozenTrial trial, List<FrozenTrial> finished) {
    if (!config.constantLiar()) {
      return finished;
    }
    List<FrozenTrial> all = new ArrayList<>();
    for (FrozenTrial t : study.trials(FINISHED_OR_RUNNING)) {
      if (t.number() != trial.number()) {
        all.add(t);
      }
    }
    return all;
  }

  // The split of the last call, reused while the same trial samples its next parameter and no
  // trial has finished meanwhile (finished trials never leave the COMPLETE/PRUNED set, so an
  // unchanged count means an unchanged set).
  private long splitTrialId = Long.MIN_VALUE;
  private int splitCount = -1;
  private FrozenTrial splitFirst;
  private StudyDirection splitDirection;
  private final List<FrozenTrial> below = new ArrayList<>();
  private final List<FrozenTrial> above = new ArrayList<>();

  /**
   * One TPE proposal for {@code space} from the COMPLETE and PRUNED {@code trials} (and RUNNING
   * ones, which go above), for the trial {@code trialId}.
   */
  Map<String, Double> sample(
      StudyDirection direction,
      long trialId,
      List<FrozenTrial> trials,
      Map<String, Distribution> space) {
    FrozenTrial first = trials.isEmpty() ? null : trials.get(0);
    // running trials may finish or gain parameters between two calls: no reuse with them
    if (config.constantLiar()
        || trialId != splitTrialId
        || trials.size() != splitCount
        || first != splitFirst
        || direction != splitDirection) {
      below.clear();
      above.clear();
      int finished = 0;
      for (FrozenTrial t : trials) {
        if (t.state() != TrialState.RUNNING) {
          finished++;
        }
      }
      split(direction, trials, config.gamma().applyAsInt(finished), below, above, config.constantLiar());
      splitTrialId = trialId;
      splitCount = trials.size();
      splitFirst = first;
      splitDirection = direction;
    }
    List<String> names = new ArrayList<>(space.keySet());
    List<Distribution> dists = new ArrayList<>(space.values());
    ParzenEstimator l = new ParzenEstimator(observations(below, names, dists), dists, parzen);
    ParzenEstimator g = new ParzenEstimator(observations(above, names, dists), dists, parzen);
    double[][] candidates = l.sample(rng, config.nEiCandidates());
    double[] logL = l.logPdf(candidates);
    double[] logG = g.logPdf(candidates);
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < candidates.length; i++) {
      double score = logL[i] - logG[i];
      if (score > bestScore || i == 0) {
        best = i;
        bestScore = score;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int j = 0; j < names.size(); j++) {
      out.put(names.get(j), candidates[best][j]);
    }
    return out;
  }

  /**
   * Optuna's {@code _split_trials} for one objective: the best {@code nBelow} go below, COMPLETE
   * before PRUNED; both lists end in trial-number order. FAIL and RUNNING trials are left out.
   */
  static void split(
      StudyDirection direction,
      List<FrozenTrial> trials,
      int nBelow,
      List<FrozenTrial> below,
      List<FrozenTrial> above) {
    split(direction, trials, nBelow, below, above, false);
  }

  /**
   * {@link #split(StudyDirection, List, int, List, List)}; with {@code runningAbove} (the constant
   * liar) RUNNING trials go above, as Optuna's {@code _split_trials} puts them.
   */
  static void split(
      StudyDirection direction,
      List<FrozenTrial> trials,
      int nBelow,
      List<FrozenTrial> below,
      List<FrozenTrial> above,
      boolean runningAbove) {
    int n = trials.size();
    List<Integer> complete = new ArrayList<>();
    List<Integer> pruned = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrialState state = trials.get(i).state();
      if (state == TrialState.COMPLETE) {
        complete.add(i);
      } else if (state == TrialState.PRUNED) {
        pruned.add(i);
      }
    }
    boolean[] isBelow = new boolean[n];
    double[] loss = new double[complete.size()];
    for (int c = 0; c < loss.length; c++) {
      loss[c] = direction.toLoss(trials.get(complete.get(c)).value());
    }
    int[] order = Sorting.stableArgsort(loss);
    int nc = Math.min(nBelow, complete.size());
    for (int r = 0; r < nc; r++) {
      isBelow[complete.get(order[r])] = true;
    }
    Comparator<FrozenTrial> prunedOrder = prunedOrder(direction);
    pruned.sort((a, b) -> prunedOrder.compare(trials.get(a), trials.get(b)));
    int np = Math.min(Math.max(0, nBelow - nc), pruned.size());
    for (int r = 0; r < np; r++) {
      isBelow[pruned.get(r)] = true;
    }
    for (int i = 0; i < n; i++) {
      TrialState state = trials.get(i).state();
      if (state == TrialState.COMPLETE || state == TrialState.PRUNED) {
        (isBelow[i] ? below : above).add(trials.get(i));
      } else if (state == TrialState.RUNNING && runningAbove) {
        above.add(trials.get(i));
      }
    }
    // Storages list trials by number already; sort only if a caller did not.
    Comparator<FrozenTrial> byNumber = Comparator.comparingInt(FrozenTrial::number);
    if (!isSorted(below, byNumber)) {
      below.sort(byNumber);
    }
    if (!isSorted(above, byNumber)) {
      above.sort(byNumber);
    }
  }

  private static boolean isSorted(List<FrozenTrial> list, Comparator<FrozenTrial> order) {
    for (int i = 1; i < list.size(); i++) {
      if (order.compare(list.get(i - 1), list.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }

  /** Later last step first, then better last value (NaN worst); no reports last. */
  private static Comparator<FrozenTrial> prunedOrder(StudyDirection direction) {
    return Comparator.<FrozenTrial>comparingDouble(
            t -> t.intermediateValues().isEmpty() ? 1 : -t.intermediateValues().lastKey())
        .thenComparingDouble(
            t -> {
              if (t.intermediateValues().isEmpty()) {
                return 0.0;
              }
              double v = t.intermediateValues().get(t.intermediateValues().lastKey());
              return Double.isNaN(v) ? Double.POSITIVE_INFINITY : direction.toLoss(v);
            });
  }

  /** Internal values of {@code names} for the trials that have all of them. */
  private static double[][] observations(
      List<FrozenTrial> trials, List<String> names, List<Distribution> dists) {
    List<double[]> rows = new ArrayList<>(trials.size());
    outer:
    for (FrozenTrial t : trials) {
      double[] row = new double[names.size()];
      for (int j = 0; j < row.length; j++) {
        Object v = t.params().get(names.get(j));
        if (v == null && !t.params().containsKey(names.get(j))) {
          continue outer;
        }
        row[j] = dists.get(j).toInternal(v);
      }
      rows.add(row);
    }
    return rows.toArray(new double[0][]);
  }
}
