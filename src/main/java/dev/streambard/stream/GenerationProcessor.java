package dev.streambard.stream;

import dev.streambard.contract.FinishReason;
import dev.streambard.contract.GenerationChunk;
import dev.streambard.contract.GenerationRequest;
import dev.streambard.contract.SessionState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Requests in, chunks out. A request starts (or queues behind) a session's generation; a wall-clock
 * punctuator steps every live session of this task together for a bounded slice, then writes each
 * session's state to the store once. Commits happen between punctuations, so the stored state always
 * matches the output committed with it: after a crash, generation resumes exactly where it stopped.
 * Between slices the batch may step on in the background ({@link StepAhead}); what it makes is sent, and
 * its states stored, by the next slice, or first thing when a request for one of its sessions comes in.
 *
 * <p>Rule for a request that arrives while its session is generating: it waits in the session's queue
 * (up to a limit) and starts, continuing the session, when the running one ends. {@code cancel} ends
 * the running request (CANCELLED) and drops the queued ones.
 */
final class GenerationProcessor implements Processor<String, byte[], String, Object> {
    static final String ERROR_HEADER = "streambard.error";

    private final Supplier<ServingModel> model;
    private final StreamSettings settings;
    private final Function<byte[], GenerationRequest> decoder;
    private final Requests requests;
    private final BatchRunner runner;
    private final ServiceMetrics metrics;
    /** Request id → when it arrived (System.nanoTime), until its first character: for the time-to-first-character metric. */
    private final Map<String, Long> awaitingFirst = new java.util.HashMap<>();
    private final Map<String, SessionState> live = new LinkedHashMap<>();
    private final PollPacing pacing = new PollPacing();
    private final ArrivalSignal arrivals;
    private final StepAhead stepAhead;
    /** The last slice's run while it steps on in the background (see {@link StepAhead}); null otherwise. */
    private BatchRunner.Run ahead;
    private StepAhead.Job aheadJob;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, SessionState> store;
    private Sensor deadLetters;
    private Sensor generatedChars;
    private Sensor liveSessions;

    GenerationProcessor(Supplier<ServingModel> model, StreamSettings settings, Function<byte[], GenerationRequest> decoder,
                        ServiceMetrics metrics, ArrivalSignal arrivals, StepAhead stepAhead) {
        this.arrivals = arrivals;
        this.stepAhead = stepAhead;
        this.model = model;
        this.settings = settings;
        this.decoder = decoder;
        this.metrics = metrics;
        this.requests = new Requests(settings);
        this.runner = new BatchRunner(settings.chunkChars(), metrics);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(GenerationTopology.SESSION_STORE);
        this.deadLetters = context.metrics().addRateTotalSensor("streambard", "generation", "dead-letters", Sensor.RecordingLevel.INFO);
        this.generatedChars = context.metrics().addRateTotalSensor("streambard", "generation", "chunks", Sensor.RecordingLevel.INFO);
        this.liveSessions = liveSessionsGauge(context);
        arrivals.owned(context.taskId().partition());
        try (KeyValueIterator<String, SessionState> all = store.all()) {
            while (all.hasNext()) { // sessions that were generating when this task last stopped resume
                KeyValue<String, SessionState> kv = all.next();
                if (kv.value.getActive() != null) live.put(kv.key, kv.value);
            }
        }
        context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        Duration sweep = settings.sessionTtl().dividedBy(10);
        context.schedule(sweep.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : sweep,
                PunctuationType.WALL_CLOCK_TIME, this::expire);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        pacing.recordProcessed();
        context.recordMetadata().ifPresent(m -> arrivals.processed(m.partition(), m.offset()));
        String key = record.key();
        if (key == null) {
            deadLetter(record, "the record has no key: key requests by session id");
            return;
        }
        GenerationRequest request;
        try {
            request = decoder.apply(record.value() == null ? new byte[0] : record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e.getMessage());
            emit(error(key, "", e.getMessage()));
            return;
        }
        ServingModel m = model.get();
        SessionState running = live.get(key);
        if (running != null && ahead != null && ahead.holds(running)) settle(takeAhead()); // its chunks before this request's
        SessionState state = live.containsKey(key) ? live.get(key) : store.get(key);
        // A session can be continued once it has generated; a request queued behind a running one will be.
        boolean canContinue = state != null
                && (state.getActive() != null || state.getPendingChar() >= 0 && !state.getHidden().isEmpty());
        String problem = requests.problem(key, request, m.vocabulary(), canContinue);
        if (problem != null) {
            deadLetter(record, problem);
            emit(error(key, request.getRequestId(), problem));
            return;
        }
        if (state == null && request.getCancel()) return; // nothing runs in a session that does not exist
        if (state == null) state = SessionState.newBuilder().setSessionId(key).build();
        state.setLastActivityMs(context.currentSystemTimeMs());
        if (request.getCancel()) {
            cancel(state, m);
        } else if (state.getActive() != null) {
            if (state.getQueued().size() >= settings.queueLimit()) {
                String why = "session " + key + " already has " + state.getQueued().size()
                        + " requests waiting; wait for them or cancel";
                deadLetter(record, why);
                emit(error(key, request.getRequestId(), why));
                return;
            }
            List<GenerationRequest> queued = new ArrayList<>(state.getQueued());
            queued.add(request);
            state.setQueued(queued);
            awaitingFirst.put(request.getRequestId(), System.nanoTime());
        } else {
            start(state, request, m);
            awaitingFirst.put(request.getRequestId(), System.nanoTime());
        }
        store.put(key, state);
    }

