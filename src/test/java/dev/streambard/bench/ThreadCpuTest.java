package dev.streambard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void namesAsLinuxKeepsThemSortIntoKinds() {
        assertEquals("engine", ThreadCpu.kindOf("streambard-0fc5")); // a stream thread
        assertEquals("engine", ThreadCpu.kindOf("streambard-engi"));
        assertEquals("engine", ThreadCpu.kindOf("streambard-step")); // a batch stepping between slices
        assertEquals("kafka", ThreadCpu.kindOf("streambard-requ"));
        assertEquals("kafka", ThreadCpu.kindOf("data-plane-kafk"));
        assertEquals("kafka", ThreadCpu.kindOf("kafka-producer-"));
        assertEquals("jit", ThreadCpu.kindOf("C2 CompilerThre"));
        assertEquals("gc", ThreadCpu.kindOf("GC Thread#0"));
        assertEquals("other", ThreadCpu.kindOf("java"));
    }

    /**
     * A thread that spins between two snapshots shows up as its kind's cores (the second snapshot is taken
     * while it still runs: a thread that ended is no longer in /proc); the kinds come in a fixed order.
     */
    @Test
    void aSpinningThreadIsCountedAsItsKind() throws InterruptedException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            long x = 0;
            while (!stop.get()) x += x * 31 + 7;
            if (x == 42) System.out.print(""); // keeps the loop from being optimised away
        }, "streambard-spin");
        spinner.start();
        ThreadCpu before = ThreadCpu.snapshot();
        Thread.sleep(500);
        Map<String, Double> cores = ThreadCpu.snapshot().coresSince(before);
        stop.set(true);
        spinner.join();
        assertEquals(List.of("engine", "kafka", "jit", "gc", "other"), List.copyOf(cores.keySet()));
        // about one core; a loaded machine gives the thread less
        assertTrue(cores.get("engine") > 0.2, cores.toString());
    }
}
