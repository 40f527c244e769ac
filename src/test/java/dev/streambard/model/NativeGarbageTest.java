package dev.streambard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NativeGarbageTest {

    @Test
    void collectsAtMostOncePerInterval() {
        AtomicLong clock = new AtomicLong(0);
        AtomicInteger collections = new AtomicInteger();
        NativeGarbage garbage = new NativeGarbage(Duration.ofSeconds(10), clock::get, collections::incrementAndGet);

        garbage.collectIfDue();
        clock.set(Duration.ofSeconds(9).toNanos());
        garbage.collectIfDue();
        assertEquals(0, collections.get(), "within the first interval");

        clock.set(Duration.ofSeconds(10).toNanos());
        garbage.collectIfDue();
        garbage.collectIfDue();
        assertEquals(1, collections.get(), "once when due, then not again at once");

        clock.set(Duration.ofSeconds(25).toNanos());
        garbage.collectIfDue();
        assertEquals(2, collections.get());
    }

    @Test
    void aZeroIntervalNeverCollects() {
        AtomicLong clock = new AtomicLong(0);
        AtomicInteger collections = new AtomicInteger();
        NativeGarbage garbage = new NativeGarbage(Duration.ZERO, clock::get, collections::incrementAndGet);
        clock.set(Long.MAX_VALUE / 2);
        garbage.collectIfDue();
        assertEquals(0, collections.get());
    }

    @Test
    void keepsTheHeapTightUnlessTheCommandLineSaidOtherwise() {
        var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        boolean userSet = vm.getVMOption("MaxHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.VM_CREATION;
        String before = vm.getVMOption("MaxHeapFreeRatio").getValue();
        NativeGarbage.keepHeapTight();
        NativeGarbage.keepHeapTight(); // again: harmless
        assertEquals(userSet ? before : "30", vm.getVMOption("MaxHeapFreeRatio").getValue());
        assertEquals(true, Integer.parseInt(vm.getVMOption("MinHeapFreeRatio").getValue())
                <= Integer.parseInt(vm.getVMOption("MaxHeapFreeRatio").getValue()));
    }
}
