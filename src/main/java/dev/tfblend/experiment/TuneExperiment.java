package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.DataConfig;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyClaim;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialSlots;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.StorageUrls;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import dev.tfblend.tune.FrozenTrial;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;

/**
 * The study as the user runs it ({@code tf-blend tune}): for each optimizer a tuning study, then
 * final runs with the best parameters, then results, plots, a report and SavedModels.
 *
 * <p>Each optimizer runs as an {@link OptimizerStudy} (trials scored by a {@link TuneObjective},
 * then final runs and SavedModels); the run's files are written by {@link TuneOutputs}. With
 * {@code repeats} N the whole sequence runs N times, repeat {@code r} on study seed
 * {@code seed + r} with studies named {@link #repeatName}; only repeat 0 exports SavedModels, and
 * {@link StudyStatistics} summarises and compares the optimizers over the repeats.
 *
 * <p>Resuming: the studies live in {@code runs/<name>/study.db} (or the given storage). Running
 * again with the same name runs only the trials still missing, under the rules of {@link
 * StudyResume}.
 *
 * <p>Interrupting (Ctrl-C, SIGTERM): a shutdown hook {@linkplain Study#interrupt() interrupts}
 * the study being tuned, so each of its running trials (several with {@code jobs} &gt; 1) ends
 * as FAIL with reason {@value Study#INTERRUPTED} and its parameters are queued again, and prints
 * how to resume. A resume
 * right after the interrupt then runs that trial first; it need not wait for the heartbeat grace.
 */
public final class TuneExperiment {
  /** The published study's final validation losses (shown only beside a run of its protocol). */
  public static final Map<String, Double> PUBLISHED = PublishedStudy.FIGURES;

  /**
   * Where and how to run.
   *
   * @param studyName the run's name, or {@code null} for a new {@code tune-<timestamp>} name
   * @param storage a storage spec ({@code sqlite:PATH}, {@code postgresql://...}), or
   *     {@code null} for {@code sqlite:runs/<name>/study.db}
   * @param runsRoot where run directories go ({@code runs})
   * @param savedModelsRoot where SavedModels go ({@code saved-models})
   * @param out progress and notices
   * @param interactive whether {@code out} is a terminal (progress redraws one line)
   * @param quiet print only notices and the summary
   */
  public record Options(String studyName, String storage, Path runsRoot, Path savedModelsRoot,
      PrintWriter out, boolean interactive, boolean quiet, Sharing sharing) {
    /** Options of a run with the default {@link Sharing}. */
    public Options(String studyName, String storage, Path runsRoot, Path savedModelsRoot, PrintWriter out,
        boolean interactive, boolean quiet) {
      this(studyName, storage, runsRoot, savedModelsRoot, out, interactive, quiet, Sharing.DEFAULT);
    }
  }

  /** Which part of the run this process does. */
  public enum Stage {
    /** Tune until the budget is met, then final runs and outputs if this process claims them. */
    ALL,
    /** Tune until the budget is met; no final runs, no outputs. */
    SEARCH,
    /** Final runs and outputs from the stored studies (refused while a budget is unmet, unless forced). */
    FINAL
  }

  /**
   * How this process shares the run's studies with other processes.
   *
   * @param stage which part of the run to do
   * @param force with {@link Stage#FINAL}: run the final runs although a study's budget is unmet
   * @param storageTimeout bound of every wait on the storage (connecting, a statement, a lock)
   * @param heartbeat the interval of running trials' heartbeats
   * @param heartbeatGrace how old a heartbeat may get before its trial counts as left by a dead
   *     process; null for 3 x {@code heartbeat}
   */
  public record Sharing(Stage stage, boolean force, Duration storageTimeout, Duration heartbeat,
      Duration heartbeatGrace) {
    /** The defaults: whole run, 30 s storage timeout, a heartbeat every 2 s, grace 6 s. */
    public static final Sharing DEFAULT = new Sharing(Stage.ALL, false, Duration.ofSeconds(30),
        Duration.ofSeconds(2), null);
  }

