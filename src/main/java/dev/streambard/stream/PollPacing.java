package dev.streambard.stream;

/**
 * Lets Kafka Streams poll between two slices when requests have just arrived. After a loop iteration that
 * processed records, Kafka Streams runs the punctuators a second time before it polls again (process,
 * punctuate, process finds nothing, punctuate, then poll). With a slice of ~30 ms per punctuation, a
 * request sent meanwhile waited two slices instead of one, whenever requests were arriving: most of the
 * time to first character (docs/benchmarks.md, "Where a new request waits").
 *
 * <p>So the punctuation right after a slice that followed new records yields (runs no slice), unless more
 * records came in between. A yield at the wrong moment costs one loop iteration of the stream thread
 * (a poll of at most {@code poll.ms}), not a slice. Used by the stream thread only.
 */
final class PollPacing {
    private boolean recordsSinceSlice;
    private boolean lastSliceFollowedRecords;

    /** The processor took a record. */
    void recordProcessed() {
        recordsSinceSlice = true;
    }

    /** Whether this punctuation should run no slice, so that the stream thread polls first. */
    boolean shouldYield() {
        if (lastSliceFollowedRecords && !recordsSinceSlice) {
            lastSliceFollowedRecords = false; // once: the next punctuation comes after a poll
            return true;
        }
        return false;
    }

    /** A slice ran. */
    void sliceDone() {
        lastSliceFollowedRecords = recordsSinceSlice;
        recordsSinceSlice = false;
    }
}
