package dev.vsched.probers.stats;

/**
 * Exponential moving average parameterised by half-life in samples: after {@code halfLife} updates an old
 * value's weight has halved. The original vSched used a half-life of 2 samples for capacity.
 */
public final class Ema {
    private final double alpha;
    private double value;
    private boolean primed;

    public Ema(double halfLifeSamples) {
        if (!(halfLifeSamples > 0) || Double.isInfinite(halfLifeSamples)) {
            throw new IllegalArgumentException("EMA half-life must be a positive number of samples, got "
                    + halfLifeSamples);
        }
        this.alpha = 1.0 - Math.pow(0.5, 1.0 / halfLifeSamples);
    }

    /** Folds in one sample (the first one is taken as is) and returns the new average. */
    public double update(double sample) {
        if (Double.isNaN(sample)) {
            throw new IllegalArgumentException("EMA sample is NaN");
        }
        if (!primed) {
            value = sample;
            primed = true;
        } else {
            value += alpha * (sample - value);
        }
        return value;
    }

    public double value() {
        if (!primed) {
            throw new IllegalStateException("EMA has no samples yet");
        }
        return value;
    }

    public boolean primed() {
        return primed;
    }

    public double alpha() {
        return alpha;
    }
}
