package dev.streambard.engine;

import static org.bytedeco.openblas.global.openblas.blas_get_num_threads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** OpenBLAS's process-wide thread count under the two users that want one thread. */
class BlasThreadsTest {

    @Test
    void aSingleThreadedSectionRestoresTheCountEvenWhenItThrowsAndNests() {
        BlasThreads.singleThreaded(() -> { }); // reads the standard count first
        int standard = blas_get_num_threads();

        BlasThreads.singleThreaded(() -> {
            assertEquals(1, blas_get_num_threads());
            BlasThreads.singleThreaded(() -> assertEquals(1, blas_get_num_threads()));
            assertEquals(1, blas_get_num_threads(), "still inside the outer section");
        });
        assertEquals(standard, blas_get_num_threads());

        assertThrows(IllegalStateException.class, () -> BlasThreads.singleThreaded(() -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(standard, blas_get_num_threads());
    }

    @Test
    void splitProductsKeepOneThreadAfterASection() {
        try {
            BlasThreads.splitProducts(true);
            BlasThreads.singleThreaded(() -> assertEquals(1, blas_get_num_threads()));
            assertEquals(1, blas_get_num_threads(), "a section ending does not undo the split");
        } finally {
            BlasThreads.splitProducts(false);
        }
    }
}
