package dev.tfblend.experiment;

import dev.tfblend.tensorboard.TensorBoardWriter;
import dev.tfblend.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes one finished training run (a tuning trial, a final run, a {@code train} run) as a
 * TensorBoard run, from the values the run recorded: nothing is written while training steps run.
 *
 * <p>Tags: {@code loss/train}, {@code loss/validation} and {@code accuracy/validation} at each
 * evaluated epoch (step = epoch, 0 = before training; {@code loss/train} is the loss over the
 * whole training split); every per-step output of the optimizer (the blend's {@code alpha}) as
 * {@code <name>/step} at steps 1, 2, ...; the hyperparameters as a text table
 * ({@code hyperparameters}; whole numbers written as integers) and, when given, a one-line {@code note} (why the run ended early).
 */
final class RunEvents {
  /** The directory name of a run's TensorBoard logs, under the run or output directory. */
  static final String DIR = "tensorboard";

  private RunEvents() {}

  /**
   * Writes the run into {@code logDir}, replacing event files an earlier write of the same run
   * left there.
   *
   * @param stepOutputs per-step values by name (may be empty)
   * @param note a one-line note, or null
   */
  static void write(Path logDir, Map<String, ?> hyperparameters, List<Trainer.EpochRecord> epochs,
      Map<String, double[]> stepOutputs, String note) {
    removeEventFiles(logDir);
    try (TensorBoardWriter tb = new TensorBoardWriter(logDir)) {
      Map<String, Object> shown = new LinkedHashMap<>();
      hyperparameters.forEach((k, v) -> shown.put(k, v instanceof Double d && d == Math.rint(d)
          && Math.abs(d) < 1e15 ? (Object) d.longValue() : v));
      tb.hyperparameters("hyperparameters", shown);
      for (Trainer.EpochRecord e : epochs) {
        tb.scalar("loss/train", e.epoch(), e.trainLoss());
        tb.scalar("loss/validation", e.epoch(), e.valLoss());
        tb.scalar("accuracy/validation", e.epoch(), e.valAccuracy());
      }
      stepOutputs.forEach((name, values) -> tb.scalars(name + "/step", 1, values));
      if (note != null) {
        tb.text("note", epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch(), note);
      }
    }
  }

  private static void removeEventFiles(Path logDir) {
    if (!Files.isDirectory(logDir)) {
      return;
    }
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().startsWith("events.out.tfevents.")) {
          Files.delete(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear TensorBoard run " + logDir + ": " + e.getMessage(), e);
    }
  }
}
