package dev.tfblend.tune.storage;

import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.pruner.NopPruner;
import dev.tfblend.tune.sampler.RandomSampler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One worker process of {@link MultiProcessStorageTest}: {@code StorageWorker SPEC STUDY
 * N_TRIALS SEED} opens the storage, loads or creates the study, prints {@code ready}, waits for a
 * line on stdin (so all workers start together), runs N trials of {@code x^2} through {@link
 * Study}, and prints {@code done <trials> <total ms> <slowest trial ms>}.
 */
public final class StorageWorker {
  private StorageWorker() {}

  public static void main(String[] args) throws Exception {
    String spec = args[0];
    String name = args[1];
    int n = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    try (TrialStorage storage = Storages.open(spec)) {
      Study study =
          Study.createOrLoad(name, storage, StudyDirection.MINIMIZE, new RandomSampler(seed), new NopPruner());
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      long start = System.nanoTime();
      long slowest = 0;
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        study.optimize(
            trial -> {
              double x = trial.suggestFloat("x", -5, 5);
              return x * x;
            },
            1,
            null);
        slowest = Math.max(slowest, System.nanoTime() - t0);
      }
      System.out.printf(
          Locale.ROOT,
          "done %d %d %d%n",
          n,
          (System.nanoTime() - start) / 1_000_000,
          slowest / 1_000_000);
    }
  }
}
