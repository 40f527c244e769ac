package dev.streambard.stream;

import static org.junit.jupiter.api.Assertions.fail;

import dev.streambard.checkpoint.CheckpointFiles;
import dev.streambard.engine.InferenceEngine;
import dev.streambard.model.CellType;
import dev.streambard.model.CharModel;
import dev.streambard.model.ModelConfig;
import dev.streambard.model.TrainingConfig;
import dev.streambard.model.TrainingProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A {@code streambard} command ({@code serve}, {@code trainer}) in a child JVM, for the tests that need a
 * real process: one that can be killed with SIGKILL, losing everything it had not committed. The child
 * runs on the test class path with its output in files, which {@link #logs()} returns for failure messages.
 */
public final class CliProcess implements AutoCloseable {
    /** A JVM start, ND4J's native libraries, (maybe) a broker recovering its log, and a Kafka Streams rebalance. */
    static final Duration SERVING_TIMEOUT = Duration.ofSeconds(90);

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code serve --no-trainer} with {@code args} (tests never let it fetch a corpus to train on); its
     * output goes to {@code logDir}/{@code name}.out and .err.
     */
    static CliProcess start(String name, Path logDir, List<String> args) throws IOException {
        List<String> serve = new ArrayList<>(List.of("serve", "--no-trainer"));
        serve.addAll(args);
        // Several serve processes run at once in some tests: each gateway on a free port instead of 8080.
        if (!args.contains("--http-port") && !args.contains("--no-http")) serve.addAll(List.of("--http-port", "0"));
        return run(name, logDir, serve);
    }

    /** Starts {@code streambard <args>}; its output goes to {@code logDir}/{@code name}.out and .err. */
    public static CliProcess run(String name, Path logDir, List<String> args) throws IOException {
        return run(name, logDir, args, null);
    }

    /** Starts {@code streambard <args>} reading standard input from {@code stdin} (null: an open pipe nobody writes to). */
    public static CliProcess run(String name, Path logDir, List<String> args, Path stdin) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                // Times in the child's log, to line it up with the test's own steps when something is slow.
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp", System.getProperty("java.class.path"), "dev.streambard.cli.Main"));
        command.addAll(args);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        if (stdin != null) builder.redirectInput(stdin.toFile());
        // Read by OpenMP and OpenBLAS when ND4J loads, so only the environment can set them (see bin/streambard).
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("OPENBLAS_THREAD_TIMEOUT", "4");
        return new CliProcess(name, builder.start(), out, err);
    }

    /** Waits for the line {@code serve} prints once Kafka Streams runs; fails with the child's output otherwise. */
    CliProcess awaitServing() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SERVING_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(stdout) && Files.readAllLines(stdout, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith("serving "))) {
                return this;
            }
            if (!process.isAlive()) fail(name + " exited with " + process.exitValue() + " before serving\n" + logs());
            Thread.sleep(100);
        }
        fail(name + " was not serving within " + SERVING_TIMEOUT.toSeconds() + " s\n" + logs());
        return this;
    }

    /** Waits until the child's standard error has a line containing {@code text}; fails with its output otherwise. */
    public void awaitError(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(stderr) && Files.readString(stderr, StandardCharsets.UTF_8).contains(text)) return;
            if (!process.isAlive()) fail(name + " exited with " + process.exitValue() + " before printing '" + text + "'\n" + logs());
            Thread.sleep(50);
        }
        fail(name + " did not print '" + text + "' within " + timeout.toSeconds() + " s\n" + logs());
    }

    /** Waits for the child to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) fail(name + " still running after " + timeout.toSeconds() + " s\n" + logs());
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. Returns the exit code (137: killed by signal 9). */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) fail(name + " was still alive 30 s after SIGKILL");
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the child printed on standard output so far. */
    public String stdout() {
        try {
            return Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logs() {
        return "---- " + name + " stdout ----\n" + read(stdout) + "---- " + name + " stderr ----\n" + read(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)\n";
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    /** The model of {@link ServiceTestSupport#tinyModel} (random weights), saved as a checkpoint folder in {@code dir}. */
    static Path writeTinyModel(Path dir) {
        ModelConfig config = new ModelConfig(CellType.LSTM, ServiceTestSupport.VOCAB.size(), 8, 16, 1, 0);
        TrainingConfig training = new TrainingConfig(10, 4, 1e-2, 1, 1, 0.1, 7);
        CharModel model = CharModel.create(config, training, ServiceTestSupport.VOCAB);
        CheckpointFiles.write(dir, model.toCheckpoint(TrainingProgress.start()));
        return dir;
    }

    /** The checkpoint as the child loads it ({@code serve} gives it version 1), for the reference text. */
    static ServingModel load(Path modelDir) {
        CharModel model = CharModel.from(CheckpointFiles.read(modelDir, false));
        return new ServingModel(new InferenceEngine(model.weights()), model.vocabulary(), 1);
    }

    /** A {@code --config} file with these settings. */
    public static Path writeConfig(Path file, Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "process test settings");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A port free on 127.0.0.1 now, for an embedded broker that must come back on the same port. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }
}
