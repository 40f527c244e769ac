package dev.streambard.model;

import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conversions between DL4J's arrays and the time-major {@link RowMatrix} buffers of the hand-written
 * recurrent layers ({@link FastLstmLayer}, {@link FastGruLayer}).
 *
 * <p>Both directions are a 2-d transpose between the rows and a [C, T·B] view of the array: DL4J's arrays
 * here are laid out [C][T][B] (the epsilon RnnOutputLayer returns, and the arrays these methods create). A 2-d
 * transpose is the native {@link dev.streambard.engine.Transpose} where it is built, else ND4J's copy, which
 * was still 2-3x faster than its 3-d permutation (52-80 ms against 141-198 ms for [6400, 1024]).
 */
final class LayerArrays {

    private LayerArrays() {
    }

    /** [B, C, T] → time-major rows [T·B, C]; a single transposing copy when ncw's memory is [C][T][B]. */
    static void toTimeMajor(INDArray ncw, RowMatrix rows) {
        INDArray ctb = ncw.permute(1, 2, 0).reshape('c', rows.cols, rows.rows); // [C, T·B], a copy if not [C][T][B]
        if (RowMatrix.isRowMajor(ctb)) {
            RowMatrix.over(ctb).transposeInto(rows);
        } else {
            rows.array().assign(ctb.transpose());
        }
    }

    /** Time-major rows [T·B, C] → a new [B, C, T] array, a view of an f-order [B, T, C] one: memory [C][T][B]. */
    static INDArray fromTimeMajor(RowMatrix rows, int batch, int steps, DataType dataType, ArrayType type,
                                  LayerWorkspaceMgr workspaceMgr) {
        INDArray out = workspaceMgr.create(type, dataType, new long[]{batch, steps, rows.cols}, 'f');
        rows.transposeInto(RowMatrix.over(out.permute(2, 1, 0).reshape('c', rows.cols, rows.rows))); // a view: [C, T·B]
        return out.permute(0, 2, 1);
    }

    /**
     * Copies a parameter gradient into the layer's gradient view for {@code key} and records the view in
     * {@code gradient}: the updater reads the network's flattened gradient array, which the views share.
     */
    static void putGradient(Map<String, INDArray> views, Gradient gradient, String key, RowMatrix value) {
        INDArray view = views.get(key);
        view.assign(value.array().reshape(view.shape()));
        gradient.gradientForVariable().put(key, view);
    }
}
