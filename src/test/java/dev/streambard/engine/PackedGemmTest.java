package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The packed kernel against products computed plainly in double precision. */
class PackedGemmTest {

    private static boolean compilerAndAvx2() throws IOException {
        String flags = Files.readString(Path.of("/proc/cpuinfo"));
        boolean cpu = flags.contains(" avx2") && flags.contains(" fma");
        boolean cc = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            cc |= Files.isExecutable(Path.of(dir, System.getenv().getOrDefault("CC", "cc")));
        }
        return cpu && cc;
    }

    private static final boolean SWITCHED_OFF = Boolean.getBoolean("streambard.noNativeKernel");

    @Test
    void isBuiltWhereverACompilerAndAvx2Exist() throws IOException {
        assumeFalse(SWITCHED_OFF, "switched off for this run");
        assumeTrue(compilerAndAvx2(), "no C compiler or no AVX2/FMA here: the portable path runs instead");
        assertTrue(PackedGemm.available(), () -> "not available: " + PackedGemm.unavailableBecause().orElse(""));
        assertTrue(LstmCellKernel.available(), "the LSTM cell's kernel, built the same way");
    }

    @Test
    void theSwitchTurnsItOff() {
        assumeTrue(SWITCHED_OFF, "runs in the build's portable-products execution");
        assertFalse(PackedGemm.available());
        assertFalse(LstmCellKernel.available());
        assertTrue(PackedGemm.unavailableBecause().orElseThrow().contains("switched off"));
        PackedGemm.Panels[] made = new PackedGemm.Panels[1];
        assertThrows(IllegalStateException.class, () -> {
            made[0] = new PackedGemm.Panels(4, 16);
            made[0].pack(0, 16, 1, 0, 1);
        });
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static FloatPointer memory(float[] values) {
        FloatPointer p = new FloatPointer(values.length);
        p.put(values);
        return p;
    }

    private static float[] read(FloatPointer p, int n) {
        float[] v = new float[n];
        p.get(v);
        return v;
    }

    @ParameterizedTest(name = "m {0}, k {1}, n {2}, columns {3}..{4} × {5} spaced {6}, beta {7}, B given transposed {8}")
    @CsvSource({
            "64, 300, 100, 0, 100, 1, 0, 0, false",    // k across blocks of 256, a partial last panel
            "7, 33, 40, 3, 21, 1, 0, 1, false",        // ranges inside panels, rows past a tile of 6, accumulate
            "1, 5, 16, 0, 16, 1, 0, 0, true",          // one row; B as the transpose of a row-major matrix
            "12, 64, 96, 5, 13, 4, 24, 1, true",       // four gate blocks of 8 units, unaligned, spaced 24
            "6, 256, 48, 16, 32, 2, 16, 0, false",     // whole panels, two blocks side by side
            "3, 1024, 64, 0, 64, 1, 0, 0, false",     // a batch of three: one tile, half of it padding
    })
    void matchesAPlainProduct(int m, int k, int n, int from, int to, int blocks, int spacing, float beta, boolean transposed) {
        assumeTrue(PackedGemm.available(), "the kernel is not available here");
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);   // B [k, n] row-major, or (transposed) its transpose [n, k] row-major
        float[] c = random(m * n, 3);
        FloatPointer pa = memory(a);
        FloatPointer pb = memory(b);
        FloatPointer pc = memory(c);
        PackedGemm.Panels panels = new PackedGemm.Panels(k, n);
        long rowStride = transposed ? 1 : n;
        long colStride = transposed ? k : 1;
        int parts = 3; // packed in parts, as the training slices do
        for (int part = 0; part < parts; part++) {
            panels.pack(pb.address(), rowStride, colStride, panels.panels() * part / parts, panels.panels() * (part + 1) / parts);
        }

        PackedGemm.multiply(pa.address(), k, panels, pc.address(), n, m, from, to, blocks, spacing, beta);

        float[] actual = read(pc, m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                boolean inside = false;
                for (int q = 0; q < blocks; q++) inside |= j >= from + q * spacing && j < to + q * spacing;
                double expected = c[i * n + j];
                if (inside) {
                    double sum = 0;
                    for (int kk = 0; kk < k; kk++) sum += (double) a[i * k + kk] * b[(int) (kk * rowStride + j * colStride)];
                    expected = beta * expected + sum;
                }
                assertEquals(expected, actual[i * n + j], 1e-4 * Math.sqrt(k), "c(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void rejectsColumnsOutsideBAndTouchesNothing() {
        assumeTrue(PackedGemm.available(), "the kernel is not available here");
        FloatPointer a = memory(random(2 * 4, 1));
        FloatPointer b = memory(random(4 * 20, 2));
        float[] before = random(2 * 20, 3);
        FloatPointer c = memory(before);
        PackedGemm.Panels panels = new PackedGemm.Panels(4, 20);
        panels.pack(b.address(), 20, 1, 0, panels.panels());

        assertThrows(IndexOutOfBoundsException.class, () -> PackedGemm.multiply(a.address(), 4, panels, c.address(), 20, 2, 10, 21, 0f));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedGemm.multiply(a.address(), 4, panels, c.address(), 20, 2, 0, 8, 3, 8, 0f));
        assertThrows(IndexOutOfBoundsException.class, () -> PackedGemm.multiply(a.address(), 4, panels, c.address(), 20, 2, 0, 8, 2, 4, 0f));
        assertThrows(IllegalArgumentException.class, () -> PackedGemm.multiply(a.address(), 3, panels, c.address(), 20, 2, 0, 8, 0f));
        assertThrows(IndexOutOfBoundsException.class, () -> panels.pack(b.address(), 20, 1, 0, panels.panels() + 1));
        assertArrayEquals(before, read(c, 2 * 20), 0f);
    }

    /** c = a·B for a [m, k] and a row-major B [k, n], through {@code panels}; compared with the plain product. */
    private static void assertMultipliesThrough(PackedGemm.Panels panels, int m, int k, int n, long seed) {
        float[] a = random(m * k, seed);
        float[] b = random(k * n, seed + 1);
        FloatPointer pb = memory(b);
        panels.pack(pb.address(), n, 1, 0, panels.panels());
        FloatPointer pc = memory(new float[m * n]);
        PackedGemm.multiply(memory(a).address(), k, panels, pc.address(), n, m, 0, n, 0f);
        float[] c = read(pc, m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int kk = 0; kk < k; kk++) sum += (double) a[i * k + kk] * b[kk * n + j];
                assertEquals(sum, c[i * n + j], 1e-4 * Math.sqrt(k), "c(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void panelsCanTakeTurnsInOneBuffer() {
        assumeTrue(PackedGemm.available(), "the kernel is not available here");
        PackedGemm.Panels forward = new PackedGemm.Panels(32, 64);
        PackedGemm.Panels backward = new PackedGemm.Panels(64, 32, forward); // the same size: shares the memory
        assertMultipliesThrough(forward, 5, 32, 64, 10);
        assertMultipliesThrough(backward, 5, 64, 32, 20);
        assertMultipliesThrough(forward, 5, 32, 64, 30); // packed again after the other's turn
        backward.close(); // frees nothing: the memory is forward's
        assertMultipliesThrough(forward, 3, 32, 64, 40);

        PackedGemm.Panels larger = new PackedGemm.Panels(64, 96, forward); // too large to share: memory of its own
        assertMultipliesThrough(forward, 4, 32, 64, 50);
        assertMultipliesThrough(larger, 4, 64, 96, 60);
        assertMultipliesThrough(forward, 4, 32, 64, 50);
        larger.close();
        forward.close();
    }
}
