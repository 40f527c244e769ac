package dev.streambard.engine;

import static org.bytedeco.openblas.global.openblas.blas_get_num_threads;
import static org.bytedeco.openblas.global.openblas.blas_set_num_threads;

/**
 * OpenBLAS's thread count, which is process-wide: its own threads for a large product by default (as ND4J set
 * them), one thread while products are split over the engine's {@link Workers} instead. Two users want one
 * thread: a process that generates ({@link #splitProducts}, for good) and a training layer's recurrence
 * ({@link #singleThreaded}, for its duration), whose two halves run their own products side by side.
 */
public final class BlasThreads {
    private static int standard = -1; // the count ND4J set, read on first use
    private static volatile boolean split;
    private static int singleSections;

    private BlasThreads() {
    }

    /** True: one OpenBLAS thread from now on; false: back to the standard count (unless a section runs). */
    static synchronized void splitProducts(boolean on) {
        split = on;
        apply();
    }

    static boolean splitsProducts() {
        return split;
    }

    /**
     * Runs {@code work} with OpenBLAS on one thread, so that products called on several threads at once (the
     * engine's workers) each run on their caller's core instead of queueing for OpenBLAS's threads.
     */
    public static void singleThreaded(Runnable work) {
        enter();
        try {
            work.run();
        } finally {
            exit();
        }
    }

    private static synchronized void enter() {
        singleSections++;
        apply();
    }

    private static synchronized void exit() {
        singleSections--;
        apply();
    }

    private static void apply() {
        if (standard < 0) {
            // ND4J sets OpenBLAS's thread count when it creates its BLAS wrapper: have that done first.
            org.nd4j.linalg.factory.Nd4j.factory().blas();
            standard = blas_get_num_threads();
        }
        blas_set_num_threads(split || singleSections > 0 ? 1 : standard);
    }
}
