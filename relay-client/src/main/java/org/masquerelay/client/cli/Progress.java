package org.masquerelay.client.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;

/** A progress line on the terminal for -o downloads; only made when System.console() exists. */
final class Progress extends FilterOutputStream {
    private final long expected;
    private final PrintStream err;
    private long written;
    private long lastDraw;

    Progress(OutputStream out, long expected, PrintStream err) {
        super(out);
        this.expected = expected;
        this.err = err;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        written += len;
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L) {
            lastDraw = now;
            draw();
        }
    }

    private void draw() {
        if (expected > 0) {
            int width = 30;
            int filled = (int) Math.min(width, written * width / expected);
            err.printf(Locale.ROOT, "\r[%s%s] %3d%% %s / %s", "#".repeat(filled), " ".repeat(width - filled),
                    written * 100 / expected, human(written), human(expected));
        } else {
            err.printf(Locale.ROOT, "\r%s", human(written));
        }
        err.flush();
    }

    @Override
    public void close() throws IOException {
        draw();
        err.println();
        super.close();
    }

    private static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** stdout as a sink that stays open for -w and later transfers. */
    static OutputStream unclosable(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
