package dev.kyu.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.codec.JsonCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code kyu} in-process with captured stdout and stderr, as a user's shell would see it. */
public final class CliRunner {
    private final String brokerUrl;

    public CliRunner(String brokerUrl) {
        this.brokerUrl = brokerUrl;
    }

    /** Runs {@code kyu --broker URL ARGS…}. */
    public Result run(String... args) {
        var all = new ArrayList<String>();
        if (brokerUrl != null) {
            all.add("--broker");
            all.add(brokerUrl);
        }
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    /** Runs {@code kyu ARGS…} exactly as given, with the commands {@code kyu} itself would register for them. */
    public static Result runRaw(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = KyuCli.commandLine(args, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    public record Result(int exitCode, String out, String err) {
        public JsonNode json() {
            return JsonCodec.shared().parse(out);
        }

        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