  /**
   * What a process that did not do the final runs reports: {@code owner} (host:pid:id) does or did
   * them, or, with {@link Stage#SEARCH}, nobody was asked to.
   */
  public record Handoff(String runName, String message) {}

  /** Thrown by {@link #run} in a process that tuned but leaves the final runs to another. */
  public static final class NotFinalProcess extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Handoff handoff;

    NotFinalProcess(Handoff handoff) {
      super(handoff.message());
      this.handoff = handoff;
    }

    public Handoff handoff() {
      return handoff;
    }
  }

  private TuneExperiment() {}

  /**
   * Runs the whole study and writes its outputs; returns what {@code results.json} holds.
   *
   * <p>Before anything is written, the study name and every optimizer key must be a {@linkplain
   * #NAME plain name}, the run directory must be new or an earlier {@code tune} run's, and every
   * search space must be valid. A run that fails before any trial is stored removes what it
   * created (the run directory, {@code tune-config.json}, the SQLite file), so the corrected
   * rerun starts afresh. A rerun of a subset of the studies keeps the others' results in
   * {@code results.json}; report and charts are drawn from the merged results.
   *
   * @throws BadInputException for a bad name, run directory, search space or storage URL
   */
  public static TuneResults run(TuneConfig config, Options options) {
    long t0 = System.nanoTime();
    PhaseTimes phases = PhaseTimes.start();
    Instant started = Instant.now();
    String name = options.studyName() != null ? options.studyName() : newName(options.runsRoot());
    checkName("--study", name);
    for (String key : config.optimizers()) {
      checkName("optimizers", key);
      if (key.equals(GATE_DIR)) {
        throw BadInputException.of("optimizers: '%s' is reserved (the blend's gate is exported to %s/<run>/%s);"
            + " name the study otherwise", key, options.savedModelsRoot(), GATE_DIR);
      }
      OptimizerStudy.validate(key, config);
    }
    Path runDir = under(options.runsRoot(), name, "--study");
    Path modelsDir = under(options.savedModelsRoot(), name, "--study");
    for (String key : config.optimizers()) {
      under(modelsDir, key, "optimizers");
    }
    checkRunDir(runDir, name);
    StudyResume.checkSameStudy(config, runDir.resolve(StudyResume.STUDY_CONFIG), name);
    TuneResults previous = TuneOutputs.read(runDir.resolve(TuneOutputs.RESULTS));
    Path firstCreated = firstMissing(runDir);
    boolean dirExisted = firstCreated == null;
    boolean configExisted = Files.exists(runDir.resolve(StudyResume.STUDY_CONFIG));
    Path defaultDb = runDir.resolve(STUDY_DB);
    boolean dbExisted = Files.exists(defaultDb);
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw BadInputException.of("cannot create run directory %s: %s", runDir, e.getMessage());
    }
    String storageSpec = options.storage() != null ? options.storage() : "sqlite:" + defaultDb;
    // what is shown and written: never a password
    String storageShown = StorageUrls.redact(storageSpec);
    boolean[] stored = {false};
    try {
      TuneOutputs.writeJson(runDir.resolve(StudyResume.STUDY_CONFIG), TuneConfigLoader.toJson(config));
      TuneProgress progress = new TuneProgress(options.out(), options.interactive(), options.quiet());
      progress.info("tune " + name + ": " + (config.repeats() > 1 ? config.repeats() + " repeats of " : "")
          + config.optimizers().size() + " studies, budget " + config.budgetRule() + ", " + config.epochs()
          + " epochs per trial" + (config.trialSeeds() > 1 ? " x " + config.trialSeeds() + " "
          + config.trialSeedMode() + " trial seeds" : "") + ", storage " + storageShown);

      // load the native library (or wait for the launcher's background load) before any timing,
      // so graph build times exclude it; the data (plain Java) is made on another thread meanwhile
      FutureTask<DataSplits> dataTask = new FutureTask<>(() -> DataSources.load(config.data()));
      Thread dataThread = new Thread(dataTask, "tune-data");
      dataThread.setDaemon(true);
      dataThread.start();
      phases.end("checks");
      double tfLoadSeconds = dev.tfblend.TensorFlowLoad.await();
      phases.end("tensorflow load");
      DataSplits data = result(dataTask);
      phases.end("data (after tensorflow load)");
      Mlp mlp = DataSources.model(config.model(), config.data(), data);
      java.util.Set<Study> tuning = java.util.concurrent.ConcurrentHashMap.newKeySet();
      Thread hook = new Thread(() -> onInterrupt(List.copyOf(tuning), name, storageShown, progress), "tune-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
      Sharing sharing = options.sharing();
      StudyResume.Heartbeat heartbeat = StudyResume.Heartbeat.of(sharing.heartbeat(), sharing.heartbeatGrace());
      try (TrialStorage storage = Storages.open(storageSpec, sharing.storageTimeout())) {
        List<OptimizerStudy> studies = new ArrayList<>();
        StudyClaim claim = null;
        java.util.concurrent.ExecutorService views = null;
        try {
          // the search, one repeat after the other; with repeats, each repeat's graphs are closed
          // after its search and rebuilt for its final runs, so memory does not grow with repeats
          for (int rep = 0; rep < config.repeats(); rep++) {
            TuneConfig rc = config.withSeed(config.seed() + rep);
            String repName = repeatName(name, rep, config.repeats());
            if (config.repeats() > 1) {
              progress.info(String.format(Locale.ROOT, "repeat %d/%d: study seed %d, studies %s-<optimizer>",
                  rep + 1, config.repeats(), rc.seed(), repName));
            }
            // the studies are opened and their graphs built jobs at a time; no trial runs before all are open
            OptimizerStudy[] opened = new OptimizerStudy[config.optimizers().size()];
            int repIndex = rep;
            // created in the config's order first, so the storage numbers the studies the same way every time
            for (String key : config.optimizers()) {
              storage.loadOrCreateStudy(repName + "-" + key, StudyDirection.MINIMIZE);
            }
            try {
              Concurrently.run("tune-open", opened.length, config.effectiveJobs(), i -> {
                String key = config.optimizers().get(i);
                opened[i] = OptimizerStudy.open(key, rc, mlp, data, storage, repName, progress, heartbeat,
                    events(runDir, config, repIndex, key));
              });
            } catch (RuntimeException | Error e) {
              for (OptimizerStudy st : opened) {
                if (st != null) {
                  st.close();
                }
              }
              throw e;
            }
            List<OptimizerStudy> now = List.of(opened);
            studies.addAll(now);
            stored[0] = true;
            phases.end("studies and graphs");
            if (sharing.stage() != Stage.FINAL) {
              // the repeat's studies are tuned together, at most jobs trials of them at once, the
              // first study's (the longest trials by default: the blend's) served first
              int jobs = config.effectiveJobs();
              TrialSlots slots = jobs > 1 && now.size() > 1 ? new TrialSlots(jobs) : null;
              Concurrently.run("tune-studies", now.size(), slots == null ? 1 : now.size(),
                  i -> now.get(i).tune(tuning, heartbeat, slots, i));
            }
            phases.end("search");
            if (config.repeats() > 1) {
              now.forEach(OptimizerStudy::close);
            }
          }
          if (sharing.stage() == Stage.FINAL && !sharing.force()) {
            checkBudgetsMet(studies, config, name);
          }
          if (sharing.stage() == Stage.SEARCH) {
            throw new NotFinalProcess(new Handoff(name, String.format(Locale.ROOT,
                "search done: %s; the final runs and outputs come from tune --stage final (or a tune without"
                    + " --stage)", budgets(studies, config))));
          }
          String me = SharedStudy.processName();
          StudyClaim.Outcome claimed = StudyClaim.acquire(storage,
              storage.getStudyIdByName(SharedStudy.anchor(repeatName(name, 0, config.repeats()), config.optimizers())),
              SharedStudy.finalClaimKey(config), me,
              heartbeat.interval(), heartbeat.grace());
          if (claimed instanceof StudyClaim.HeldBy h) {
            throw new NotFinalProcess(new Handoff(name, String.format(Locale.ROOT,
                "search done: %s; process %s does the final runs and writes the outputs", budgets(studies, config),
                h.owner())));
          }
          if (claimed instanceof StudyClaim.Done d && !(sharing.stage() == Stage.FINAL && sharing.force())) {
            throw new NotFinalProcess(new Handoff(name, String.format(Locale.ROOT,
                "search done: %s; process %s already did these final runs and wrote the outputs%s",
                budgets(studies, config), d.owner(), sharing.stage() == Stage.FINAL
                    ? " (tune --stage final --force runs them again)" : "")));
          }
          claim = claimed instanceof StudyClaim.Acquired a ? a.claim() : null;
          progress.info("final runs and outputs by this process, " + me);
          // Optuna's views of this run's studies need only their stored trials: one thread draws
          // them while the final runs train
          views = java.util.concurrent.Executors.newSingleThreadExecutor(job -> {
            Thread t = new Thread(job, "tune-views");
            t.setDaemon(true);
            return t;
          });
          Map<String, java.util.concurrent.Future<List<String>>> drawn = new LinkedHashMap<>();
          for (String key : config.optimizers()) {
            String studyName = repeatName(name, 0, config.repeats()) + "-" + key;
            drawn.put(key, views.submit(() -> TuneOutputs.studyViews(key, storage.getAllTrials(
                storage.getStudyIdByName(studyName), EnumSet.allOf(TrialState.class)), runDir)));
          }
          Map<String, TuneResults.OptimizerResult> results = new LinkedHashMap<>();
          List<TuneResults.Repeat> repeats = new ArrayList<>();
          int n = config.optimizers().size();
          for (int rep = 0; rep < config.repeats(); rep++) {
            TuneConfig rc = config.withSeed(config.seed() + rep);
            String repName = repeatName(name, rep, config.repeats());
            Map<String, TuneResults.RepeatResult> entry = new LinkedHashMap<>();
            // the optimizers' final runs run at once, jobs at a time; results keep the config's order
            TuneResults.OptimizerResult[] done = new TuneResults.OptimizerResult[n];
            int repIndex = rep;
            boolean first = rep == 0;
            Concurrently.run("tune-finals", n, config.effectiveJobs(), i -> {
              String key = config.optimizers().get(i);
              OptimizerStudy searched = studies.get(repIndex * n + i);
              OptimizerStudy st = config.repeats() == 1 ? searched
                  : OptimizerStudy.open(key, rc, mlp, data, storage, repName, progress, heartbeat,
                      events(runDir, config, repIndex, key));
              try {
                if (st != searched) {
                  st.takeTimingsOf(searched);
                }
                // SavedModels of the first repeat only
                done[i] = st.finish(repName, first ? modelsDir : null);
              } finally {
                if (st != searched) {
                  st.close();
                }
              }
            });
            for (int i = 0; i < n; i++) {
              if (rep == 0) {
                results.put(config.optimizers().get(i), done[i]);
              }
              entry.put(config.optimizers().get(i), TuneResults.RepeatResult.of(done[i]));
            }
            repeats.add(new TuneResults.Repeat(rep, rc.seed(), repName, entry));
          }
          phases.end("final runs and SavedModels");
          TuneResults r = merge(previous, assemble(config, name, storageShown, results, repeats,
              (System.nanoTime() - t0) / 1e9, tfLoadSeconds, null), started, config.effectiveJobs());
          // the trials as stored of an earlier invocation's studies, for their Optuna views (this
          // invocation's are being drawn already)
          Map<String, List<FrozenTrial>> trials = new LinkedHashMap<>();
          for (String key : r.optimizers().keySet()) {
            if (drawn.containsKey(key)) {
              continue;
            }
            OptionalLong id = storage.findStudyIdByName(repeatName(name, 0, config.repeats()) + "-" + key);
            if (id.isPresent()) {
              trials.put(key, storage.getAllTrials(id.getAsLong(), EnumSet.allOf(TrialState.class)));
            }
          }
          List<String> pngs = TuneOutputs.write(r, config, trials, runDir, drawn);
          progress.info("wrote " + runDir + "/{" + String.join(", ", List.of(TuneOutputs.RESULTS,
              TuneOutputs.REPORT, TuneOutputs.HTML_REPORT, TuneOutputs.MANIFEST, RunEvents.DIR + "/")) + ", "
              + String.join(", ", pngs) + "}");
          if (claim != null) {
            claim.finish();
          }
          phases.end("charts, report, results");
          if (PhaseTimes.wanted()) {
            options.out().println(phases.line());
            options.out().flush();
          }
          return r;
        } catch (NotFinalProcess handoff) {
          // another process writes the outputs: leave no run directory here unless it holds the
          // shared SQLite file
          stored[0] = options.storage() == null;
          throw handoff;
        } catch (RuntimeException | Error e) {
          if (stored[0]) {
            stored[0] = hasTrials(storage, name, config);
          }
          throw e;
        } finally {
          if (claim != null) {
            claim.close();
          }
          if (views != null) {
            views.shutdownNow();
          }
          studies.forEach(OptimizerStudy::close);
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs (or ran)
        }
      }
    } catch (RuntimeException | Error e) {
      if (!stored[0]) {
        undoCreation(runDir, firstCreated, configExisted, options.storage() == null && !dbExisted ? defaultDb : null);
      }
      throw e;
    }
  }

  /** The value {@code task} computed; what it threw is thrown as thrown. */
  private static <T> T result(FutureTask<T> task) {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making the data", e);
    }
  }

  /**
   * Refuses final runs while a study's budget is unmet.
   *
   * @throws BadInputException naming each study short of its budget
   */
  private static void checkBudgetsMet(List<OptimizerStudy> studies, TuneConfig config, String name) {
    List<String> short_ = new ArrayList<>();
    for (OptimizerStudy st : studies) {
      int done = st.finished();
      if (done < config.trialsFor(st.key())) {
        short_.add(st.study().name() + " " + done + "/" + config.trialsFor(st.key()));
      }
    }
    if (!short_.isEmpty()) {
      throw BadInputException.of("--stage final: the budget of --study %s is unmet (%s finished trials);"
          + " let the search finish, or add --force to use the trials there are", name, String.join(", ", short_));
    }
  }

  /** "DynamicBlended 24/24, Adam 24/24": each study's finished trials and budget. */
  private static String budgets(List<OptimizerStudy> studies, TuneConfig config) {
    List<String> parts = new ArrayList<>();
    for (OptimizerStudy st : studies) {
      parts.add(st.key() + " " + st.finished() + "/" + config.trialsFor(st.key()));
    }
    return String.join(", ", parts) + " finished trials";
  }

  /** The pattern of study names and optimizer keys: a plain file name, never {@code .} or {@code ..}. */
  public static final String NAME = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}";
  /** The run's default SQLite storage file. */
  static final String STUDY_DB = "study.db";
  /** The directory of a blend's gate export beside the optimizers' exports. */
  static final String GATE_DIR = "gate";

  private static void checkName(String option, String name) {
    if (name == null || !name.matches(NAME)) {
      throw BadInputException.of("%s %s: use letters, digits, '-', '_' and '.' (not first), at most 100", option,
          name);
    }
  }

  /** {@code root/name}, checked to lie directly under {@code root} once resolved. */
  static Path under(Path root, String name, String option) {
    Path base = root.toAbsolutePath().normalize();
    Path p = base.resolve(name).normalize();
    if (!base.equals(p.getParent())) {
      throw BadInputException.of("%s %s would write outside %s", option, name, root);
    }
    return p;
  }

  /**
   * Refuses a run directory that exists but is not a {@code tune} run (it holds files but
   * neither {@code tune-config.json} nor {@code study.db}): {@code --runs-dir saved-models --study default-gate} must not
   * write into a model.
   */
  private static void checkRunDir(Path runDir, String name) {
    if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
      throw BadInputException.of("--study %s: %s exists and is not a directory", name, runDir);
    }
    if (!Files.isDirectory(runDir) || Files.exists(runDir.resolve(StudyResume.STUDY_CONFIG))
        || Files.exists(runDir.resolve(STUDY_DB))) {
      return;
    }
    try (Stream<Path> s = Files.list(runDir)) {
      // another process of the same launch may be writing tune-config.json right now (its
      // temporary sibling is there, not yet renamed), or may have renamed it since the check above
      String writing = "." + StudyResume.STUDY_CONFIG + ".partial-";
      if (s.map(f -> f.getFileName().toString())
          .anyMatch(f -> !f.startsWith(writing) && !f.equals(StudyResume.STUDY_CONFIG) && !f.equals(STUDY_DB))) {
        throw BadInputException.of("--study %s: %s exists and is not a tune run (no %s or %s); choose another"
            + " --study or --runs-dir", name, runDir, StudyResume.STUDY_CONFIG, STUDY_DB);
      }
    } catch (IOException e) {
      throw BadInputException.of("--study %s: cannot read %s (%s)", name, runDir, e.getMessage());
    }
  }

  /**
   * The name repeat {@code rep} (0-based) of {@code repeats} gives its studies
   * ({@code <name>-<optimizer>}): the run's name for a single repeat, {@code <name>-r<rep>} for several.
   */
  /**
   * The TensorBoard directory of study {@code key} in repeat {@code rep}: {@code
   * tensorboard/<key>/}, or {@code tensorboard/r<rep>/<key>/} with several repeats.
   */
  static Path events(Path runDir, TuneConfig config, int rep, String key) {
    Path root = runDir.resolve(RunEvents.DIR);
    return config.repeats() == 1 ? root.resolve(key) : root.resolve("r" + rep).resolve(key);
  }

  static String repeatName(String name, int rep, int repeats) {
    return repeats == 1 ? name : name + "-r" + rep;
  }

  /** The results of one invocation, with their statistics and published reference. */
  static TuneResults assemble(TuneConfig config, String name, String storageShown,
      Map<String, TuneResults.OptimizerResult> optimizers, List<TuneResults.Repeat> repeats, double wallSeconds,
      double tfLoadSeconds, List<TuneResults.Invocation> invocations) {
    StudyStatistics.Computed stats = StudyStatistics.of(repeats, List.copyOf(optimizers.keySet()));
    String mode = config.data().validationMode();
    String label = DataConfig.validationLabel(mode);
    return new TuneResults(TuneConfigLoader.toJson(config), config.seed(), name, storageShown, optimizers, mode,
        label.isEmpty() ? null : label, PublishedStudy.figuresFor(config), PublishedStudy.noReference(config),
        repeats, stats.units(), stats.summary(), stats.paired(), wallSeconds, tfLoadSeconds, invocations);
  }

  private static boolean hasTrials(TrialStorage storage, String name, TuneConfig config) {
    try {
      for (int rep = 0; rep < config.repeats(); rep++) {
        for (String key : config.optimizers()) {
          OptionalLong id = storage.findStudyIdByName(repeatName(name, rep, config.repeats()) + "-" + key);
          if (id.isPresent() && storage.getTrialCount(id.getAsLong(), EnumSet.allOf(TrialState.class)) > 0) {
            return true;
          }
        }
      }
      return false;
    } catch (RuntimeException e) {
      return true; // cannot tell: keep everything
    }
  }

  /** The outermost directory on the way to {@code dir} that does not exist yet, or null if it exists. */
  private static Path firstMissing(Path dir) {
    Path missing = null;
    for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  /**
   * Removes what a failed invocation created before any trial was stored: the config copy, a
   * SQLite file it created, and the directories from {@code runDir} up to {@code firstCreated}
   * (null when the run directory existed) while they are empty.
   */
  private static void undoCreation(Path runDir, Path firstCreated, boolean configExisted, Path createdDb) {
    try {
      if (!configExisted) {
        Files.deleteIfExists(runDir.resolve(StudyResume.STUDY_CONFIG));
      }
      if (createdDb != null) {
        for (String suffix : List.of("", "-journal", "-wal", "-shm")) {
          Files.deleteIfExists(createdDb.resolveSibling(createdDb.getFileName() + suffix));
        }
      }
      if (firstCreated != null) {
        for (Path d = runDir.toAbsolutePath().normalize(); d != null && d.startsWith(firstCreated);
            d = d.getParent()) {
          try (Stream<Path> s = Files.list(d)) {
            if (s.findAny().isPresent()) {
              break;
            }
          }
          Files.delete(d);
        }
      }
    } catch (IOException e) {
      // best effort: the failure being reported matters more
    }
  }

  /**
   * {@code now} merged into the run's earlier results: the studies {@code now} ran replace their
   * earlier entries (in place), in {@code optimizers} and in each repeat, the others are kept, the
   * statistics are recomputed over the merged repeats, and the invocation is recorded.
   */
  static TuneResults merge(TuneResults before, TuneResults now, Instant started, int jobs) {
    List<TuneResults.Invocation> invocations = new ArrayList<>();
    Map<String, TuneResults.OptimizerResult> merged = new LinkedHashMap<>();
    List<TuneResults.Repeat> repeats = new ArrayList<>();
    if (before != null) {
      if (before.invocations() != null) {
        invocations.addAll(before.invocations());
      } else {
        invocations.add(new TuneResults.Invocation(1, null, List.copyOf(before.optimizers().keySet()), null));
      }
      merged.putAll(before.optimizers());
      if (before.repeats() != null) {
        repeats.addAll(before.repeats());
      }
    }
    merged.putAll(now.optimizers());
    for (TuneResults.Repeat rep : now.repeats()) {
      int i = rep.repeat();
      if (i < repeats.size()) {
        Map<String, TuneResults.RepeatResult> m = new LinkedHashMap<>(repeats.get(i).optimizers());
        m.putAll(rep.optimizers());
        repeats.set(i, new TuneResults.Repeat(i, rep.seed(), rep.studyName(), m));
      } else {
        repeats.add(rep);
      }
    }
    invocations.add(new TuneResults.Invocation(invocations.size() + 1, started.toString(),
        List.copyOf(now.optimizers().keySet()), jobs));
    StudyStatistics.Computed stats = StudyStatistics.of(repeats, List.copyOf(merged.keySet()));
    return new TuneResults(now.config(), now.seed(), now.studyName(), now.storage(), merged, now.validation(),
        now.validationLabel(), now.published(), now.publishedReference(), repeats, stats.units(), stats.summary(),
        stats.paired(), now.wallSeconds(), now.tensorflowLoadSeconds(), invocations);
  }

  /** The shutdown hook's work: ends the running trial of {@code study} (if any) and says how to resume. */
  private static void onInterrupt(List<Study> studies, String name, String storageShown, TuneProgress progress) {
    StringBuilder ended = new StringBuilder();
    // no study starts a trial any more before any trial is ended: a slot that an ended trial frees
    // must not go to another study's new trial
    for (Study study : studies) {
      try {
        study.stopStarting();
      } catch (RuntimeException e) {
        // interrupt() below says what went wrong
      }
    }
    for (Study study : studies) {
      try {
        List<Integer> numbers = study.interrupt();
        if (numbers.size() == 1) {
          ended.append(String.format(Locale.ROOT, " study %s, trial number %d ended as FAIL (%s) and is"
              + " queued again;", study.name(), numbers.get(0), Study.INTERRUPTED));
        } else if (numbers.size() > 1) {
          ended.append(String.format(Locale.ROOT, " study %s, trial numbers %s ended as FAIL (%s) and are"
              + " queued again;", study.name(), numbers.stream().map(String::valueOf)
              .collect(java.util.stream.Collectors.joining(", ")), Study.INTERRUPTED));
        }
      } catch (RuntimeException e) {
        ended.append(" a running trial of study ").append(study.name()).append(" could not be marked (")
            .append(e.getMessage()).append(");");
      }
    }
    progress.notice("interrupted:" + ended + " finished trials are kept in " + storageShown
        + ". Run again with --study " + name + " to finish the study.");
  }

  private static String newName(Path runsRoot) {
    String base = "tune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String name = base;
    for (int i = 2; Files.exists(runsRoot.resolve(name)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

}
