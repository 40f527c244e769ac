package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Moves between DL4J's [B, C, T] arrays, in every layout, and time-major rows [T·B, C]. */
class LayerArraysTest {
    private static final int B = 3;
    private static final int C = 70; // past a 32-wide tile and not a multiple of it
    private static final int T = 5;

    /** ncw[b, c, t] = a number unique to (b, c, t). */
    private static float value(int b, int c, int t) {
        return b * 10_000 + c * 10 + t;
    }

    private static INDArray ncw(String layout) {
        INDArray a = switch (layout) {
            case "c" -> Nd4j.create(DataType.FLOAT, new long[]{B, C, T}, 'c');
            case "f" -> Nd4j.create(DataType.FLOAT, new long[]{B, C, T}, 'f');
            // Memory [C][T][B], as RnnOutputLayer's epsilon and fromTimeMajor's output.
            case "ctb" -> Nd4j.create(DataType.FLOAT, new long[]{B, T, C}, 'f').permute(0, 2, 1);
            // A view at an offset inside a larger array.
            case "view" -> Nd4j.create(DataType.FLOAT, new long[]{B + 2, C, T}, 'c').get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(2, B + 2),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all());
            default -> throw new IllegalArgumentException(layout);
        };
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < C; c++) {
                for (int t = 0; t < T; t++) a.putScalar(new long[]{b, c, t}, value(b, c, t));
            }
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "f", "ctb", "view"})
    void toTimeMajorPutsExampleBAtStepTInRowTBPlusB(String layout) {
        RowMatrix rows = RowMatrix.allocate(T * B, C);
        LayerArrays.toTimeMajor(ncw(layout), rows);
        float[] all = new float[T * B * C];
        rows.read(all);
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                for (int c = 0; c < C; c++) assertEquals(value(b, c, t), all[(t * B + b) * C + c], "b " + b + ", c " + c + ", t " + t);
            }
        }
    }

    @Test
    void fromTimeMajorIsTheInverse() {
        INDArray original = ncw("c");
        RowMatrix rows = RowMatrix.allocate(T * B, C);
        LayerArrays.toTimeMajor(original, rows);
        INDArray back = LayerArrays.fromTimeMajor(rows, B, T, DataType.FLOAT, ArrayType.ACTIVATIONS, LayerWorkspaceMgr.noWorkspaces());
        assertArrayEquals(original.shape(), back.shape());
        assertEquals(original, back);
        // Laid out [C][T][B], so toTimeMajor of it again is a plain 2-d transpose.
        RowMatrix again = RowMatrix.allocate(T * B, C);
        LayerArrays.toTimeMajor(back, again);
        float[] a = new float[T * B * C];
        float[] b = new float[T * B * C];
        rows.read(a);
        again.read(b);
        assertArrayEquals(a, b);
    }
}
