package org.masquerelay.client;

import org.masquerelay.client.cli.RelayClientCli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in this JVM with stdout and stderr captured (tests run one at a time). */
public final class Cli {
    public record Result(int code, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + code + ", stderr:\n" + stderr;
        }
    }

    private Cli() {}

    /** fetch and proxy run on the engine under test ({@link TestEngine}): {@code --engine} after the subcommand. */
    static String[] withEngine(String[] args) {
        if (args.length == 0 || !(args[0].equals("fetch") || args[0].equals("proxy"))
                || java.util.Arrays.asList(args).contains("--engine")) {
            return args;
        }
        String[] out = new String[args.length + 2];
        out[0] = args[0];
        out[1] = "--engine";
        out[2] = TestEngine.NAME;
        System.arraycopy(args, 1, out, 3, args.length - 1);
        return out;
    }

    public static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int code = RelayClientCli.run(withEngine(args));
            return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
