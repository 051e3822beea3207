package dev.tfblend.model;

import com.google.common.base.Preconditions;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * Conversions between Java {@code double[]} and float32/float64 tensors, so code that is generic
 * in the floating type ({@link TFloat32} for training, {@link TFloat64} for gradient checks) can
 * feed and fetch values.
 *
 * <p>Tensors returned here belong to the caller, who must close them. Values read out are always
 * copies: a fetched variable value can alias the live variable buffer and change with later
 * assignments, so nothing here keeps a view.
 */
public final class FloatTensors {
  private FloatTensors() {}

  /** A new tensor of {@code type} with {@code shape} holding {@code values} (row-major). */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> T of(Class<T> type, long[] shape, double[] values) {
    Shape s = Shape.of(shape);
    Preconditions.checkArgument(
        s.size() == values.length, "shape %s needs %s values, got %s", s, s.size(), values.length);
    if (type == TFloat32.class) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return (T) TFloat32.tensorOf(s, DataBuffers.of(f, true, false));
    }
    if (type == TFloat64.class) {
      return (T) TFloat64.tensorOf(s, DataBuffers.of(values, true, false));
    }
    throw new IllegalArgumentException("type must be TFloat32 or TFloat64, got " + type.getName());
  }

  /** A scalar tensor of {@code type}. */
  public static <T extends TFloating> T scalar(Class<T> type, double value) {
    return of(type, new long[0], new double[] {value});
  }

  /** A copy of a float32 or float64 tensor's values as doubles (row-major). */
  public static double[] toDoubles(Tensor t) {
    int n = Math.toIntExact(t.shape().size());
    double[] out = new double[n];
    if (t instanceof TFloat32 f) {
      float[] buf = new float[n];
      f.copyTo(DataBuffers.of(buf, false, false));
      for (int i = 0; i < n; i++) {
        out[i] = buf[i];
      }
    } else if (t instanceof TFloat64 d) {
      d.copyTo(DataBuffers.of(out, false, false));
    } else {
      throw new IllegalArgumentException("not a float32/float64 tensor: " + t.dataType());
    }
    return out;
  }

  /** A copy of a float32 tensor's values. */
  public static float[] toFloats(TFloat32 t) {
    float[] out = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The single value of a scalar (or one-element) float32/float64 tensor. */
  public static double scalarValue(Tensor t) {
    double[] v = toDoubles(t);
    Preconditions.checkArgument(v.length == 1, "expected one value, tensor has %s", v.length);
    return v[0];
  }

  /**
   * Runs {@code session} once, fetching every operand of {@code xs}, and returns copies of their
   * float32/float64 values in order (copied, so later assigns cannot change them).
   */
  public static double[][] fetch(Session session, List<? extends Operand<?>> xs) {
    Session.Runner r = session.runner();
    xs.forEach(r::fetch);
    double[][] out = new double[xs.size()][];
    try (Result res = r.run()) {
      for (int i = 0; i < xs.size(); i++) {
        out[i] = toDoubles(res.get(i));
      }
    }
    return out;
  }
}
