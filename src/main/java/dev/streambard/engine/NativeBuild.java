package dev.streambard.engine;

import dev.streambard.text.Corpus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Builds a C source shipped in the jar into a shared library on the machine that runs it, once, and loads it:
 * the library is compiled for this machine's CPU and the jar stays portable. Built libraries are kept in the
 * cache folder ($STREAMBARD_CACHE or ~/.cache/streambard, under {@code native/}) by the source's hash, so a
 * new source builds again and other processes reuse it. Without a C compiler ({@code cc}, or $CC) nothing is
 * built and the caller falls back to its portable path.
 */
final class NativeBuild {
    private static final long COMPILE_SECONDS = 120;

    private NativeBuild() {
    }

    /**
     * The loaded library built from {@code resource}, or a reason why there is none. {@code
     * -Dstreambard.noNativeKernel=true} switches every library off, so the tests can run the portable paths.
     */
    static Optional<String> load(String resource) {
        if (Boolean.getBoolean("streambard.noNativeKernel")) return Optional.of("switched off (-Dstreambard.noNativeKernel)");
        try {
            byte[] source = read(resource);
            String hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
            String name = resource.substring(resource.lastIndexOf('/') + 1).replace(".c", "");
            Path dir = Corpus.defaultCacheDir().resolve("native");
            Path library = dir.resolve("lib" + name + "-" + hash + ".so");
            if (!Files.exists(library)) build(source, name, dir, library);
            System.load(library.toAbsolutePath().toString());
            return Optional.empty();
        } catch (IOException | InterruptedException | UnsatisfiedLinkError | java.security.NoSuchAlgorithmException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = NativeBuild.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no resource " + resource);
            return in.readAllBytes();
        }
    }

    /** Compiles into a temporary file and moves it into place, so a concurrent build never exposes half a library. */
    private static void build(byte[] source, String name, Path dir, Path library) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, name + "-build");
        try {
            Path c = Files.write(work.resolve(name + ".c"), source);
            Path out = work.resolve("lib" + name + ".so");
            String cc = System.getenv().getOrDefault("CC", "cc");
            List<String> command = new ArrayList<>(List.of(cc, "-O3", "-shared", "-fPIC", "-o", out.toString(), c.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("cc.log").toFile()).start();
            if (!p.waitFor(COMPILE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cc + " took over " + COMPILE_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(cc + " failed: " + Files.readString(work.resolve("cc.log")).strip());
            }
            Files.move(out, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(work);
        }
    }
}
