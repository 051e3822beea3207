package dev.tfblend.experiment;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a {@code tune} run for a person or a log: optimizer, trial i/N, epoch, current
 * validation loss, best so far, elapsed and estimated remaining time.
 *
 * <p>On a terminal ({@code interactive}) the current trial's line is redrawn after every epoch
 * and kept when the trial ends; otherwise one plain line is printed per finished trial and per
 * final run. The estimate of the remaining time assumes the epochs left cost what the epochs
 * so far cost on average (with trials running at once, epochs finish faster than one trial's
 * epochs take, and the estimate follows). Quiet mode prints nothing but notices. Thread-safe:
 * trials running at once report from their own threads, and a shutdown hook may print a notice
 * while trials run; on a terminal the line shows whichever trial reported last.
 */
final class TuneProgress {
  private final PrintWriter out;
  private final boolean interactive;
  private final boolean quiet;
  private final long start = System.nanoTime();
  private long epochsPlanned;
  private long epochsDone;
  private boolean lineOpen;

  TuneProgress(PrintWriter out, boolean interactive, boolean quiet) {
    this.out = out;
    this.interactive = interactive;
    this.quiet = quiet;
  }

  /** Adds {@code epochs} to the total the estimate works towards. */
  synchronized void plan(long epochs) {
    epochsPlanned += epochs;
  }

  /** Removes epochs that will not run (a pruned or failed trial's rest). */
  synchronized void unplan(long epochs) {
    epochsPlanned = Math.max(epochsDone, epochsPlanned - epochs);
  }

  /** A notice every user should see (also in quiet mode). */
  synchronized void notice(String message) {
    closeLine();
    out.println(message);
    out.flush();
  }

  synchronized void info(String message) {
    if (quiet) {
      return;
    }
    closeLine();
    out.println(message);
    out.flush();
  }

  /** One epoch of trial {@code trial} (0-based number) of {@code label} finished. */
  synchronized void epoch(String label, String what, int epoch, int epochs, double valLoss, Double best) {
    if (epoch > 0) {
      epochsDone++;
    }
    if (quiet || !interactive) {
      return;
    }
    String line = String.format(Locale.ROOT, "%-15s %-12s epoch %2d/%d  val_loss %.4f  best %s  %s",
        label, what, epoch, epochs, valLoss, best == null ? "  -   " : String.format(Locale.ROOT, "%.4f", best),
        times());
    out.print("\r" + line + "\u001b[K");
    out.flush();
    lineOpen = true;
  }

  /** A trial or final run ended; {@code summary} describes its outcome. */
  synchronized void finished(String label, String what, String summary) {
    if (quiet) {
      return;
    }
    String line = String.format(Locale.ROOT, "%-15s %-12s %s  %s", label, what, summary, times());
    if (interactive) {
      out.print("\r" + line + "\u001b[K\n");
      lineOpen = false;
    } else {
      out.println(line);
    }
    out.flush();
  }

  private void closeLine() {
    if (lineOpen) {
      out.println();
      lineOpen = false;
    }
  }

  private String times() {
    double elapsed = (System.nanoTime() - start) / 1e9;
    String remaining = "?";
    if (epochsDone > 0) {
      double per = elapsed / epochsDone;
      remaining = formatSeconds(per * Math.max(0, epochsPlanned - epochsDone));
    }
    return "elapsed " + formatSeconds(elapsed) + ", remaining ~" + remaining;
  }

  static String formatSeconds(double s) {
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", s);
    }
    long t = Math.round(s);
    return t < 3600 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60)
        : String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60);
  }
}
