package dev.streambard.cli;

import static dev.streambard.TestFolders.VERSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streambard.TestFolders;
import dev.streambard.checkpoint.AtomicFolder;
import dev.streambard.checkpoint.RunDirectory;
import dev.streambard.text.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through {@link Main#run}: exit codes, standard output and error, and the run folder. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEED = "the sea ";

    @TempDir
    static Path shared;
    private static Path corpus;
    private static Path run;
    private static Result trained;

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    static Result cli(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            System.out.flush();
            System.err.flush();
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private static String[] train(Path corpusFile, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--corpus", corpusFile.toString(), "--out", out.toString(),
                "--preset", "small", "--embedding", "8", "--units", "16", "--seq-len", "16", "--batch", "8", "--json"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] generate(Path model, String... more) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        corpus = Files.writeString(shared.resolve("verse.txt"), VERSE);
        run = shared.resolve("run");
        trained = cli(train(corpus, run, "--epochs", "2"));
    }

    private static void assertUserError(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error:"), r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
    }

    // ---- train and generate ----

    @Test
    void trainPrintsOneJsonLinePerEpochAndPointsBestAndLast() throws IOException {
        assertEquals(0, trained.code(), trained.err());
        List<String> lines = trained.outLines();
        assertEquals(2, lines.size(), trained.out());
        for (int i = 0; i < 2; i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            assertEquals(i + 1, line.get("epoch").asInt());
            for (String key : List.of("train_loss", "val_loss", "chars_per_s")) {
                assertTrue(line.get(key).isNumber() && line.get(key).asDouble() > 0, key + " in " + line);
            }
            assertTrue(line.get("val_loss").asDouble() < Math.log(Vocabulary.fromText(VERSE).size()) + 0.5, line.toString());
        }
        assertTrue(Files.isRegularFile(run.resolve(RunDirectory.BEST)));
        assertTrue(Files.isRegularFile(run.resolve(RunDirectory.LAST)));
        assertEquals("epoch-0002", Files.readString(run.resolve(RunDirectory.LAST)).strip());
        AtomicFolder.verify(new RunDirectory(run).best());
        assertTrue(trained.err().contains("done after epoch 2"), trained.err());
    }

    @Test
    void generateContinuesTheSeedWithTheRequestedNumberOfCharacters() {
        Result r = cli(generate(run, "--seed", SEED, "--chars", "50", "--rng-seed", "7"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(SEED), r.out());
        assertTrue(r.out().endsWith("\n"), r.out());
        String text = r.out().substring(0, r.out().length() - 1);
        assertEquals(SEED.length() + 50, text.codePointCount(0, text.length()), r.out());
        Vocabulary vocabulary = Vocabulary.fromText(VERSE);
        text.codePoints().forEach(cp -> assertTrue(vocabulary.indexOf(cp) >= 0, "generated " + Character.toString(cp)));
    }

    @Test
    void theSameRngSeedGivesTheSameTextAndAnotherSeedAnotherText() {
        String first = cli(generate(run, "--seed", SEED, "--chars", "50", "--rng-seed", "7")).out();
        String again = cli(generate(run, "--seed", SEED, "--chars", "50", "--rng-seed", "7")).out();
        String other = cli(generate(run, "--seed", SEED, "--chars", "50", "--rng-seed", "8")).out();
        assertFalse(first.isEmpty());
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void greedyIgnoresTheRngSeed() {
        Result a = cli(generate(run, "--seed", SEED, "--chars", "30", "--greedy", "--rng-seed", "1"));
        Result b = cli(generate(run, "--seed", SEED, "--chars", "30", "--greedy", "--rng-seed", "2"));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith(SEED), a.out());
        assertEquals(a.out(), b.out());
    }

    @Test
    void resumeContinuesWithTheNextEpochOnly() throws IOException {
        Path copy = dir.resolve("run");
        TestFolders.copy(run, copy);
        Result r = cli(train(corpus, copy, "--resume", "--epochs", "3"));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.outLines();
        assertEquals(1, lines.size(), r.out());
        assertEquals(3, JSON.readTree(lines.get(0)).get("epoch").asInt());
        assertTrue(r.err().contains("resuming after epoch 2"), r.err());
        assertEquals("epoch-0003", Files.readString(copy.resolve(RunDirectory.LAST)).strip());
    }

    // ---- bad train input: exit 2, a message, and nothing written ----

    private void assertTrainRefused(Path corpusFile, String... fragments) {
        Path out = dir.resolve("out");
        assertUserError(cli(train(corpusFile, out, "--epochs", "1")), fragments);
        assertFalse(Files.exists(out), "no run folder is created");
    }

    @Test
    void missingCorpusFile() {
        Path missing = dir.resolve("nope.txt");
        assertTrainRefused(missing, "not found", missing.toString());
    }

    @Test
    void emptyCorpusFile() throws IOException {
        assertTrainRefused(Files.write(dir.resolve("empty.txt"), new byte[0]), "empty");
    }

    @Test
    void corpusShorterThanOneWindow() throws IOException {
        assertTrainRefused(Files.writeString(dir.resolve("short.txt"), "the sea sa"), "too short", "--seq-len 16");
    }

    @Test
    void corpusThatIsNotUtf8() throws IOException {
        byte[] latin1 = (VERSE.substring(0, 100) + "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        assertTrainRefused(Files.write(dir.resolve("latin1.txt"), latin1), "not valid UTF-8", "offset 103");
    }

    @Test
    void trainingIntoAnExistingRunWithoutResume() {
        Path copy = dir.resolve("run");
        TestFolders.copy(run, copy);
        Map<String, String> before = TestFolders.snapshot(copy);
        assertUserError(cli(train(corpus, copy, "--epochs", "1")), "already holds a training run", "--resume");
        assertEquals(before, TestFolders.snapshot(copy));
    }

    @Test
    void resumeOnAnEmptyFolder() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertUserError(cli(train(corpus, empty, "--resume", "--epochs", "3")), "nothing to resume", empty.toString());
        assertEquals(Map.of("", "dir"), TestFolders.snapshot(empty));
    }

    // ---- bad generate input: exit 2, a message, no text, the model untouched ----

    private static void assertGenerateRefused(Path model, String[] args, String... fragments) {
        Map<String, String> before = TestFolders.snapshot(model);
        Result r = cli(args);
        assertUserError(r, fragments);
        assertEquals("", r.out(), "nothing generated");
        assertEquals(before, TestFolders.snapshot(model));
    }

    @Test
    void generateWithAMissingModelFolder() {
        Path missing = dir.resolve("no-model");
        assertGenerateRefused(missing, generate(missing, "--seed", SEED), "does not exist", missing.toString());
        assertFalse(Files.exists(missing));
    }

    @Test
    void generateWithACorruptCheckpoint() {
        Path copy = dir.resolve("run");
        TestFolders.copy(run, copy);
        TestFolders.flipByte(new RunDirectory(copy).best().resolve("weights.bin"), -3);
        assertGenerateRefused(copy, generate(copy, "--seed", SEED, "--rng-seed", "1"), "corrupt", "weights.bin");
    }

    @Test
    void generateWithASeedOutsideTheVocabularyNamesTheCharacters() {
        assertGenerateRefused(run, generate(run, "--seed", "Zq~", "--rng-seed", "1"), "3 character(s)", "Z q ~");
    }

    @Test
    void generateWithNoCharacters() {
        assertGenerateRefused(run, generate(run, "--seed", SEED, "--chars", "0"), "--chars");
    }

    @Test
    void generateWithATemperatureThatIsNotPositive() {
        for (String t : List.of("0", "-1", "NaN")) {
            assertGenerateRefused(run, generate(run, "--seed", SEED, "--temperature", t), "--temperature", t);
        }
    }

    @Test
    void generateWithAnImpossibleTopK() {
        int vocab = Vocabulary.fromText(VERSE).size();
        assertGenerateRefused(run, generate(run, "--seed", SEED, "--top-k", "-1"), "--top-k", "-1");
        assertGenerateRefused(run, generate(run, "--seed", SEED, "--top-k", String.valueOf(vocab + 1)),
                "--top-k", "between 1 and " + vocab);
    }

    @Test
    void aValueThatIsNotANumberIsAUsageError() {
        Result r = cli(generate(run, "--chars", "many"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--chars"), r.err());
    }

    // ---- help ----

    @Test
    void everyCommandHasHelp() {
        Map<List<String>, List<String>> expected = Map.of(
                List.of("train", "--help"), List.of("streambard train", "--corpus", "--resume"),
                List.of("generate", "--help"), List.of("streambard generate", "--model", "--temperature"),
                List.of("bench", "engine", "--help"), List.of("streambard bench engine", "--batches"),
                List.of("bench", "train", "--help"), List.of("streambard bench train", "--iters"));
        expected.forEach((args, fragments) -> {
            Result r = cli(args.toArray(String[]::new));
            assertEquals(0, r.code(), args + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: "), args + ": " + r.out());
            for (String f : fragments) assertTrue(r.out().contains(f), args + " lacks " + f + ": " + r.out());
        });
    }
}
