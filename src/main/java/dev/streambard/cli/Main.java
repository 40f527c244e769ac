package dev.streambard.cli;

import dev.streambard.checkpoint.CheckpointException;
import dev.streambard.text.CorpusException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streambard} command line. */
@Command(name = "streambard", mixinStandardHelpOptions = true, version = "streambard 0.1.0",
        description = "Character-level LSTM text generation (the TensorFlow tutorial's recipe) on DeepLearning4J: train, generate, benchmark.",
        subcommands = {TrainCommand.class, GenerateCommand.class, ServeCommand.class, ChatCommand.class, TrainerCommand.class, IngestCommand.class,
                PromoteCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs a command and returns its exit code: 0 done, 2 bad input (with a message), 1 an internal failure.
     * Standard output carries only the command's results (text, JSON lines): while it runs, anything else
     * printed to System.out (SameDiff prints its graph building there) goes to standard error.
     */
    public static int run(String... args) {
        Native.configure();
        PrintStream results = System.out;
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setOut(new PrintWriter(new OutputStreamWriter(results, StandardCharsets.UTF_8), true));
        System.setOut(System.err);
        try {
            Output.set(results);
            return cli.execute(args);
        } finally {
            System.setOut(results);
            Output.set(null);
        }
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (isUserError(e)) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        err.println("internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    static boolean isUserError(Throwable e) {
        return e instanceof CorpusException || e instanceof CheckpointException || e instanceof IllegalArgumentException
                || e instanceof UserException
                || e instanceof dev.streambard.model.TrainingDivergedException
                || e instanceof org.apache.kafka.common.config.ConfigException
                || e instanceof dev.streambard.kafka.KafkaSetupException
                || e instanceof dev.streambard.ingest.TrainerException;
    }
}
