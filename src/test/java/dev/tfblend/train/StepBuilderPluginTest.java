package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Mlp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A third-party {@link StepBuilder} (as the blended optimizer will be): it asks for the
 * validation meta-batch, wraps the Adam step and reports a per-step value; the trainer feeds the
 * meta-batch, records the value every step, and the run is reproducible. (Without
 * {@code withBeforeUpdate} the probe raced with Adam's assignments and step 0's value differed
 * between two identical runs.)
 */
class StepBuilderPluginTest {
  private static final Dataset TRAIN = GaussianBlobs.generate(100, 40, 10, 1.0, 2, 0);
  private static final Dataset VAL = GaussianBlobs.generate(60, 40, 10, 1.0, 2, 1);

  /** Adam plus the validation loss of the meta-batch at the current parameters, per step. */
  private static final class ProbeStep implements StepBuilder {
    @Override
    public String name() {
      return "probe";
    }

    @Override
    public Map<String, Double> hyperparameterDefaults() {
      return Optimizers.defaults("adam");
    }

    @Override
    public TrainStep build(StepContext ctx) {
      StepContext.Batch meta = ctx.validationBatch().get();
      assertEquals(meta, ctx.validationBatch().get());
      Ops p = ctx.tf().withSubScope("probe");
      Operand<TFloat32> metaLoss = p.withName("meta_loss").identity(ctx.lossAt(p, ctx.params().values(), meta));
      // the probe reads the parameters: the Adam assignments must wait for it
      TrainStep adam = Optimizers.stepBuilder("adam", Map.of()).build(ctx.withBeforeUpdate(List.of(metaLoss)));
      Op target = p.withControlDependencies(List.of(adam.target(), metaLoss)).noOp();
      return new TrainStep() {
        @Override
        public Op target() {
          return target;
        }

        @Override
        public Map<String, Operand<?>> perStepOutputs() {
          return Map.of("meta_loss", metaLoss);
        }

        @Override
        public void reset(Session session, long seed) {
          adam.reset(session, seed);
        }

        @Override
        public void setHyperparameters(Session session, Map<String, Double> values) {
          adam.setHyperparameters(session, values);
        }
      };
    }
  }

  private static Trainer.Result run(long seed) {
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), new ProbeStep())) {
      g.loadData(TRAIN, VAL, VAL);
      g.reinitialize(seed, Map.of());
      assertTrue(g.usesMetaBatch());
      assertEquals(List.of("meta_loss"), g.stepOutputNames());
      return Trainer.run(g, new Trainer.Settings(2, 25, seed), r -> {});
    }
  }

  @Test
  void metaBatchIsFedAndPerStepOutputsAreRecordedReproducibly() {
    Trainer.Result a = run(4);
    double[] trace = a.stepOutputs().get("meta_loss");
    assertEquals(8, trace.length);
    for (double v : trace) {
      assertTrue(Double.isFinite(v) && v > 0, "meta loss " + v);
    }
    assertTrue(trace[7] < trace[0], "validation loss should fall: " + java.util.Arrays.toString(trace));
    assertArrayEquals(trace, run(4).stepOutputs().get("meta_loss"));
  }
}
