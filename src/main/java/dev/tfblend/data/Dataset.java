package dev.tfblend.data;

import com.google.common.base.Preconditions;

/**
 * A labelled data set held in memory: {@code x[i]} is sample {@code i}'s feature row and
 * {@code y[i]} its class in {@code [0, numClasses)}.
 *
 * <p>Arrays are not copied: treat them as read-only once the record is built. All rows have the
 * same length.
 */
public record Dataset(double[][] x, int[] y, int numClasses) {

  public Dataset {
    Preconditions.checkArgument(
        x.length == y.length, "x has %s rows but y has %s labels", x.length, y.length);
    Preconditions.checkArgument(numClasses > 0, "numClasses must be positive, got %s", numClasses);
    int width = x.length == 0 ? 0 : x[0].length;
    for (int i = 0; i < x.length; i++) {
      Preconditions.checkArgument(
          x[i].length == width, "row %s has %s features, row 0 has %s", i, x[i].length, width);
      Preconditions.checkArgument(
          y[i] >= 0 && y[i] < numClasses, "label of row %s is %s, not in [0, %s)", i, y[i], numClasses);
    }
  }

  /** Number of samples. */
  public int size() {
    return y.length;
  }

  /** Number of features per sample. */
  public int numFeatures() {
    return x.length == 0 ? 0 : x[0].length;
  }

  /** The features as one row-major float32 array of {@code size() * numFeatures()} values. */
  public float[] featuresAsFloats() {
    int w = numFeatures();
    float[] out = new float[size() * w];
    for (int i = 0; i < size(); i++) {
      for (int j = 0; j < w; j++) {
        out[i * w + j] = (float) x[i][j];
      }
    }
    return out;
  }

  /** The rows at {@code indices}, in that order (rows are shared, not copied). */
  public Dataset subset(int[] indices) {
    double[][] sx = new double[indices.length][];
    int[] sy = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      sx[k] = x[indices[k]];
      sy[k] = y[indices[k]];
    }
    return new Dataset(sx, sy, numClasses);
  }
}
