package dev.tfblend.data;

/**
 * A Java port of the official MNIST-1D generator (Greydanus 2020, {@code mnist1d.data.make_dataset}
 * with {@code mnist1d.transform.transform}) that reproduces its numbers: numpy's legacy global
 * random state, scipy's Gaussian filter and linear interpolation are reimplemented with the same
 * operation order (see {@link LegacyRandomState} and {@link NumpyOps}).
 *
 * <p>For each digit {@code d = 0..9} in turn, {@code numSamples / 10} samples are made from
 * template {@code d}, each drawing in this order:
 *
 * <ol>
 *   <li>pad: {@code p = low + int(rand() * (high - low + 1))} zeros after {@code template + 1e-8};
 *   <li>dilate: linear interpolation to {@code templateLen + high} points;
 *   <li>scale: multiply by {@code 1 + scaleCoeff * (rand() - 0.5)};
 *   <li>translate: rotate right by {@code k = choice(maxTranslation)};
 *   <li>correlated noise: where the signal is exactly 0, put {@code gaussian_filter(
 *       corrNoiseScale * randn(L), 2)};
 *   <li>iid noise: add {@code iidNoiseScale * randn(L)};
 *   <li>shear: subtract {@code shearScale * (rand() - 0.5) * linspace(-0.5, 0.5, L)};
 *   <li>subsample: linear interpolation to {@code finalSeqLength} points.
 * </ol>
 *
 * Then the samples are reordered by {@code permutation(total)}, the time axis optionally by
 * {@code permutation(finalSeqLength)}, and every value is centred and scaled by the mean and
 * standard deviation of the whole set (train and test together, over all values), so the train
 * sum is minus the test sum. The first {@code int(total * trainSplit)} samples are train.
 *
 * <p>Stateless and thread-safe; {@link #defaultData()} caches the default set.
 */
public final class Mnist1d {
  /** Added to every template value so that only padding is exactly zero. */
  static final double EPS = 1e-8;

  /** Sigma of the correlated-noise filter, fixed in the official code. */
  static final double CORR_NOISE_SIGMA = 2.0;

  /** scipy's default truncation of the Gaussian kernel, in sigmas. */
  static final double TRUNCATE = 4.0;

  private static final double[][] RAW_TEMPLATES = {
    {5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5},
    {5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5},
    {5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5},
    {5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5},
    {5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5},
    {5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5},
    {5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5},
    {5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5},
    {5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5},
    {5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5},
  };

  private static volatile Mnist1dData defaultData;

  private Mnist1d() {}

  /** The default data set ({@link Mnist1dConfig#defaults()}), generated once and cached. */
  public static Mnist1dData defaultData() {
    Mnist1dData d = defaultData;
    if (d == null) {
      synchronized (Mnist1d.class) {
        d = defaultData;
        if (d == null) {
          d = generate(Mnist1dConfig.defaults());
          defaultData = d;
        }
      }
    }
    return d;
  }

  /**
   * The ten templates as the official {@code get_templates} makes them: each row centred by its
   * mean, divided by its standard deviation, shifted to start at 0, then divided by 6.
   */
  public static double[][] templates() {
    double[][] x = new double[RAW_TEMPLATES.length][];
    for (int r = 0; r < x.length; r++) {
      double[] row = RAW_TEMPLATES[r].clone();
      double mean = NumpyOps.mean(row);
      for (int i = 0; i < row.length; i++) {
        row[i] -= mean;
      }
      double std = NumpyOps.std(row);
      for (int i = 0; i < row.length; i++) {
        row[i] /= std;
      }
      double first = row[0];
      for (int i = 0; i < row.length; i++) {
        row[i] -= first;
      }
      for (int i = 0; i < row.length; i++) {
        row[i] = row[i] / 6.0;
      }
      x[r] = row;
    }
    return x;
  }

  /** The templates' time axis: {@code linspace(-5, 5, 12) / 6}. */
  static double[] templateTime() {
    double[] t = NumpyOps.linspace(-5, 5, RAW_TEMPLATES[0].length);
    for (int i = 0; i < t.length; i++) {
      t[i] = t[i] / 6.0;
    }
    return t;
  }

