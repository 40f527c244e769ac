package dev.streambard.stream;

import dev.streambard.contract.ActiveRequest;
import dev.streambard.contract.SessionState;
import dev.streambard.engine.RecurrentState;
import dev.streambard.engine.SamplingParams;
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

    private static float[][] toArrays(List<List<Float>> lists) {
        float[][] out = new float[lists.size()][];
        for (int l = 0; l < out.length; l++) {
            List<Float> v = lists.get(l);
            out[l] = new float[v.size()];
            for (int i = 0; i < out[l].length; i++) out[l][i] = v.get(i);
        }
        return out;
    }

    private static List<List<Float>> toLists(float[][] arrays) {
        List<List<Float>> out = new ArrayList<>(arrays.length);
        for (float[] a : arrays) {
            List<Float> v = new ArrayList<>(a.length);
            for (float x : a) v.add(x);
            out.add(v);
        }
        return out;
    }
}
