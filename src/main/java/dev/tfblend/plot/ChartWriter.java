package dev.tfblend.plot;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;

/**
 * Writes a {@link JFreeChart} as a PNG file.
 *
 * <p>Rendering is headless (see {@link #ensureHeadless()}). The file appears atomically: the
 * image is encoded in memory, written to a hidden temporary file beside the target and moved
 * over it, so a reader never sees a half-written PNG and an existing file is replaced whole.
 *
 * <p>On one machine and JDK the same chart gives the same bytes (the PNG carries no timestamp);
 * other platforms may rasterise fonts differently.
 *
 * <p>Stateless and thread-safe, but a {@code JFreeChart} must not be drawn by two threads at
 * once.
 */
public final class ChartWriter {
  static {
    Headless.ensure();
  }

  /** Default image width in pixels. */
  public static final int DEFAULT_WIDTH = 1000;

  /** Default image height in pixels. */
  public static final int DEFAULT_HEIGHT = 600;

  private static final AtomicLong TMP_COUNTER = new AtomicLong();

  private ChartWriter() {}

  /**
   * Sets {@code java.awt.headless=true} unless it is already set. Every class of this package
   * does this when it loads; call it yourself only if you touch AWT before using this package.
   */
  public static void ensureHeadless() {
    Headless.ensure();
  }

  /** Writes {@code chart} to {@code file} at {@value #DEFAULT_WIDTH}x{@value #DEFAULT_HEIGHT}. */
  public static Path writePng(JFreeChart chart, Path file) {
    return writePng(chart, file, DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /**
   * Writes {@code chart} to {@code file} as a {@code width}x{@code height} PNG, creating parent
   * directories and replacing an existing file atomically.
   *
   * @return {@code file}
   * @throws IllegalArgumentException if a size is below 1
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static Path writePng(JFreeChart chart, Path file, int width, int height) {
    return writeBytes(encodePng(chart, width, height), file);
  }

  /**
   * Writes an already drawn image (for example a matrix of charts) to {@code file} as PNG, in
   * the same atomic way.
   *
   * @return {@code file}
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static Path writePng(BufferedImage image, Path file) {
    return writeBytes(encodePng(image), file);
  }

  private static Path writeBytes(byte[] png, Path file) {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      // not Files.createTempFile: its 0600 mode would stay with the moved file
      tmp = dir.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "."
          + TMP_COUNTER.incrementAndGet() + ".tmp");
      Files.write(tmp, png, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write chart " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the hidden temporary file is harmless; the original error matters more
        }
      }
    }
  }

  /** Renders {@code chart} and encodes it as PNG bytes. */
  public static byte[] encodePng(JFreeChart chart, int width, int height) {
    return encodePng(render(chart, width, height, null));
  }

  /** Encodes {@code image} as PNG bytes. */
  public static byte[] encodePng(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer available in ImageIO");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Draws {@code chart} into a new RGB image of the given size; {@code info} (may be null)
   * receives the plot and data areas, which tests use to look inside the plot.
   */
  public static BufferedImage render(
      JFreeChart chart, int width, int height, ChartRenderingInfo info) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "chart size must be at least 1x1 pixels, got " + width + "x" + height);
    }
    return chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, info);
  }
}
