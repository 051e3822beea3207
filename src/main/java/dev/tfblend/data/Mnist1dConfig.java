package dev.tfblend.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tfblend.BadInputException;

/**
 * The arguments of the official MNIST-1D generator ({@code mnist1d.data.get_dataset_args}), in
 * camelCase. {@link #defaults()} is the published data set.
 *
 * <p>Padding is held as two fields, {@code paddingLow} and {@code paddingHigh} (the official
 * {@code padding = [low, high]}: each template gets {@code low..high} trailing zeros, and is then
 * stretched to {@code templateLen + paddingHigh} points). In JSON it is written and read as
 * {@code "padding": [low, high]}, as the official arguments spell it.
 *
 * <p>The constructor validates every field and throws {@link BadInputException} naming the
 * first bad one.
 *
 * @param numSamples total samples, train plus test; {@code numSamples / 10} per digit
 * @param trainSplit fraction of the shuffled samples that goes to train, in (0, 1)
 * @param templateLen template length the padded template is added to before dilation
 * @param paddingLow fewest zeros appended to a template
 * @param paddingHigh most zeros appended to a template
 * @param scaleCoeff amplitude scale: factor {@code 1 + scaleCoeff * (u - 0.5)}
 * @param maxTranslation translations are drawn from {@code [0, maxTranslation)}
 * @param corrNoiseScale scale of Gaussian noise smoothed with sigma 2, put where the signal is 0
 * @param iidNoiseScale scale of white Gaussian noise added everywhere
 * @param shearScale shear coefficient {@code shearScale * (u - 0.5)}
 * @param shuffleSeq whether to permute the time axis (one permutation for all samples)
 * @param finalSeqLength length of each output sample
 * @param seed numpy legacy seed, in {@code [0, 2^32)}
 */
