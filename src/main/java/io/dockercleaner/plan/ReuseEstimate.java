package io.dockercleaner.plan;

/**
 * The {@link ReuseModel}'s estimate for one image: how likely it is needed again soon and what that
 * would cost.
 *
 * @param probability chance, 0 to 1, that the image is used again within the model's horizon
 * @param repullBytes bytes to fetch again if it is deleted and then needed: the layers no other
 *     kept image holds (its unique bytes)
 * @param evidence the numbers behind the estimate in words, e.g. {@code used 9× in 14d, every ~24h;
 *     last use 20h ago, next use expected in 4h; P(use within 24h)=0.91 (9 of 10 comparable gaps);
 *     re-pull 412 MB}
 */
public record ReuseEstimate(double probability, long repullBytes, String evidence) {

  /** Validates the range. */
  public ReuseEstimate {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be within [0, 1], was " + probability);
    }
    if (repullBytes < 0) {
      throw new IllegalArgumentException("repullBytes must be >= 0, was " + repullBytes);
    }
  }

  /** Expected bytes re-pulled if the image is deleted now: {@code probability × repullBytes}. */
  public double expectedRepullBytes() {
    return probability * repullBytes;
  }
}
