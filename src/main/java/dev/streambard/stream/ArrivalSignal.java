package dev.streambard.stream;

/**
 * Tells a running slice that a request is waiting for Kafka Streams to poll it (see {@link RequestWatcher}).
 * By offsets, not by a flag: a request counts as waiting from when it is seen on a partition this process
 * processes until the processor has taken it. A flag cleared when a slice starts lost requests that the
 * poll before that slice had not fetched yet, and those waited a whole slice.
 */
interface ArrivalSignal {
    /** Never signals: slices run their full length. */
    ArrivalSignal NONE = new ArrivalSignal() {
        @Override
        public void owned(int partition) {
        }

        @Override
        public void released(int partition) {
        }

        @Override
        public void processed(int partition, long offset) {
        }

        @Override
        public boolean waiting() {
            return false;
        }
    };

    /** This process now processes the requests of {@code partition} (its task started): requests seen there count. */
    void owned(int partition);

    /** No longer processed here (its task closed): requests seen there are another process's. */
    void released(int partition);

    /** The processor took the request at {@code offset} of {@code partition}. */
    void processed(int partition, long offset);

    /** Whether a request was seen on a partition processed here that the processor has not taken yet. */
    boolean waiting();
}