@JsonPropertyOrder({
  "numSamples", "trainSplit", "templateLen", "padding", "scaleCoeff", "maxTranslation",
  "corrNoiseScale", "iidNoiseScale", "shearScale", "shuffleSeq", "finalSeqLength", "seed"
})
public record Mnist1dConfig(
    int numSamples,
    double trainSplit,
    int templateLen,
    @JsonIgnore int paddingLow,
    @JsonIgnore int paddingHigh,
    double scaleCoeff,
    int maxTranslation,
    double corrNoiseScale,
    double iidNoiseScale,
    double shearScale,
    boolean shuffleSeq,
    int finalSeqLength,
    long seed) {

  /** Number of digit templates, hence classes. */
  public static final int NUM_CLASSES = 10;

  public Mnist1dConfig {
    if (numSamples < NUM_CLASSES) {
      throw BadInputException.of(
          "numSamples must be at least %d (one per digit), got %d", NUM_CLASSES, numSamples);
    }
    if (!(trainSplit > 0.0 && trainSplit < 1.0)) {
      throw BadInputException.of("trainSplit must be in (0, 1), got %s", trainSplit);
    }
    int total = numSamples / NUM_CLASSES * NUM_CLASSES;
    int train = (int) (total * trainSplit);
    if (train < 1 || train >= total) {
      throw BadInputException.of(
          "trainSplit %s leaves an empty train or test set for %d samples", trainSplit, total);
    }
    if (templateLen < 0) {
      throw BadInputException.of("templateLen must be >= 0, got %d", templateLen);
    }
    if (paddingLow < 0) {
      throw BadInputException.of("padding low must be >= 0, got %d", paddingLow);
    }
    if (paddingLow > paddingHigh) {
      throw BadInputException.of(
          "padding low must be <= padding high, got [%d, %d]", paddingLow, paddingHigh);
    }
    if ((long) templateLen + paddingHigh < 2) {
      throw BadInputException.of(
          "templateLen + padding high must be >= 2, got %d", templateLen + paddingHigh);
    }
    if ((long) templateLen + paddingHigh > 1_000_000) {
      throw BadInputException.of(
          "templateLen + padding high must be <= 1000000, got %d", (long) templateLen + paddingHigh);
    }
    if (maxTranslation < 1) {
      throw BadInputException.of("maxTranslation must be >= 1, got %d", maxTranslation);
    }
    requireScale("scaleCoeff", scaleCoeff);
    requireScale("corrNoiseScale", corrNoiseScale);
    requireScale("iidNoiseScale", iidNoiseScale);
    requireScale("shearScale", shearScale);
    if (finalSeqLength < 2) {
      throw BadInputException.of("finalSeqLength must be >= 2, got %d", finalSeqLength);
    }
    if (finalSeqLength > 1_000_000) {
      throw BadInputException.of("finalSeqLength must be <= 1000000, got %d", finalSeqLength);
    }
    if ((long) total * finalSeqLength > Integer.MAX_VALUE - 8) {
      throw BadInputException.of(
          "numSamples * finalSeqLength is too large: %d * %d", total, finalSeqLength);
    }
    if (seed < 0 || seed > 0xffffffffL) {
      throw BadInputException.of("seed must be in [0, 4294967295], got %d", seed);
    }
  }

  private static void requireScale(String name, double v) {
    if (!(v >= 0.0) || Double.isInfinite(v)) {
      throw BadInputException.of("%s must be a finite number >= 0, got %s", name, v);
    }
  }

  /** The official defaults: 5000 samples, split 0.8, padding [36, 60], seed 42, and so on. */
  public static Mnist1dConfig defaults() {
    return new Mnist1dConfig(5000, 0.8, 12, 36, 60, 0.4, 48, 0.25, 0.02, 0.75, false, 40, 42);
  }

  /** Reads the JSON form, where padding is {@code [low, high]}; missing keys take defaults. */
  @JsonCreator
  static Mnist1dConfig fromJson(
      @JsonProperty("numSamples") Integer numSamples,
      @JsonProperty("trainSplit") Double trainSplit,
      @JsonProperty("templateLen") Integer templateLen,
      @JsonProperty("padding") int[] padding,
      @JsonProperty("scaleCoeff") Double scaleCoeff,
      @JsonProperty("maxTranslation") Integer maxTranslation,
      @JsonProperty("corrNoiseScale") Double corrNoiseScale,
      @JsonProperty("iidNoiseScale") Double iidNoiseScale,
      @JsonProperty("shearScale") Double shearScale,
      @JsonProperty("shuffleSeq") Boolean shuffleSeq,
      @JsonProperty("finalSeqLength") Integer finalSeqLength,
      @JsonProperty("seed") Long seed) {
    Mnist1dConfig d = defaults();
    if (padding != null && padding.length != 2) {
      throw BadInputException.of("padding must be [low, high], got %d values", padding.length);
    }
    return new Mnist1dConfig(
        numSamples != null ? numSamples : d.numSamples,
        trainSplit != null ? trainSplit : d.trainSplit,
        templateLen != null ? templateLen : d.templateLen,
        padding != null ? padding[0] : d.paddingLow,
        padding != null ? padding[1] : d.paddingHigh,
        scaleCoeff != null ? scaleCoeff : d.scaleCoeff,
        maxTranslation != null ? maxTranslation : d.maxTranslation,
        corrNoiseScale != null ? corrNoiseScale : d.corrNoiseScale,
        iidNoiseScale != null ? iidNoiseScale : d.iidNoiseScale,
        shearScale != null ? shearScale : d.shearScale,
        shuffleSeq != null ? shuffleSeq : d.shuffleSeq,
        finalSeqLength != null ? finalSeqLength : d.finalSeqLength,
        seed != null ? seed : d.seed);
  }

  /** {@code [paddingLow, paddingHigh]}, the official {@code padding} argument. */
  @JsonProperty("padding")
  public int[] padding() {
    return new int[] {paddingLow, paddingHigh};
  }

  /** Samples actually generated: {@code numSamples} rounded down to a multiple of 10. */
  @JsonIgnore
  public int totalSamples() {
    return numSamples / NUM_CLASSES * NUM_CLASSES;
  }

  /** Size of the train part: {@code int(totalSamples * trainSplit)}, as the official code. */
  @JsonIgnore
  public int trainSize() {
    return (int) (totalSamples() * trainSplit);
  }

  /** Length templates are stretched to before noise: {@code templateLen + paddingHigh}. */
  @JsonIgnore
  public int dilatedLength() {
    return templateLen + paddingHigh;
  }

  /** This config with another seed. */
  public Mnist1dConfig withSeed(long newSeed) {
    return new Mnist1dConfig(numSamples, trainSplit, templateLen, paddingLow, paddingHigh,
        scaleCoeff, maxTranslation, corrNoiseScale, iidNoiseScale, shearScale, shuffleSeq,
        finalSeqLength, newSeed);
  }

  /** This config with another sample count. */
  public Mnist1dConfig withNumSamples(int newNumSamples) {
    return new Mnist1dConfig(newNumSamples, trainSplit, templateLen, paddingLow, paddingHigh,
        scaleCoeff, maxTranslation, corrNoiseScale, iidNoiseScale, shearScale, shuffleSeq,
        finalSeqLength, seed);
  }
}