    private void start(SessionState state, GenerationRequest request, ServingModel m) {
        if (request.getReset()) {
            state.setHidden(List.of());
            state.setCell(List.of());
            state.setPendingChar(-1);
            state.setPosition(0);
        }
        state.setModelVersion(m.version());
        state.setActive(Requests.start(request, m.vocabulary()));
        live.put(state.getSessionId(), state);
    }

    private void cancel(SessionState state, ServingModel m) {
        if (state.getActive() != null) {
            var r = state.getActive();
            awaitingFirst.remove(r.getRequestId());
            emit(chunk(state.getSessionId(), r.getRequestId(), r.getEmitted(), "", FinishReason.CANCELLED, null, m.version()));
            state.setActive(null);
        }
        for (GenerationRequest q : state.getQueued()) {
            awaitingFirst.remove(q.getRequestId());
            emit(chunk(state.getSessionId(), q.getRequestId(), 0, "", FinishReason.CANCELLED, null, m.version()));
        }
        state.setQueued(List.of());
        live.remove(state.getSessionId());
    }

    /**
     * Sessions generating or waiting to, per task: a gauge, which Kafka Streams' sensor helpers do not offer
     * (they count and rate), so a sensor with a Value stat named like theirs.
     */
    private static Sensor liveSessionsGauge(ProcessorContext<String, Object> context) {
        String thread = Thread.currentThread().getName();
        String task = context.taskId().toString();
        Sensor sensor = context.metrics().addSensor("streambard.live-sessions." + thread + "." + task, Sensor.RecordingLevel.INFO);
        sensor.add(new MetricName("live-sessions", "stream-streambard-metrics", "Sessions generating or waiting in this task",
                Map.of("thread-id", thread, "task-id", task, "streambard-id", "generation")), new Value());
        return sensor;
    }

    @Override
    public void close() {
        // What stepped since the last slice is dropped: the store holds the states that match the chunks sent.
        if (aheadJob != null) aheadJob.halt();
        ahead = null;
        aheadJob = null;
        if (context != null) arrivals.released(context.taskId().partition());
        if (liveSessions != null) context.metrics().removeSensor(liveSessions);
    }

    /** One slice of continuous batching over the live sessions (in turns when there are more than a batch). */
    private void tick(long now) {
        liveSessions.record(live.size());
        if (live.isEmpty() || pacing.shouldYield()) return;
        stepAhead.stopCurrent(); // this slice gets the engine's threads, whichever processor's batch had them
        ServingModel m = model.get();
        BatchRunner.Run run = takeAhead();
        if (run != null && (run.alive() == 0 || run.model != m || !run.isExactly(nextBatch()))) {
            settle(run);
            run = null;
        }
        List<LiveSession> sliced;
        if (run != null) {
            sliced = run.stepping(); // the batch that stepped since the last slice goes on as it is
        } else {
            sliced = new ArrayList<>();
            for (SessionState s : nextBatch()) sliced.add(new LiveSession(s));
            run = runner.open(sliced, m, output(m));
        }
        if (run != null) {
            runner.step(run, System.nanoTime() + settings.slice().toNanos(), arrivals::waiting, output(m));
            runner.close(run);
        }
        pacing.sliceDone();
        afterSlice(sliced, m);
        // Step on between slices only when the run holds every live session, so that the next slice continues
        // it as it is, and no request waits to be polled: that one would join the next slice, which would first
        // wait for the step in progress and store the sessions, later than without stepping ahead.
        if (run != null && run.alive() > 0 && run.alive() == live.size() && !arrivals.waiting()) startAhead(run);
    }

