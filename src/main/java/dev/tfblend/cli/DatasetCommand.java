package dev.tfblend.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.data.DatasetCsv;
import dev.tfblend.data.Mnist1d;
import dev.tfblend.data.Mnist1dConfig;
import dev.tfblend.data.Mnist1dData;
import dev.tfblend.io.OutputDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tf-blend dataset --out DIR}: generates MNIST-1D and writes {@code DIR/train.csv},
 * {@code DIR/test.csv} and {@code DIR/dataset.json} (the arguments and versions), all or
 * nothing. Without options it reproduces the official data set.
 */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    defaultValueProvider = DatasetCommand.Defaults.class,
    header = "Generate MNIST-1D as CSV (the official generator, bit for bit).",
    description = {
      "Generate MNIST-1D (the official generator, ported bit for bit) as CSV. Writes"
          + " DIR/train.csv, DIR/test.csv and DIR/dataset.json; defaults give the official set."
    })
public final class DatasetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin OutDirOptions output;

  // Generator options are named after Mnist1dConfig's fields: their defaults come from
  // Mnist1dConfig.defaults() (see Defaults) and messages about a field name the option.

  @Option(names = "--num-samples", paramLabel = "N",
      description = "Samples in train + test (rounded down to a multiple of 10). Default: ${DEFAULT-VALUE}.")
  int numSamples;

  @Option(names = "--train-split", paramLabel = "F",
      description = "Fraction of samples in train, in (0, 1). Default: ${DEFAULT-VALUE}.")
  double trainSplit;

  @Option(names = "--template-len", paramLabel = "N",
      description = "Template length added to the high padding for dilation. Default: ${DEFAULT-VALUE}.")
  int templateLen;

  @Option(names = "--padding", paramLabel = "LOW,HIGH",
      description = "Range of zeros appended to a template. Default: ${DEFAULT-VALUE}.")
  String padding;

  @Option(names = "--scale-coeff", paramLabel = "X",
      description = "Amplitude scale: factor 1 + X * (u - 0.5). Default: ${DEFAULT-VALUE}.")
  double scaleCoeff;

  @Option(names = "--max-translation", paramLabel = "N",
      description = "Circular shifts are drawn from [0, N). Default: ${DEFAULT-VALUE}.")
  int maxTranslation;

  @Option(names = "--corr-noise-scale", paramLabel = "X",
      description = "Scale of smoothed noise where the signal is 0. Default: ${DEFAULT-VALUE}.")
  double corrNoiseScale;

  @Option(names = "--iid-noise-scale", paramLabel = "X",
      description = "Scale of white noise added everywhere. Default: ${DEFAULT-VALUE}.")
  double iidNoiseScale;

  @Option(names = "--shear-scale", paramLabel = "X",
      description = "Shear: subtract X * (u - 0.5) * linspace(-0.5, 0.5). Default: ${DEFAULT-VALUE}.")
  double shearScale;

  @Option(names = "--shuffle-seq", description = "Permute the time axis (one permutation for all).")
  boolean shuffleSeq;

  @Option(names = "--final-seq-length", paramLabel = "N",
      description = "Values per output sample (>= 2). Default: ${DEFAULT-VALUE}.")
  int finalSeqLength;

  @Option(names = "--seed", paramLabel = "N",
      description = "numpy legacy seed in [0, 2^32). Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() {
    Mnist1dConfig config = config();
    long start = System.nanoTime();
    Mnist1dData data = Mnist1d.generate(config);
    double seconds = (System.nanoTime() - start) / 1e9;
    try (OutputDir dir = output.stage("dataset")) {
      DatasetCsv.write(data.train(), dir.path().resolve("train.csv"));
      DatasetCsv.write(data.test(), dir.path().resolve("test.csv"));
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("generator", "mnist1d");
      manifest.put("arguments", config);
      manifest.put("train", Map.of("rows", data.train().size(), "columns", data.train().numFeatures()));
      manifest.put("test", Map.of("rows", data.test().size(), "columns", data.test().numFeatures()));
      manifest.put("versions", BuildInfo.asMap());
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(dir.path().resolve("dataset.json").toFile(), manifest);
      dir.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + output.out, e);
    }
    spec.commandLine().getOut().printf(
        "wrote %s: train %d x %d, test %d x %d (seed %d, generated in %.2f s)%n",
        output.out, data.train().size(), data.train().numFeatures(), data.test().size(),
        data.test().numFeatures(), config.seed(), seconds);
    return 0;
  }

  private Mnist1dConfig config() {
    int[] pad = parsePadding(padding);
    try {
      return new Mnist1dConfig(numSamples, trainSplit, templateLen, pad[0], pad[1], scaleCoeff,
          maxTranslation, corrNoiseScale, iidNoiseScale, shearScale, shuffleSeq, finalSeqLength,
          seed);
    } catch (BadInputException e) {
      throw OptionFields.blameOption(spec, e);
    }
  }

  private static int[] parsePadding(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 2) {
      throw BadInputException.of("--padding must be LOW,HIGH (two integers), got '%s'", text);
    }
    try {
      return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
    } catch (NumberFormatException e) {
      throw BadInputException.of("--padding must be LOW,HIGH (two integers), got '%s'", text);
    }
  }

  /**
   * The default of each generator option: the value of the {@link Mnist1dConfig#defaults()}
   * component its field is named after ({@code --padding}: {@code paddingLow,paddingHigh}).
   */
  static final class Defaults implements CommandLine.IDefaultValueProvider {
    private static final Mnist1dConfig D = Mnist1dConfig.defaults();

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) throws Exception {
      if (!(arg.userObject() instanceof java.lang.reflect.Field f)) {
        return null;
      }
      if (f.getName().equals("padding")) {
        return D.paddingLow() + "," + D.paddingHigh();
      }
      for (java.lang.reflect.RecordComponent c : Mnist1dConfig.class.getRecordComponents()) {
        if (c.getName().equals(f.getName())) {
          return String.valueOf(c.getAccessor().invoke(D));
        }
      }
      return null;
    }
  }
}
