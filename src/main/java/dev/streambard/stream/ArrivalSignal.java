package dev.streambard.stream;

/** Tells a running slice that a new request is waiting for Kafka Streams to poll it (see {@link RequestWatcher}). */
interface ArrivalSignal {
    /** Never signals: slices run their full length. */
    ArrivalSignal NONE = new ArrivalSignal() {
        @Override
        public boolean takeArrival() {
            return false;
        }

        @Override
        public void clear() {
        }
    };

    /** Whether a request arrived since the last call or {@link #clear}; clears the signal. */
    boolean takeArrival();

    /** Forgets arrivals so far: a slice starting now follows a poll that took them. */
    void clear();
}
