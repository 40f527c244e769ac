package dev.streambard.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Where a command's results go: the process's standard output as it was when the command started, in UTF-8. */
final class Output {
    private static volatile PrintStream stream;

    private Output() {
    }

    static void set(PrintStream results) {
        stream = results == null ? null : new PrintStream(results, false, StandardCharsets.UTF_8);
    }

    static PrintStream get() {
        PrintStream s = stream;
        return s != null ? s : System.out;
    }
}
