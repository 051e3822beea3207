package dev.tfblend.tune.storage;

import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One worker process of {@link StorageScaleBenchmark}: {@code SharedBudgetWorker SPEC STUDY
 * BUDGET SEED} opens the storage, loads or creates the study, prints {@code ready}, waits for a
 * line on stdin (so all workers start together), runs {@code x^2} trials through {@link
 * Study#optimizeShared} (heartbeats on) until the study holds BUDGET finished trials, and prints
 * {@code done <trials it ran> <ms>}.
 */
public final class SharedBudgetWorker {
  private SharedBudgetWorker() {}

  public static void main(String[] args) throws Exception {
    String spec = args[0];
    String name = args[1];
    int budget = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    try (TrialStorage storage = Storages.open(spec, Duration.ofSeconds(60))) {
      Study study =
          Study.createOrLoad(name, storage, StudyDirection.MINIMIZE, new RandomSampler(seed), new NopPruner());
      study.enableHeartbeat(Duration.ofSeconds(2), Duration.ofSeconds(6), true);
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      long start = System.nanoTime();
      int ran = study.optimizeShared(trial -> {
        double x = trial.suggestFloat("x", -5, 5);
        return x * x;
      }, budget, Duration.ofMillis(20)).size();
      System.out.printf(Locale.ROOT, "done %d %d%n", ran, (System.nanoTime() - start) / 1_000_000);
    }
  }
}
