package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BlasTest {

    /**
     * c = a·b with the products split over the engine's workers equals the product in doubles, for weights packed for
     * the kernel and plain ones. 65 columns is the output layer's shape: fewer than one block of 128 columns, so it is
     * cut into one block per thread, the boundary (column 48) inside neither a block's first nor its last panel.
     */
    @ParameterizedTest(name = "[{0}, {1}]·[{1}, {2}], packed {3}")
    @CsvSource({
            "64, 1024, 65, true", "64, 1024, 65, false",   // split in two blocks
            "3, 1024, 65, true", "1, 1024, 65, true",       // under the work worth splitting: one call
            "64, 256, 4096, true",                          // wide: blocks of 512 columns
    })
    void splitProductsMatchTheProduct(int m, int k, int n, boolean packed) {
        Random random = new Random(m * 31L + n);
        float[] av = randomFloats(random, m * k);
        float[] bv = randomFloats(random, k * n);
        INDArray a = Nd4j.create(av, new long[]{m, k}, 'c');
        INDArray b = Nd4j.create(bv, new long[]{k, n}, 'c');
        NativeMatrix left = NativeMatrix.copyOf(a);
        NativeMatrix right = packed ? NativeMatrix.weights(b) : NativeMatrix.copyOf(b);
        NativeMatrix c = NativeMatrix.zeros(m, n);
        Blas.splitProducts(true);
        try {
            Blas.gemm(left, right, c, 0f);
        } finally {
            Blas.splitProducts(false);
        }
        float[] out = new float[m * n];
        c.read(out);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += (double) av[i * k + p] * bv[p * n + j];
                assertEquals(expected, out[i * n + j], 1e-3, "c[" + i + ", " + j + "]");
            }
        }
    }

    private static float[] randomFloats(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) random.nextGaussian() * 0.1f;
        return values;
    }
}
