package dev.streambard.stream;

import dev.streambard.contract.ActiveRequest;
import dev.streambard.contract.SessionState;
import dev.streambard.engine.RecurrentState;
import dev.streambard.engine.SamplingParams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A session with a running request, as the batch runner works on it: the stored state plus the
 * request's seed as a plain array with a cursor (the stored list is written back once per slice).
 */
final class LiveSession {
    final SessionState state;
    final ActiveRequest request;
    final StopSequences stops;
    final SamplingParams sampling;
    private final int[] toFeed;
    private int fed;

    LiveSession(SessionState state) {
        this.state = state;
        this.request = state.getActive();
        this.stops = new StopSequences(request.getStopSequences());
        this.sampling = new SamplingParams(request.getTemperature(), request.getTopK(), false);
        this.toFeed = request.getToFeed().stream().mapToInt(Integer::intValue).toArray();
    }

    String id() {
        return state.getSessionId();
    }

    /** The character to feed next: a sampled one not fed yet, else the next seed character. */
    int nextInput() {
        int pending = state.getPendingChar();
        if (pending >= 0) {
            state.setPendingChar(-1);
            return pending;
        }
        return toFeed[fed++];
    }

    /** After a feed: true when the next character is to be sampled (nothing left to feed). */
    boolean readyToSample() {
        return state.getPendingChar() < 0 && fed == toFeed.length;
    }

    /** Characters still to feed before the next sample. */
    int pendingInputs() {
        return (state.getPendingChar() >= 0 ? 1 : 0) + toFeed.length - fed;
    }

    boolean hasInput() {
        return state.getPendingChar() >= 0 || fed < toFeed.length;
    }

    RecurrentState recurrentState(int layers, int units, boolean hasCell) {
        if (state.getHidden().isEmpty()) return RecurrentState.zeros(layers, units, hasCell);
        return new RecurrentState(toArrays(state.getHidden()), toArrays(state.getCell()));
    }

    void setRecurrentState(RecurrentState s) {
        state.setHidden(toLists(s.h()));
        state.setCell(toLists(s.c()));
    }

    /** Writes the unfed part of the seed back into the stored request. */
    void saveProgress() {
        List<Integer> rest = new ArrayList<>(toFeed.length - fed);
        for (int i = fed; i < toFeed.length; i++) rest.add(toFeed[i]);
        request.setToFeed(rest);
    }

    /** Layers as float32 little-endian bytes: compact, and no boxing of a thousand Floats per layer. */
    private static float[][] toArrays(List<ByteBuffer> layers) {
        float[][] out = new float[layers.size()][];
        for (int l = 0; l < out.length; l++) {
            FloatBuffer v = layers.get(l).duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            out[l] = new float[v.remaining()];
            v.get(out[l]);
        }
        return out;
    }

    private static List<ByteBuffer> toLists(float[][] arrays) {
        List<ByteBuffer> out = new ArrayList<>(arrays.length);
        for (float[] a : arrays) {
            ByteBuffer b = ByteBuffer.allocate(a.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(a);
            out.add(b);
        }
        return out;
    }
}
