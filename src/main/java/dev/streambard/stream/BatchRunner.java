package dev.streambard.stream;

import dev.streambard.contract.ActiveRequest;
import dev.streambard.contract.FinishReason;
import dev.streambard.engine.BatchState;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.engine.SampleRandom;
import dev.streambard.engine.Sampler;
import dev.streambard.model.CellType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Continuous batching for one processor: steps every live session together, one character per step,
 * until a deadline, emitting chunks as characters are sampled. Batch buffers are reused per capacity,
 * so a slice allocates no native memory once warm.
 */
final class BatchRunner {

    /** Receives output: text for a request, and whether (and why) the request ended. */
    interface Output {
        void chunk(LiveSession session, int index, String text, FinishReason finished);
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
     * Steps the sessions until each has finished, {@code deadlineNanos} has passed or {@code arrivals} has a
     * request waiting to be polled (at least one step).
     * Finished sessions have {@code active == null}; every session's recurrent state is written back.
     */
    void run(List<LiveSession> sessions, ServingModel model, long deadlineNanos, ArrivalSignal arrivals, Output out) {
        if (sessions.isEmpty()) return;
        InferenceEngine engine = model.engine();
        int layers = engine.config().layers();
        int units = engine.config().units();
        boolean hasCell = engine.config().cell() == CellType.LSTM;
        int vocab = model.vocabulary().size();
        // Sessions with a seed to read go through it alone first (sgemv: ~0.4 ms a character for the tutorial
        // model), not one character per batch step: a new request's first character then waits for one
        // short prefill instead of as many batch steps as its seed has characters.
        List<LiveSession> batched = new java.util.ArrayList<>(sessions.size());
        for (LiveSession s : sessions) {
            if (s.pendingInputs() > 1 && prefill(s, model, layers, units, hasCell, out)) continue;
            batched.add(s);
        }
        if (batched.isEmpty()) return;
        BatchState batch = batch(engine, batched.size());
        LiveSession[] rows = batched.toArray(new LiveSession[0]);
        for (int b = 0; b < batch.size(); b++) {
            if (b < rows.length) batch.load(b, rows[b].recurrentState(layers, units, hasCell));
            else batch.reset(b);
        }
        int[] inputs = new int[batch.size()];
        int alive = rows.length;
        // A step's chunks go out while the next step's first product runs on the helper: emitting (Avro,
        // the producer) is serial work of this thread, and it used to leave the other core idle.
        Chunks pending = new Chunks(out);
        do {
            long stepStart = System.nanoTime();
            int stepped = alive;
            for (int b = 0; b < rows.length; b++) inputs[b] = rows[b] != null ? rows[b].nextInput() : 0;
            engine.step(batch, inputs, pending::send);
            float[] logits = null;
            for (int b = 0; b < rows.length; b++) {
                LiveSession s = rows[b];
                if (s == null) continue;
                s.state.setPosition(s.state.getPosition() + 1);
                if (!s.readyToSample()) continue;
                if (logits == null) logits = batch.logits();
                double u = SampleRandom.uniform(s.request.getRngSeed(), s.id(), s.state.getPosition());
                int next = Sampler.sample(logits, b * vocab, vocab, s.sampling, u);
                if (accept(s, next, model, pending)) {
                    s.setRecurrentState(batch.snapshot(b));
                    s.saveProgress();
                    rows[b] = null;
                    alive--;
                }
            }
            metrics.step((System.nanoTime() - stepStart) / 1e9, stepped);
        } while (alive > 0 && System.nanoTime() < deadlineNanos && !arrivals.waiting());
        pending.send();
        for (int b = 0; b < rows.length; b++) {
            if (rows[b] == null) continue;
            rows[b].setRecurrentState(batch.snapshot(b));
            rows[b].saveProgress();
        }
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

    /** Chunks held until {@link #send}: the batch loop sends a step's chunks during the next step. */
    private static final class Chunks implements Output {
        private record Chunk(LiveSession session, int index, String text, FinishReason finished) {
        }

        private final Output out;
        private final List<Chunk> held = new java.util.ArrayList<>();

        Chunks(Output out) {
            this.out = out;
        }

        @Override
        public void chunk(LiveSession session, int index, String text, FinishReason finished) {
            held.add(new Chunk(session, index, text, finished));
        }

        /** Sends the held chunks in the order they came. */
        void send() {
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