  /** Generates the data set for {@code config}; the same config always gives the same data. */
  public static Mnist1dData generate(Mnist1dConfig config) {
    double[][] templates = templates();
    double[] t0 = templateTime();
    int perClass = config.numSamples() / Mnist1dConfig.NUM_CLASSES;
    int total = perClass * Mnist1dConfig.NUM_CLASSES;
    int len = config.finalSeqLength();
    LegacyRandomState rng = new LegacyRandomState(config.seed());
    Transform transform = new Transform(config);

    double[][] xs = new double[total][];
    int[] ys = new int[total];
    int n = 0;
    for (int label = 0; label < Mnist1dConfig.NUM_CLASSES; label++) {
      for (int k = 0; k < perClass; k++) {
        xs[n] = transform.apply(templates[label], rng);
        ys[n] = label;
        n++;
      }
    }
    double[] t = transform.time(t0);

    int[] order = rng.permutation(total);
    double[] flat = new double[total * len];
    int[] labels = new int[total];
    for (int i = 0; i < total; i++) {
      System.arraycopy(xs[order[i]], 0, flat, i * len, len);
      labels[i] = ys[order[i]];
    }
    if (config.shuffleSeq()) {
      int[] seq = rng.permutation(len);
      double[] row = new double[len];
      for (int i = 0; i < total; i++) {
        for (int j = 0; j < len; j++) {
          row[j] = flat[i * len + seq[j]];
        }
        System.arraycopy(row, 0, flat, i * len, len);
      }
    }

    double std = NumpyOps.std(flat);
    for (int i = 0; i < t.length; i++) {
      t[i] = t[i] / std;
    }
    double mean = NumpyOps.mean(flat);
    double[][] rows = new double[total][len];
    for (int i = 0; i < total; i++) {
      for (int j = 0; j < len; j++) {
        rows[i][j] = (flat[i * len + j] - mean) / std;
      }
    }

    int split = config.trainSize();
    Dataset train = slice(rows, labels, 0, split);
    Dataset test = slice(rows, labels, split, total);
    return new Mnist1dData(train, test, t, templates, config);
  }

  private static Dataset slice(double[][] rows, int[] labels, int from, int to) {
    double[][] x = new double[to - from][];
    int[] y = new int[to - from];
    for (int i = from; i < to; i++) {
      x[i - from] = rows[i];
      y[i - from] = labels[i];
    }
    return new Dataset(x, y, Mnist1dConfig.NUM_CLASSES);
  }

  /** The per-sample transformation of the official {@code transform(x, t, args)}. */
  static final class Transform {
    private final Mnist1dConfig c;
    private final int dilated;
    private final double[] dilatedGrid;
    private final double[] finalGrid;
    private final double[] shearLine;

    Transform(Mnist1dConfig config) {
      this.c = config;
      this.dilated = config.dilatedLength();
      this.dilatedGrid = NumpyOps.linspace(0, 1, dilated);
      this.finalGrid = NumpyOps.linspace(0, 1, config.finalSeqLength());
      this.shearLine = NumpyOps.linspace(-0.5, 0.5, dilated);
    }

    /** One transformed sample of {@code finalSeqLength} values, drawing from {@code rng}. */
    double[] apply(double[] template, LegacyRandomState rng) {
      int low = c.paddingLow();
      int high = c.paddingHigh();
      int p = low + (int) (rng.rand() * (high - low + 1));
      double[] padded = new double[template.length + p];
      for (int i = 0; i < template.length; i++) {
        padded[i] = template[i] + EPS;
      }
      double[] x = NumpyOps.interpLinear(
          NumpyOps.linspace(0, 1, padded.length), padded, dilatedGrid);

      double factor = 1 + c.scaleCoeff() * (rng.rand() - 0.5);
      for (int i = 0; i < dilated; i++) {
        x[i] *= factor;
      }

      int k = rng.choice(c.maxTranslation());
      if (k > 0 && k < dilated) {
        double[] r = new double[dilated];
        System.arraycopy(x, dilated - k, r, 0, k);
        System.arraycopy(x, 0, r, k, dilated - k);
        x = r;
      }

      double[] corr = rng.randn(dilated);
      for (int i = 0; i < dilated; i++) {
        corr[i] = c.corrNoiseScale() * corr[i];
      }
      corr = NumpyOps.gaussianFilter1d(corr, CORR_NOISE_SIGMA, TRUNCATE);
      for (int i = 0; i < dilated; i++) {
        if (x[i] == 0.0) {
          x[i] = corr[i];
        }
      }

      double[] iid = rng.randn(dilated);
      for (int i = 0; i < dilated; i++) {
        x[i] = x[i] + c.iidNoiseScale() * iid[i];
      }

      double coeff = c.shearScale() * (rng.rand() - 0.5);
      for (int i = 0; i < dilated; i++) {
        x[i] = x[i] - coeff * shearLine[i];
      }
      return NumpyOps.interpLinear(dilatedGrid, x, finalGrid);
    }

    /** The time axis after dilation and subsampling (before the final division by std). */
    double[] time(double[] t0) {
      double[] t = NumpyOps.interpLinear(NumpyOps.linspace(0, 1, t0.length), t0, dilatedGrid);
      return NumpyOps.interpLinear(dilatedGrid, t, finalGrid);
    }
  }
}
