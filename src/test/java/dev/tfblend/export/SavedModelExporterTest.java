package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.train.Optimizers;
import dev.tfblend.train.TrainingGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class SavedModelExporterTest {
  @TempDir Path tmp;

  @Test
  void exportedModelReloadsAndPredictsIdentically() throws Exception {
    Dataset train = GaussianBlobs.generate(200, 40, 10, 1.0, 4, 0);
    Dataset other = GaussianBlobs.generate(50, 40, 10, 1.0, 4, 1);
    float[][] x = new float[7][40];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 40; j++) {
        x[i][j] = (float) other.x()[i][j];
      }
    }
    float[][] expected;
    double[][] trained;
    Mlp mlp = Mlp.defaults();
    try (TrainingGraph g = TrainingGraph.create(mlp, Optimizers.stepBuilder("adam", Map.of()))) {
      g.loadData(train, other, other);
      g.reinitialize(0, Map.of());
      g.trainStep(new int[] {0, 1, 2, 3});
      g.trainStep(new int[] {4, 5, 6, 7});
      expected = g.logits(x);
      trained = g.parameterValues();
    }
    Path dir = tmp.resolve("saved-model");
    SavedModelExporter.export(mlp, trained, dir, Map.of("note", "test"));
    assertTrue(Files.exists(dir.resolve("saved_model.pb")));
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertEquals("serving_default", manifest.get("signature").asText());
    assertEquals(40, manifest.at("/inputs/x/shape/1").asInt());
    assertEquals("test", manifest.get("note").asText());

    float[] flat = new float[x.length * 40];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, flat, i * 40, 40);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 in = TFloat32.tensorOf(Shape.of(x.length, 40), DataBuffers.of(flat, true, false));
        Result out = bundle.function("serving_default").call(Map.of("x", in))) {
      float[] logits = FloatTensors.toFloats((TFloat32) out.get("logits").orElseThrow());
      float[] probs = FloatTensors.toFloats((TFloat32) out.get("probabilities").orElseThrow());
      for (int i = 0; i < x.length; i++) {
        float[] row = new float[10];
        System.arraycopy(logits, i * 10, row, 0, 10);
        assertArrayEquals(expected[i], row, "logits row " + i);
        double sum = 0;
        for (int c = 0; c < 10; c++) {
          sum += probs[i * 10 + c];
        }
        assertEquals(1.0, sum, 1e-5);
      }
    }
    long graphBytes = Files.size(dir.resolve("saved_model.pb"));
    assertTrue(graphBytes < 100_000, "inference graph should be small, is " + graphBytes + " bytes");
  }
}
