package dev.streambard.stream;

import dev.streambard.contract.ActiveRequest;
import dev.streambard.contract.FinishReason;
import dev.streambard.contract.SessionState;
import dev.streambard.engine.BatchState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.SampleRandom;
import dev.streambard.engine.Sampler;
import dev.streambard.model.CellType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Continuous batching for one processor: steps every live session together, one character per step,
 * emitting chunks as characters are sampled. A slice {@link #open opens} a run (its sessions loaded into a
 * batch), {@link #step steps} it until a deadline and {@link #close closes} it (states written back); between
 * two slices the same run may step on in the background, holding its chunks for the next slice
 * ({@link StepAhead}). Batch buffers are reused per capacity, so a slice allocates no native memory once warm.
 */
final class BatchRunner {

    /** Receives output: text for a request, and whether (and why) the request ended. */
    interface Output {
        void chunk(LiveSession session, int index, String text, FinishReason finished);
    }

    /**
     * Sessions loaded into a batch, and how far each has got. Used by one thread at a time: the processor's,
     * or the background's between a {@link StepAhead#start} and the job's stop.
     */
    static final class Run {
        final ServingModel model;
        private final LiveSession[] rows; // session b in row b; null once its request has ended
        private final BatchState batch;
        private final int[] inputs;
        private final Chunks held = new Chunks();
        private int alive;
        /** The sessions stepped since the run was opened or last closed: those running then (some may have ended since). */
        private List<LiveSession> stepping;
        private final Set<SessionState> steppingStates = Collections.newSetFromMap(new IdentityHashMap<>());

        private Run(ServingModel model, List<LiveSession> sessions, BatchState batch) {
            this.model = model;
            this.rows = sessions.toArray(new LiveSession[0]);
            this.batch = batch;
            this.inputs = new int[batch.size()];
            this.alive = rows.length;
            markStepping();
        }

        /** Sessions whose request is still running. */
        int alive() {
            return alive;
        }

        /**
         * The sessions stepped since the run was opened or last {@link #close closed}: those it must store next.
         * Sessions that ended before that close were stored then, and are no longer this run's.
         */
        List<LiveSession> stepping() {
            return stepping;
        }

        /** Whether {@code state} is one of the sessions {@link #stepping}. */
        boolean holds(SessionState state) {
            return steppingStates.contains(state);
        }

        /** Whether the sessions {@link #stepping} are exactly {@code states} (compared by identity, in any order). */
        boolean isExactly(List<SessionState> states) {
            return states.size() == steppingStates.size() && steppingStates.containsAll(states);
        }

        private void markStepping() {
            List<LiveSession> running = new ArrayList<>(alive);
            for (LiveSession s : rows) if (s != null) running.add(s);
            stepping = running;
            steppingStates.clear();
            for (LiveSession s : running) steppingStates.add(s.state);
        }
    }

    private final int chunkChars;
    private final ServiceMetrics metrics;
    private final Map<Integer, BatchState> batches = new HashMap<>();
    private InferenceEngine batchesEngine;

    BatchRunner(int chunkChars, ServiceMetrics metrics) {
        this.chunkChars = chunkChars;
        this.metrics = metrics;
    }

    /**
     * Loads the sessions into a batch. Sessions with a seed to read go through it alone first, sending their
     * first chunk to {@code out}; null when no session is left to step (each ended there, or there were none).
     */
    Run open(List<LiveSession> sessions, ServingModel model, Output out) {
        InferenceEngine engine = model.engine();
        int layers = engine.config().layers();
        int units = engine.config().units();
        boolean hasCell = engine.config().cell() == CellType.LSTM;
        // Seeds are read alone (sgemv: ~0.4 ms a character for the tutorial model), not one character per
        // batch step: a new request's first character then waits for one short prefill instead of as many
        // batch steps as its seed has characters.
        List<LiveSession> batched = new ArrayList<>(sessions.size());
        for (LiveSession s : sessions) {
            if (s.pendingInputs() > 1 && prefill(s, model, layers, units, hasCell, out)) continue;
            batched.add(s);
        }
        if (batched.isEmpty()) return null;
        Run run = new Run(model, batched, batch(engine, batched.size()));
        for (int b = 0; b < run.batch.size(); b++) {
            if (b < run.rows.length) run.batch.load(b, run.rows[b].recurrentState(layers, units, hasCell));
            else run.batch.reset(b);
        }
        return run;
    }

    /**
     * Steps the run until each session has ended, {@code deadlineNanos} has passed or {@code stop} says so
     * (asked after each step; at least one step is taken). With an {@code out}, a step's chunks go out while the
     * next step's first product runs on the helper (emitting is serial work of this thread, and it used to leave
     * the other core idle), and the last ones before this returns; without one, they are held for {@link #send}.
     */
    void step(Run run, long deadlineNanos, BooleanSupplier stop, Output out) {
        if (run.alive == 0) return;
        InferenceEngine engine = run.model.engine();
        int vocab = run.model.vocabulary().size();
        LiveSession[] rows = run.rows;
        Runnable sendHeld = out == null ? null : () -> run.held.sendTo(out);
        do {
            long stepStart = System.nanoTime();
            int stepped = run.alive;
            for (int b = 0; b < rows.length; b++) run.inputs[b] = rows[b] != null ? rows[b].nextInput() : 0;
            engine.step(run.batch, run.inputs, sendHeld);
            float[] logits = null;
            for (int b = 0; b < rows.length; b++) {
                LiveSession s = rows[b];
                if (s == null) continue;
                s.state.setPosition(s.state.getPosition() + 1);
                if (!s.readyToSample()) continue;
                if (logits == null) logits = run.batch.logits();
                double u = SampleRandom.uniform(s.request.getRngSeed(), s.id(), s.state.getPosition());
                int next = Sampler.sample(logits, b * vocab, vocab, s.sampling, u);
                if (accept(s, next, run.model, run.held)) {
                    s.setRecurrentState(run.batch.snapshot(b));
                    s.saveProgress();
                    rows[b] = null;
                    run.alive--;
                }
            }
            metrics.step((System.nanoTime() - stepStart) / 1e9, stepped);
        } while (run.alive > 0 && System.nanoTime() < deadlineNanos && !stop.getAsBoolean());
        if (out != null) run.held.sendTo(out);
    }

    /** Sends the chunks the run holds, in the order they came. */
    void send(Run run, Output out) {
        run.held.sendTo(out);
    }

    /**
     * Writes each running session's recurrent state and seed progress back into its stored state; from here on
     * the run is stepping those still running. It may step on afterwards; their stored states are then behind
     * until the next close.
     */
    void close(Run run) {
        for (int b = 0; b < run.rows.length; b++) {
            LiveSession s = run.rows[b];
            if (s == null) continue;
            s.setRecurrentState(run.batch.snapshot(b));
            s.saveProgress();
        }
        run.markStepping();
    }

    /**
     * Feeds up to {@value #PREFILL_PER_SLICE} of a session's pending characters on a batch of one, and
     * samples its first character once they are all read; true when that already ended the request.
     */
    private boolean prefill(LiveSession s, ServingModel model, int layers, int units, boolean hasCell, Output out) {
        InferenceEngine engine = model.engine();
        BatchState one = batch(engine, 1);
        one.load(0, s.recurrentState(layers, units, hasCell));
        int[] input = new int[1];
        boolean ended = false;
        for (int n = 0; n < PREFILL_PER_SLICE && s.hasInput(); n++) {
            input[0] = s.nextInput();
            engine.step(one, input);
            s.state.setPosition(s.state.getPosition() + 1);
            if (s.readyToSample()) {
                int vocab = model.vocabulary().size();
                double u = SampleRandom.uniform(s.request.getRngSeed(), s.id(), s.state.getPosition());
                ended = accept(s, Sampler.sample(one.logits(), 0, vocab, s.sampling, u), model, out);
                break;
            }
        }
        s.setRecurrentState(one.snapshot(0));
        s.saveProgress();
        return ended;
    }

    /** Chunks made and not yet sent. */
    private static final class Chunks implements Output {
        private record Chunk(LiveSession session, int index, String text, FinishReason finished) {
        }

        private final List<Chunk> held = new ArrayList<>();

        @Override
        public void chunk(LiveSession session, int index, String text, FinishReason finished) {
            held.add(new Chunk(session, index, text, finished));
        }

        /** Sends the held chunks in the order they came. */
        void sendTo(Output out) {
            for (Chunk c : held) out.chunk(c.session, c.index, c.text, c.finished);
            held.clear();
        }
    }

    /** Seed characters read alone per session per slice: bounds the time a long seed holds the thread. */
    private static final int PREFILL_PER_SLICE = 256;

    /** Takes a sampled character through the stop sequences into chunks; true when the request ended. */
    private boolean accept(LiveSession s, int next, ServingModel model, Output out) {
        ActiveRequest r = s.request;
        s.state.setPendingChar(next);
        r.setGenerated(r.getGenerated() + 1);
        StopSequences.Step step = s.stops.offer(r.getHeld(), model.vocabulary().decode(next));
        r.setHeld(step.held());
        String unsent = r.getUnsent() + step.emit();
        FinishReason finished = null;
        if (step.stopped()) {
            finished = FinishReason.STOP;
        } else if (r.getGenerated() >= r.getMaxChars()) {
            finished = FinishReason.LENGTH;
            unsent += r.getHeld(); // the stop never completed: held text is ordinary output
            r.setHeld("");
        }
        if (finished != null || unsent.codePointCount(0, unsent.length()) >= chunkChars) {
            out.chunk(s, r.getEmitted(), unsent, finished);
            r.setEmitted(r.getEmitted() + unsent.codePointCount(0, unsent.length()));
            unsent = "";
        }
        r.setUnsent(unsent);
        if (finished != null) s.state.setActive(null);
        return finished != null;
    }

    private BatchState batch(InferenceEngine engine, int sessions) {
        if (engine != batchesEngine) {
            batches.clear();
            batchesEngine = engine;
        }
        // Exact up to 8 (padding rows would cost as much as sessions), then multiples of 8: few buffers, little padding.
        int capacity = sessions <= 8 ? sessions : (sessions + 7) / 8 * 8;
        return batches.computeIfAbsent(capacity, engine::newBatch);
    }
}
