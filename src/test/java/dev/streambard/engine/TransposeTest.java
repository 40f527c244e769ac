package dev.streambard.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The native transpose against the definition, element by element. */
class TransposeTest {

    private static float[] numbered(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i + 1;
        return v;
    }

    @ParameterizedTest(name = "[{0}, {1}], row strides {2} → {3}")
    @CsvSource({
            "1, 1, 1, 1",
            "37, 101, 101, 37",     // neither a multiple of the 32 x 32 tiles
            "64, 200, 230, 70",     // strides past the rows: padding that must stay untouched
            "200, 3, 3, 200",       // fewer columns than workers take a share of
            "5, 1000, 1000, 5",
    })
    void matchesTheDefinitionAndWritesNothingElse(int rows, int cols, int fromStride, int intoStride) {
        assumeTrue(Transpose.available(), "the native transpose is not available here");
        float[] from = numbered(rows * fromStride);
        float[] into = new float[cols * intoStride];
        java.util.Arrays.fill(into, -1f);
        FloatPointer a = new FloatPointer(from.length).put(from);
        FloatPointer b = new FloatPointer(into.length).put(into);

        Transpose.copy(a.address(), fromStride, b.address(), intoStride, rows, cols);

        float[] actual = new float[into.length];
        b.get(actual);
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < intoStride; i++) {
                float expected = i < rows ? from[i * fromStride + j] : -1f;
                assertEquals(expected, actual[j * intoStride + i], "(" + j + ", " + i + ")");
            }
        }
    }

    @Test
    void rejectsStridesShorterThanARowAndTouchesNothing() {
        assumeTrue(Transpose.available(), "the native transpose is not available here");
        FloatPointer a = new FloatPointer(numbered(12));
        float[] before = numbered(12);
        FloatPointer b = new FloatPointer(before);
        assertThrows(IllegalArgumentException.class, () -> Transpose.copy(a.address(), 3, b.address(), 3, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Transpose.copy(a.address(), 4, b.address(), 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Transpose.copy(a.address(), 4, b.address(), 3, -1, 4));
        float[] after = new float[12];
        b.get(after);
        assertArrayEquals(before, after);
    }

    @Test
    void theSwitchTurnsItOff() {
        assumeTrue(Boolean.getBoolean("streambard.noNativeKernel"), "runs in the build's portable-products execution");
        assertEquals(false, Transpose.available());
        assertThrows(IllegalStateException.class, () -> Transpose.copy(0, 1, 0, 1, 1, 1));
    }
}
