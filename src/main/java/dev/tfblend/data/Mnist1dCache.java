package dev.tfblend.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * MNIST-1D data sets kept on disk, so a process need not generate the same data again: a file
 * per data set, named by the SHA-256 of the generator's configuration and of the generator's own
 * code (every class file of the {@code data} and {@code random} packages, as the running build
 * holds them), so a different config or a changed generator never reads an old file.
 *
 * <p>A file holds the data's values bit for bit (IEEE doubles, little-endian) and ends with a
 * CRC-32C of what precedes it; a file that is short, damaged or of another format is ignored and
 * replaced. Files are written to a temporary sibling and renamed, so processes that generate the
 * same data at once never see each other's half-written file.
 *
 * <p>The directory is {@code $TFBLEND_CACHE_DIR}, else {@code $XDG_CACHE_HOME/tf-blend}, else
 * {@code ~/.cache/tf-blend}; {@code TFBLEND_CACHE_DIR=off} turns the cache off. When the
 * directory cannot be created or written, or the code cannot be read, data is generated as
 * without a cache. Thread-safe.
 */
public final class Mnist1dCache {
  /** The environment variable that names the cache directory ({@code off}: no cache). */
  public static final String ENV = "TFBLEND_CACHE_DIR";

  private static final byte[] MAGIC = "tf-blend mnist1d v1\n".getBytes(StandardCharsets.US_ASCII);
  private static final List<String> CODE_PACKAGES = List.of("dev/tfblend/data/", "dev/tfblend/random/");
  private static volatile byte[] codeDigest;

  private Mnist1dCache() {}

  /**
   * The data {@link Mnist1d#generate} makes for {@code config}, read from the cache in the
   * default directory when it holds it, else generated and stored there.
   */
  public static Mnist1dData data(Mnist1dConfig config) {
    return data(config, directory());
  }

  /**
   * As {@link #data(Mnist1dConfig)}, with the cache in {@code dir} (null: no cache).
   */
  public static Mnist1dData data(Mnist1dConfig config, Path dir) {
    String key = dir == null ? null : key(config);
    if (key == null) {
      return Mnist1d.generate(config);
    }
    Path file = dir.resolve("mnist1d-" + key + ".bin");
    Mnist1dData cached = read(file, config);
    if (cached != null) {
      return cached;
    }
    Mnist1dData data = Mnist1d.generate(config);
    write(file, data);
    return data;
  }

