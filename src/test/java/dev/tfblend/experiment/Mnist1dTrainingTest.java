package dev.tfblend.experiment;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.config.ConfigLoader;
import dev.tfblend.config.TrainConfig;
import dev.tfblend.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accuracy figures issue 3 asks for, on MNIST-1D: default Adam and SGD for 10 epochs, and the
 * published MLP protocol (Adam 1e-2, batch 100, 200 epochs). Slow: about 15 s on 2 cores.
 */
@Tag("slow")
class Mnist1dTrainingTest {
  @TempDir Path tmp;

  private Trainer.Result run(String name, Map<String, Object> options, List<String> sets) {
    TrainConfig c = ConfigLoader.resolve(null, options, sets);
    Trainer.Result r = TrainExperiment.run(c, tmp.resolve(name), e -> {});
    System.out.printf("MNIST-1D %s: test accuracy %.4f, %.0f steps/s%n", name, r.testAccuracy(), r.stepsPerSecond());
    return r;
  }

  @Test
  void defaultAdamReachesHalfOverThreeSeeds() {
    for (long seed = 0; seed < 3; seed++) {
      Trainer.Result r = run("adam-" + seed, Map.of("optimizer", "adam", "seed", seed), List.of());
      assertNull(r.stopReason());
      assertTrue(r.testAccuracy() >= 0.50, "seed " + seed + ": " + r.testAccuracy());
    }
  }

  @Test
  void defaultSgdTrainsWellAboveChance() {
    Trainer.Result r = run("sgd-0", Map.of("optimizer", "sgd"), List.of());
    assertTrue(r.testAccuracy() >= 0.45, "test accuracy " + r.testAccuracy());
  }

  @Test
  void publishedMlpProtocolReachesSixtyTwoPercent() {
    Trainer.Result r = run("published", Map.of("optimizer", "adam", "batchSize", 100, "epochs", 200),
        List.of("lr=0.01"));
    assertTrue(r.testAccuracy() >= 0.62, "test accuracy " + r.testAccuracy());
  }
}