    /** The sessions the next slice steps: the first of the live ones, up to a batch. */
    private List<SessionState> nextBatch() {
        List<SessionState> batch = new ArrayList<>(Math.min(live.size(), settings.maxBatch()));
        for (SessionState s : live.values()) {
            if (batch.size() == settings.maxBatch()) break;
            batch.add(s);
        }
        return batch;
    }

    /** Output of a slice whose characters come from model {@code m}: chunks, and each request's first-character time. */
    private BatchRunner.Output output(ServingModel m) {
        return (session, index, text, finished) -> {
            Long arrived = index == 0 ? awaitingFirst.remove(session.request.getRequestId()) : null;
            if (arrived != null) metrics.firstCharacter((System.nanoTime() - arrived) / 1e9);
            emit(chunk(session.id(), session.request.getRequestId(), index, text, finished, null, m.version()));
        };
    }

    /**
     * Stores the sessions a slice stepped, once: a finished request gives way to the next queued one, and the
     * sessions still running go to the end of the live ones (sessions beyond a batch take turns).
     */
    private void afterSlice(List<LiveSession> sliced, ServingModel m) {
        long wallClock = context.currentSystemTimeMs();
        for (LiveSession s : sliced) {
            SessionState state = s.state;
            state.setLastActivityMs(wallClock);
            state.setModelVersion(m.version()); // the version that last advanced its state (hot swaps change it)
            live.remove(state.getSessionId()); // re-inserted at the end: sessions beyond a batch take turns
            if (state.getActive() == null && !state.getQueued().isEmpty()) {
                GenerationRequest next = state.getQueued().get(0);
                state.setQueued(new ArrayList<>(state.getQueued().subList(1, state.getQueued().size())));
                start(state, next, m);
            } else if (state.getActive() != null) {
                live.put(state.getSessionId(), state);
            }
            store.put(state.getSessionId(), state);
        }
    }

    /**
     * Lets the slice's run step on in the background until the next slice (for a slice's length at most). Its
     * sessions' stored states were written just before, and nothing it makes is sent until then.
     */
    private void startAhead(BatchRunner.Run run) {
        long slice = settings.slice().toNanos();
        aheadJob = stepAhead.start(stop -> runner.step(run, System.nanoTime() + slice, stop, null));
        if (aheadJob != null) ahead = run;
    }

    /** The run stepping in the background, stopped and with its chunks sent; null if none. */
    private BatchRunner.Run takeAhead() {
        BatchRunner.Run run = ahead;
        if (run == null) return null;
        ahead = null;
        aheadJob.stop();
        aheadJob = null;
        runner.send(run, output(run.model));
        return run;
    }

    /** Ends a run: its sessions' states written back and stored, matching the chunks it has sent. */
    private void settle(BatchRunner.Run run) {
        List<LiveSession> stepped = run.stepping();
        runner.close(run);
        afterSlice(stepped, run.model);
    }

    private void expire(long now) {
        long cutoff = now - settings.sessionTtl().toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, SessionState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, SessionState> kv = all.next();
                SessionState s = kv.value;
                if (s.getActive() == null && s.getQueued().isEmpty() && s.getLastActivityMs() < cutoff) expired.add(kv.key);
            }
        }
        for (String key : expired) store.delete(key);
    }

    private void emit(GenerationChunk chunk) {
        generatedChars.record();
        context.forward(new Record<>(chunk.getSessionId(), chunk, context.currentSystemTimeMs()), GenerationTopology.CHUNK_SINK);
    }

    private void deadLetter(Record<String, byte[]> record, String reason) {
        deadLetters.record();
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(ERROR_HEADER, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<String, Object>(record.key(), record.value(), record.timestamp(), headers),
                GenerationTopology.DEAD_LETTER_SINK);
    }

    private GenerationChunk error(String session, String requestId, String message) {
        return chunk(session, requestId, 0, "", FinishReason.ERROR, message, model.get().version());
    }

    static GenerationChunk chunk(String session, String requestId, int index, String text, FinishReason finished,
                                 String error, long version) {
        return GenerationChunk.newBuilder()
                .setSessionId(session).setRequestId(requestId).setIndex(index).setText(text)
                .setDone(finished != null).setFinishReason(finished).setError(error).setModelVersion(version)
                .build();
    }
}
