package org.masquerelay.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks and reads the files a configuration names, so a bad path fails at start-up rather than at first use. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    /** Relative paths are taken from the configuration file's folder, so a config and its files can move together. */
    static Path resolve(Path baseDir, String value) {
        Path p = Path.of(value);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
    }

    static Path requireReadableFile(String keyPath, Path file) {
        if (!Files.exists(file)) {
            throw new ConfigException(keyPath, file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(keyPath, file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new ConfigException(keyPath, file + " is not readable by this user (check its permissions)");
        }
        return file;
    }

    /** The file's text; a single trailing line break is dropped (editors add one to password files). */
    static String readSecret(String keyPath, Path file) {
        String text = read(keyPath, file);
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    /** Non-blank lines, trailing spaces removed; lines starting with '#' are comments. */
    static List<String> readLines(String keyPath, Path file) {
        List<String> out = new ArrayList<>();
        for (String line : read(keyPath, file).split("\r?\n")) {
            String l = line.stripTrailing();
            if (!l.isBlank() && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    private static String read(String keyPath, Path file) {
        requireReadableFile(keyPath, file);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(keyPath, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
