package dev.tfblend.cli;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.storage.StudySummary;
import dev.tfblend.tune.storage.TrialStorage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tf-blend studies --storage URL}: lists the studies in a storage with their direction,
 * trial count and best trial, like {@code optuna studies}. Reads only. Prints a table, or with
 * {@code --json} a JSON array of {@code {"name", "direction", "n_trials", "best_trial",
 * "best_value"}} (the last two null when no trial completed). Exit 2 for a storage that does not
 * exist or cannot be read as a study database.
 */
@Command(name = "studies", mixinStandardHelpOptions = true,
    header = "List the studies in a storage with their best values.",
    description = "List the studies in a storage (SQLite file or PostgreSQL) with direction, "
        + "trial count and best trial, like 'optuna studies'.")
public final class StudiesCommand implements Callable<Integer> {
  @CommandLine.Mixin StudyStorageOptions storage;

  @Option(names = "--json", description = "Print a JSON array instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (TrialStorage s = storage.open()) {
      for (StudySummary study : s.getAllStudies()) {
        List<FrozenTrial> trials = s.getAllTrials(study.studyId());
        Optional<FrozenTrial> best = StudyStorageAccess.bestTrial(trials, study.direction());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", study.studyName());
        row.put("direction", study.direction().name());
        row.put("n_trials", trials.size());
        row.put("best_trial", best.map(FrozenTrial::number).orElse(null));
        row.put("best_value", best.map(FrozenTrial::value).orElse(null));
        rows.add(row);
      }
    }
    if (json) {
      storage.printJson(rows);
    } else {
      storage.print(table(rows));
    }
    return 0;
  }

  static String table(List<Map<String, Object>> rows) {
    List<String> header = List.of("name", "direction", "n_trials", "best_trial", "best_value");
    List<List<String>> cells = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      List<String> line = new ArrayList<>();
      for (String h : header) {
        Object v = r.get(h);
        line.add(v == null ? "-" : String.valueOf(v));
      }
      cells.add(line);
    }
    int[] width = new int[header.size()];
    for (int c = 0; c < header.size(); c++) {
      width[c] = header.get(c).length();
      for (List<String> line : cells) {
        width[c] = Math.max(width[c], line.get(c).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    appendLine(sb, header, width);
    for (List<String> line : cells) {
      appendLine(sb, line, width);
    }
    return sb.toString();
  }

  private static void appendLine(StringBuilder sb, List<String> cells, int[] width) {
    for (int c = 0; c < cells.size(); c++) {
      String v = cells.get(c);
      sb.append(c == 0 ? v + " ".repeat(width[c] - v.length())
          : "  " + " ".repeat(width[c] - v.length()) + v);
    }
    sb.append(System.lineSeparator());
  }
}
