package dev.streambard.model;

import dev.streambard.engine.Workers;

/**
 * How a recurrent layer's H units are split into slices that run side by side on the engine's workers: one
 * slice per worker thread, starting at multiples of 16 units (whole vectors) when there are enough units.
 */
final class UnitSlices {
    private static final int ALIGN = 16;

    private UnitSlices() {
    }

    /** Slices for H units: one per worker thread, at most one per unit. */
    static int count(int units) {
        return Math.max(1, Math.min(Workers.threads(), units));
    }

    /** The first unit of slice j of count (j = count gives H). */
    static int start(int units, int count, int j) {
        int start = (int) ((long) units * j / count);
        return j == count || units < ALIGN * count ? start : start / ALIGN * ALIGN;
    }
}
