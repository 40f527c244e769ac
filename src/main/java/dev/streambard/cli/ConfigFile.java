package dev.streambard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** A {@code --config} properties file: one file can hold the settings of serve, trainer and ingest. */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The file's settings over {@code defaults}; no file: the defaults. */
    static Map<String, Object> load(Path file, Map<String, Object> defaults) {
        Map<String, Object> values = new HashMap<>(defaults);
        if (file == null) return values;
        if (!Files.isRegularFile(file)) throw new UserException("--config " + file + " is not a readable file");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException("--config " + file + " could not be read as a properties file: " + e.getMessage());
        }
        p.forEach((k, v) -> values.put((String) k, v));
        return values;
    }

    /** The embedded broker's default address: what {@code serve} starts when it is given no cluster. */
    static final String LOCAL_BROKER = "127.0.0.1:9092";
}
