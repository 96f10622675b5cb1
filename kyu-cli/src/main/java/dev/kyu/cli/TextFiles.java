package dev.kyu.cli;

import dev.kyu.KyuException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a text file a command-line option names, failing with one line that says what is wrong with it. */
public final class TextFiles {
    private TextFiles() {}

    /** The whole file as UTF-8, without the byte-order mark some editors write. {@code what} names the option in errors. */
    public static String read(Path file, String what) {
        try {
            String text = Files.readString(file);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (NoSuchFileException e) {
            throw cannot(what, file, "no such file");
        } catch (AccessDeniedException e) {
            throw cannot(what, file, "permission denied");
        } catch (java.nio.charset.MalformedInputException e) {
            throw cannot(what, file, "it is not UTF-8 text");
        } catch (IOException e) {
            throw cannot(what, file, Files.isDirectory(file) ? "it is a folder" : e.getMessage());
        }
    }

    private static KyuException.InvalidInput cannot(String what, Path file, String why) {
        return new KyuException.InvalidInput("cannot read " + what + " " + file + ": " + why);
    }
}
