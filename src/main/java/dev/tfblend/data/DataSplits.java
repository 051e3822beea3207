package dev.tfblend.data;

import dev.tfblend.BadInputException;
import java.util.Arrays;

/**
 * The three parts a study uses: {@code train} to fit, {@code validation} to choose (tuning,
 * meta-learning, early stopping), and {@code test} only for the final report.
 *
 * <p>{@link #of} carves the validation part out of MNIST-1D's training samples and leaves the
 * official test set untouched. The carving is {@code np.random.RandomState(splitSeed)
 * .permutation(trainSize)}: its first {@code validationSize} indices (sorted ascending) are
 * validation, the rest (sorted ascending) stay train, so both keep the generator's order.
 *
 * @param train samples to fit on
 * @param validation samples to choose hyperparameters and gate updates on
 * @param test the held-out official test samples
 */
public record DataSplits(Dataset train, Dataset validation, Dataset test) {

  /** Validation samples carved from the 4000 default training samples. */
  public static final int DEFAULT_VALIDATION_SIZE = 800;

  /** Seed of the validation carving; fixed so every run sees the same split. */
  public static final long DEFAULT_SPLIT_SEED = 2020L;

  /**
   * Splits {@code data.train()} into train and validation; {@code data.test()} is passed through.
   *
   * @throws BadInputException if {@code validationSize} is not in {@code [1, trainSize - 1]} or
   *     {@code splitSeed} is not in {@code [0, 2^32)}
   */
  public static DataSplits of(Mnist1dData data, int validationSize, long splitSeed) {
    return of(data.train(), data.test(), validationSize, splitSeed);
  }

  /**
   * Splits {@code full} into train and validation as {@link #of(Mnist1dData, int, long)} does
   * (the same carving for the same size and seed); {@code test} is passed through.
   *
   * @throws BadInputException if {@code validationSize} is not in {@code [1, full.size() - 1]}
   *     or {@code splitSeed} is not in {@code [0, 2^32)}
   */
  public static DataSplits of(Dataset full, Dataset test, int validationSize, long splitSeed) {
    int n = full.size();
    if (validationSize < 1 || validationSize >= n) {
      throw BadInputException.of(
          "validationSize must be in [1, %d] for %d training samples, got %d",
          n - 1, n, validationSize);
    }
    if (splitSeed < 0 || splitSeed > 0xffffffffL) {
      throw BadInputException.of("splitSeed must be in [0, 4294967295], got %d", splitSeed);
    }
    int[] perm = new LegacyRandomState(splitSeed).permutation(n);
    int[] val = Arrays.copyOfRange(perm, 0, validationSize);
    int[] train = Arrays.copyOfRange(perm, validationSize, n);
    Arrays.sort(val);
    Arrays.sort(train);
    return new DataSplits(full.subset(train), full.subset(val), test);
  }

  /** The default split of the default data set: 3200 train, 800 validation, 1000 test. */
  public static DataSplits mnist1dDefault() {
    return of(Mnist1d.defaultData(), DEFAULT_VALIDATION_SIZE, DEFAULT_SPLIT_SEED);
  }
}
