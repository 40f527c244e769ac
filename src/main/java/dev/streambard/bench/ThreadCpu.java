package dev.streambard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this process's threads by kind, from Linux's {@code /proc/self/task}: it sees the JIT compiler
 * and GC threads, which {@link java.lang.management.ThreadMXBean} does not. A benchmark takes a snapshot
 * before and after its window; {@link #coresSince} says how many cores each kind used in between, so a
 * slow run shows whether the engine, Kafka, the compiler or the collector had the machine. A thread that
 * ends within the window is missing from the second snapshot and not counted: this is for long-lived threads.
 */
public final class ThreadCpu {
    /** Clock ticks per second of /proc's utime and stime; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final long nanos;
    private final Map<String, Long> ticksByThread; // thread id → user+system ticks
    private final Map<String, String> nameByThread;

    private ThreadCpu(long nanos, Map<String, Long> ticksByThread, Map<String, String> nameByThread) {
        this.nanos = nanos;
        this.ticksByThread = ticksByThread;
        this.nameByThread = nameByThread;
    }

    /** The CPU time of every thread now; empty where /proc is missing (not Linux). */
    public static ThreadCpu snapshot() {
        Map<String, Long> ticks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        if (Files.isDirectory(TASKS)) {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
                for (Path task : tasks) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        // "tid (name) state ..." — the name may hold spaces and parentheses, so cut at the last ')'.
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks.put(task.getFileName().toString(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                        names.put(task.getFileName().toString(), name);
                    } catch (IOException | RuntimeException e) {
                        // the thread ended between listing and reading: it is left out
                    }
                }
            } catch (IOException e) {
                // unreadable /proc: an empty snapshot
            }
        }
        return new ThreadCpu(System.nanoTime(), ticks, names);
    }

    /**
     * Cores used by each kind of thread between {@code before} and this snapshot, in a fixed order: engine
     * (the stream threads and the engine's helper), kafka (broker and clients), jit, gc, other (in a benchmark:
     * mostly its own main thread, the consumer that reads the output).
     */
    public Map<String, Double> coresSince(ThreadCpu before) {
        double seconds = (nanos - before.nanos) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        for (String kind : new String[]{"engine", "kafka", "jit", "gc", "other"}) cores.put(kind, 0.0);
        ticksByThread.forEach((tid, ticks) -> {
            long used = ticks - before.ticksByThread.getOrDefault(tid, 0L);
            cores.merge(kindOf(nameByThread.get(tid)), used / TICKS_PER_SECOND / seconds, Double::sum);
        });
        return cores;
    }

    /**
     * Linux keeps the first 15 characters of a thread's name: "streambard-0fc5" for a stream thread (application
     * id, then its client id), "streambard-engi" for the engine's helper, "streambard-step" for batches stepping
     * between slices, "streambard-requ" for the request watcher.
     */
    static String kindOf(String threadName) {
        if (threadName.startsWith("streambard-requ")) return "kafka";
        if (threadName.startsWith("streambard-")) return "engine";
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) return "jit";
        if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) return "gc";
        if (threadName.startsWith("kafka") || threadName.startsWith("data-plane") || threadName.startsWith("broker-")
                || threadName.startsWith("controller-") || threadName.startsWith("executor-") || threadName.startsWith("quorum")
                || threadName.startsWith("group-coordinat") || threadName.startsWith("ExpirationReape")) return "kafka";
        return "other";
    }
}
