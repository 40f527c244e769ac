package dev.streambard.model;

import dev.streambard.engine.BlasThreads;
import dev.streambard.engine.Workers;

/**
 * What the hand-written recurrent layers' passes share: the shape of a batch of whole sequences (T steps,
 * B examples, N inputs, H units) and the time-major buffers through which the layer talks to its
 * neighbours, sized once and reused (row t·B + b holds example b at step t). Subclasses add their gates.
 */
abstract class RecurrentSequence {
    final int steps;   // T
    final int batch;   // B
    final int inputs;  // N
    final int units;   // H

    /** [T·B, N] the layer's input; the caller fills it before the forward pass. */
    final RowMatrix x;
    /** [T·B, H] the hidden states, output of the forward pass. */
    final RowMatrix h;
    /** [T·B, H] dL/dh from the layer above; the caller fills it before the backward pass. */
    final RowMatrix dh;
    /** [T·B, N] dL/dx, output of the backward pass. */
    final RowMatrix dx;

    RecurrentSequence(int steps, int batch, int inputs, int units) {
        this.steps = steps;
        this.batch = batch;
        this.inputs = inputs;
        this.units = units;
        int rows = steps * batch;
        x = RowMatrix.allocate(rows, inputs);
        h = RowMatrix.allocate(rows, units);
        dh = RowMatrix.allocate(rows, units);
        dx = RowMatrix.allocate(rows, inputs);
    }

    final boolean fits(int steps, int batch, int inputs, int units) {
        return this.steps == steps && this.batch == batch && this.inputs == inputs && this.units == units;
    }

    /** Work of one slice of the units at one step. */
    interface SliceStep {
        void run(int slice, int t);
    }

    /**
     * A pass over the steps (forwards, or backwards from the last), OpenBLAS on one thread: packs {@code weights}
     * for it, then runs each step as {@code slices} slices side by side on the engine's workers.
     */
    final void runSteps(int slices, StepWeights weights, boolean backwards, SliceStep step) {
        BlasThreads.singleThreaded(() -> {
            Workers.forBlocks(slices, j -> weights.pack(j, slices));
            for (int i = 0; i < steps; i++) {
                int t = backwards ? steps - 1 - i : i;
                Workers.forBlocks(slices, j -> step.run(j, t));
            }
        });
    }

    /** Frees the native buffers now rather than at garbage collection. */
    void close() {
        x.close();
        h.close();
        dh.close();
        dx.close();
    }
}
