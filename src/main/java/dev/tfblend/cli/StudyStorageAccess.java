package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the read-only study commands ({@code studies}, {@code best-trial}) share: opening an
 * existing storage without creating one, and the best trial of a study as Optuna picks it.
 */
final class StudyStorageAccess {
  private StudyStorageAccess() {}

  /**
   * Opens the storage behind {@code --storage}. A SQLite file must already exist (these commands
   * only read, and would otherwise leave an empty database behind); {@code memory} is refused.
   *
   * @throws BadInputException naming {@code --storage} for a missing file or an in-memory spec
   */
  static TrialStorage openExisting(String spec) {
    String s = spec.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("memory") || lower.equals("inmemory")) {
      throw new BadInputException("--storage " + spec + ": an in-memory storage holds no studies");
    }
    String file = null;
    for (String prefix : List.of("jdbc:sqlite:", "sqlite:///", "sqlite:")) {
      if (lower.startsWith(prefix)) {
        file = s.substring(prefix.length());
        break;
      }
    }
    if (file != null) {
      int q = file.indexOf('?');
      Path path = Path.of(q >= 0 ? file.substring(0, q) : file);
      if (!Files.isRegularFile(path)) {
        throw new BadInputException("--storage " + spec + ": no such database file " + path);
      }
    }
    return Storages.open(s);
  }

  /**
   * The best COMPLETE trial (lowest value when minimizing, highest when maximizing; the lowest
   * trial number among equals), empty when no trial has completed.
   */
  static Optional<FrozenTrial> bestTrial(List<FrozenTrial> trials, StudyDirection direction) {
    Comparator<FrozenTrial> byValue = Comparator.comparingDouble(FrozenTrial::value);
    if (direction == StudyDirection.MAXIMIZE) {
      byValue = byValue.reversed();
    }
    return trials.stream()
        .filter(t -> t.state() == TrialState.COMPLETE && t.value() != null)
        .min(byValue.thenComparingInt(FrozenTrial::number));
  }
}
