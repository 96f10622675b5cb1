package dev.kyu.cli;

import dev.kyu.KyuException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Checks what the command line can check about a broker URL before an engine opens it, so that a typo
 * in a SQLite path is one clear line (exit 2) rather than a driver error: the file's folder must exist
 * and be writable.
 */
final class BrokerUrlCheck {
    private BrokerUrlCheck() {}

    static void check(String url) {
        if (!url.regionMatches(true, 0, "sqlite:", 0, 7)) return;
        String path = url.substring(7);
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        if (path.startsWith("//")) path = path.substring(2); // sqlite://path written like a URL
        if (path.isBlank() || path.equals(":memory:")) return;
        Path file;
        try {
            file = Path.of(path).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new KyuException.BrokerConfig("bad SQLite path '" + path + "': " + e.getReason());
        }
        Path dir = file.getParent();
        if (dir == null) return;
        if (!Files.isDirectory(dir)) {
            throw new KyuException.BrokerConfig(
                    "cannot open SQLite file " + path + ": folder " + dir + " does not exist");
        }
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
            throw new KyuException.BrokerConfig(
                    "cannot open SQLite file " + path + ": " + (Files.exists(file) ? file : dir) + " is not writable");
        }
    }
}
