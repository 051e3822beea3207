package dev.tfblend.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.export.SavedModelExporter;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.Trainer;
import dev.tfblend.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Small SavedModels for the serving tests: a trained classifier and a hand-set gate. */
public final class ModelFixtures {
  private ModelFixtures() {}

  /**
   * A classifier trained for three epochs on Gaussian blobs (40 features, 10 classes) and exported
   * with {@link SavedModelExporter}, with the held-out set and the probabilities the trained
   * in-process graph gives for it (softmax, by TensorFlow, of {@link TrainingGraph#logits}).
   */
  public record TrainedClassifier(Path dir, Dataset test, float[][] probabilities) {}

  /** Trains the classifier and exports it to {@code dir}. */
  public static TrainedClassifier trainedClassifier(Path dir) {
    Dataset train = GaussianBlobs.generate(500, 40, 10, 1.0, 11, 0);
    Dataset val = GaussianBlobs.generate(100, 40, 10, 1.0, 11, 1);
    Dataset test = GaussianBlobs.generate(150, 40, 10, 1.0, 11, 2);
    Mlp mlp = new Mlp(List.of(40, 16, 10), Activation.RELU);
    float[][] logits;
    try (TrainingGraph g = TrainingGraph.create(mlp, Optimizers.stepBuilder("adam", Map.of()))) {
      g.loadData(train, val, test);
      g.reinitialize(5, Map.of());
      Trainer.run(g, new Trainer.Settings(3, 32, 5), r -> { });
      logits = g.logits(toFloat(test.x()));
      SavedModelExporter.export(mlp, g.parameterValues(), dir, Map.of("fixture", "trained-classifier"));
    }
    return new TrainedClassifier(dir, test, softmax(logits));
  }

  /**
   * Exports a 40-16-10 classifier whose variables are all NaN, as a diverged run would leave it,
   * to {@code dir}.
   */
  public static void nanClassifier(Path dir) {
    Mlp mlp = new Mlp(List.of(40, 16, 10), Activation.RELU);
    double[][] values = {new double[40 * 16], new double[16], new double[16 * 10], new double[10]};
    for (double[] v : values) {
      java.util.Arrays.fill(v, Double.NaN);
    }
    SavedModelExporter.export(mlp, values, dir, Map.of("fixture", "nan-classifier"));
  }

  /** TensorFlow's softmax of {@code logits}, row by row. */
  public static float[][] softmax(float[][] logits) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, logits[0].length)));
      Operand<TFloat32> p = tf.nn.softmax(in);
      try (TFloat32 t = TFloat32.tensorOf(StdArrays.ndCopyOf(logits));
          Result r = s.runner().feed(in, t).fetch(p).run()) {
        return StdArrays.array2dCopyOf((TFloat32) r.get(0));
      }
    }
  }

  /** {@code x} rounded to float32. */
  public static float[][] toFloat(double[][] x) {
    float[][] f = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      f[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        f[i][j] = (float) x[i][j];
      }
    }
    return f;
  }

  /**
   * A gate {@code alpha = sigmoid(tanh(x W1 + b1) w2 + b2)} with the given weights
   * ({@code W1 [n][h]}, {@code b1 [h]}, {@code w2 [h]}), exported to {@code dir} as tag
   * {@code serve}, signature {@code gate}, input {@code features} float32 {@code [-1, n]},
   * output {@code alpha} float32 {@code [-1, 1]}, with {@code manifest} as manifest.json
   * (none when null).
   */
  public static void gate(Path dir, float[][] w1, float[] b1, float[] w2, float b2,
      Map<String, Object> manifest) throws IOException {
    int n = w1.length;
    int h = b1.length;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("features").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, n)));
      Ops gate = tf.withSubScope("gate");
      Variable<TFloat32> vw1 = gate.withName("w1").variable(Shape.of(n, h), TFloat32.class);
      Variable<TFloat32> vb1 = gate.withName("b1").variable(Shape.of(h), TFloat32.class);
      Variable<TFloat32> vw2 = gate.withName("w2").variable(Shape.of(h, 1), TFloat32.class);
      Variable<TFloat32> vb2 = gate.withName("b2").variable(Shape.of(1), TFloat32.class);
      Operand<TFloat32> hidden = gate.math.tanh(gate.math.add(gate.linalg.matMul(x, vw1), vb1));
      Operand<TFloat32> logit = gate.math.add(gate.linalg.matMul(hidden, vw2), vb2);
      Operand<TFloat32> alpha = tf.withName("alpha").math.sigmoid(logit);
      float[][] w2col = new float[h][1];
      for (int k = 0; k < h; k++) {
        w2col[k][0] = w2[k];
      }
      try (Session s = new Session(g)) {
        s.runner()
            .addTarget(tf.assign(vw1, tf.constant(w1)))
            .addTarget(tf.assign(vb1, tf.constant(b1)))
            .addTarget(tf.assign(vw2, tf.constant(w2col)))
            .addTarget(tf.assign(vb2, tf.constant(new float[] {b2})))
            .run();
        SavedModelBundle.exporter(dir.toString())
            .withTags("serve")
            .withSession(s)
            .withSignature(Signature.builder().key("gate").input("features", x).output("alpha", alpha).build())
            .export();
      }
    }
    if (manifest != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(dir.resolve("manifest.json").toFile(), manifest);
    }
  }

  /** The gate's alpha for one feature vector, in double precision. */
  public static double gateAlpha(float[] x, float[][] w1, float[] b1, float[] w2, float b2) {
    double logit = b2;
    for (int k = 0; k < b1.length; k++) {
      double z = b1[k];
      for (int j = 0; j < x.length; j++) {
        z += (double) x[j] * w1[j][k];
      }
      logit += Math.tanh(z) * w2[k];
    }
    return 1 / (1 + Math.exp(-logit));
  }
}