  /** The default cache directory, or null when the cache is off or no home is known. */
  static Path directory() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return env.strip().equals("off") ? null : Path.of(env.strip());
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "tf-blend");
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() ? null : Path.of(home, ".cache", "tf-blend");
  }

  /** The file name key of {@code config}'s data: hex SHA-256 of format, code and config; null without code. */
  static String key(Mnist1dConfig config) {
    byte[] code = codeDigest();
    if (code == null) {
      return null;
    }
    MessageDigest sha = sha256();
    sha.update(MAGIC);
    sha.update(code);
    // a record's string names every component with its value (doubles in shortest round-trip form)
    sha.update(config.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** SHA-256 over the names and bytes of the generator's class files, in name order; null if unreadable. */
  private static byte[] codeDigest() {
    byte[] d = codeDigest;
    if (d == null) {
      d = readCodeDigest();
      codeDigest = d;
    }
    return d;
  }

  private static byte[] readCodeDigest() {
    try {
      Path location = Path.of(Mnist1dCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      MessageDigest sha = sha256();
      if (Files.isDirectory(location)) {
        List<Path> classes = new ArrayList<>();
        for (String pkg : CODE_PACKAGES) {
          Path dir = location.resolve(pkg);
          if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
              s.filter(p -> p.toString().endsWith(".class")).forEach(classes::add);
            }
          }
        }
        classes.sort(null);
        for (Path c : classes) {
          sha.update(location.relativize(c).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
          sha.update(Files.readAllBytes(c));
        }
      } else {
        try (JarFile jar = new JarFile(location.toFile())) {
          List<JarEntry> classes = jar.stream()
              .filter(e -> e.getName().endsWith(".class") && CODE_PACKAGES.stream().anyMatch(e.getName()::startsWith))
              .sorted((a, b) -> a.getName().compareTo(b.getName()))
              .toList();
          for (JarEntry e : classes) {
            sha.update(e.getName().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = jar.getInputStream(e)) {
              sha.update(in.readAllBytes());
            }
          }
        }
      }
      return sha.digest();
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return null; // no code to key on: generate every time
    }
  }

  /** The data in {@code file}, or null when it is missing, damaged or not for this format. */
  static Mnist1dData read(Path file, Mnist1dConfig config) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      return null;
    }
    if (bytes.length < MAGIC.length + 4) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if ((int) crc.getValue() != b.getInt(bytes.length - 4)
        || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return null;
    }
    b.position(MAGIC.length);
    b.limit(bytes.length - 4);
    try {
      Dataset train = readDataset(b);
      Dataset test = readDataset(b);
      double[] t = readDoubles(b, b.getInt());
      int rows = b.getInt();
      double[][] templates = new double[rows][];
      for (int r = 0; r < rows; r++) {
        templates[r] = readDoubles(b, b.getInt());
      }
      return b.hasRemaining() ? null : new Mnist1dData(train, test, t, templates, config);
    } catch (RuntimeException e) {
      return null; // a well-formed checksum over values that do not fit: not our file
    }
  }

  /** Stores {@code data} in {@code file}; a failure leaves no file and is not reported (the cache is optional). */
  static void write(Path file, Mnist1dData data) {
    int size = MAGIC.length + 4;
    size += datasetBytes(data.train()) + datasetBytes(data.test());
    size += 4 + 8 * data.t().length + 4;
    for (double[] row : data.templates()) {
      size += 4 + 8 * row.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC);
    putDataset(b, data.train());
    putDataset(b, data.test());
    b.putInt(data.t().length);
    putDoubles(b, data.t());
    b.putInt(data.templates().length);
    for (double[] row : data.templates()) {
      b.putInt(row.length);
      putDoubles(b, row);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    Path tmp = null;
    try {
      Files.createDirectories(file.getParent());
      tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".partial");
      Files.write(tmp, b.array());
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException | RuntimeException e) {
      // an unwritable cache only costs the next process the generation
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // nothing more to do
        }
      }
    }
  }

  private static int datasetBytes(Dataset d) {
    return 12 + d.size() * (4 + 8 * d.numFeatures());
  }

  private static void putDataset(ByteBuffer b, Dataset d) {
    b.putInt(d.size()).putInt(d.numFeatures()).putInt(d.numClasses());
    for (int i = 0; i < d.size(); i++) {
      b.putInt(d.y()[i]);
      putDoubles(b, d.x()[i]);
    }
  }

  private static Dataset readDataset(ByteBuffer b) {
    int n = b.getInt();
    int width = b.getInt();
    int classes = b.getInt();
    if (n < 0 || width < 0 || (long) n * (4 + 8L * width) > b.remaining()) {
      throw new IllegalArgumentException("sizes do not fit the file");
    }
    double[][] x = new double[n][];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = b.getInt();
      x[i] = readDoubles(b, width);
    }
    return new Dataset(x, y, classes);
  }

  private static void putDoubles(ByteBuffer b, double[] v) {
    for (double d : v) {
      b.putLong(Double.doubleToRawLongBits(d));
    }
  }

  private static double[] readDoubles(ByteBuffer b, int n) {
    if (n < 0 || 8L * n > b.remaining()) {
      throw new IllegalArgumentException("sizes do not fit the file");
    }
    double[] v = new double[n];
    b.asDoubleBuffer().get(v);
    b.position(b.position() + 8 * n);
    return v;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
