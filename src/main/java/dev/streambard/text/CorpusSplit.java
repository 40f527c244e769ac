package dev.streambard.text;

/**
 * The encoded corpus split into a training part and a held-out validation part (the end of
 * the text, so validation measures text the model has not trained on, not shuffled neighbours).
 *
 * @param train      [cut] the first part of the sequence
 * @param validation [length - cut] the rest; empty when the fraction is 0
 */
public record CorpusSplit(int[] train, int[] validation) {

    public static final double MAX_VALIDATION_FRACTION = 0.5;

    /**
     * @param validationFraction in [0, 0.5]; the cut is (int) (length * (1 - fraction)), like
     *                           Python's {@code int(0.9 * len(text))}
     */
    public static CorpusSplit of(int[] encoded, double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction <= MAX_VALIDATION_FRACTION)) {
            throw new CorpusException("Validation fraction must be between 0 and " + MAX_VALIDATION_FRACTION
                    + ", got " + validationFraction + ". Use e.g. 0.1 to hold out the last 10%, or 0 for no validation.");
        }
        int cut = (int) (encoded.length * (1 - validationFraction));
        int[] train = new int[cut];
        int[] validation = new int[encoded.length - cut];
        System.arraycopy(encoded, 0, train, 0, cut);
        System.arraycopy(encoded, cut, validation, 0, validation.length);
        return new CorpusSplit(train, validation);
    }
}
