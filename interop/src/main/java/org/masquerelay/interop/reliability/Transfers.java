package org.masquerelay.interop.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.masquerelay.client.RelayClient;
import org.masquerelay.client.TcpChannel;
import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.UdpTunnel;
import org.masquerelay.client.UdpChannel;

/**
 * Checksummed transfers through a relay, each bounded by a deadline and judged as an {@link Outcome}: TCP echo
 * (upload and the same bytes back), TCP download from a {@link LabTargets} source, and UDP echo with retries (a
 * datagram may be lost; the application sends it again, as a real one would).
 */
final class Transfers {
    private static final int CHUNK = 16 * 1024;

    private Transfers() {
    }

    /** Sends {@code size} bytes to an echo target and checks every byte that comes back. */
    static Outcome tcpEcho(RelayClient client, String name, String host, int port, long size, long seed,
                           Duration deadline) {
        return tcp(client, name, host, port, size, seed, deadline, true, v -> { }, p -> { });
    }

    /** As above; {@code relayPort} gets the local port of the relay connection that carried the tunnel. */
    static Outcome tcpEcho(RelayClient client, String name, String host, int port, long size, long seed,
                           Duration deadline, IntConsumer relayPort) {
        return tcp(client, name, host, port, size, seed, deadline, true, v -> { }, relayPort);
    }

    /** Reads {@code size} bytes from a source target (its stream of {@code seed}); progress gets the bytes verified. */
    static Outcome tcpDownload(RelayClient client, String name, String host, int port, long size, long seed,
                               Duration deadline, LongConsumer progress) {
        return tcp(client, name, host, port, size, seed, deadline, false, progress, p -> { });
    }

    /** The local port of the relay connection carrying a tunnel (a retried one: its last), or -1 for a direct one. */
    private static int relayPort(Object channel) {
        try {
            if (channel instanceof TcpTunnel t) {
                return t.localAddress().getPort();
            }
            if (channel instanceof UdpTunnel u) {
                return u.localAddress().getPort();
            }
        } catch (RuntimeException e) {
            // the connection is gone and with it its address
        }
        return -1;
    }

    private static Outcome tcp(RelayClient client, String name, String host, int port, long size, long seed,
                               Duration deadline, boolean upload, LongConsumer progress, IntConsumer relayPort) {
        long start = System.nanoTime();
        Payload.Checker checker = new Payload.Checker(seed);
        AtomicReference<Outcome> result = new AtomicReference<>();
        AtomicReference<TcpChannel> open = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().name("transfer-" + name).start(() -> {
            String failure = null;
            boolean ended = false;
            try (TcpChannel channel = client.connectTcp(host, port)) {
                open.set(channel);
                if (upload) {
                    Thread.ofVirtual().start(() -> upload(channel, size, seed));
                } else {
                    channel.shutdownOutput(); // the source sends without being asked
                }
                InputStream in = channel.inputStream();
                byte[] buffer = new byte[CHUNK];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!checker.accept(buffer, 0, n)) {
                        break;
                    }
                    progress.accept(checker.verified());
                }
                ended = n < 0;
                relayPort.accept(relayPort(channel));
            } catch (IOException | RuntimeException e) {
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                relayPort.accept(relayPort(open.get()));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Outcome.Kind kind;
            if (checker.corrupt()) {
                kind = Outcome.Kind.CORRUPT;
            } else if (failure != null) {
                kind = Outcome.Kind.FAILED;
            } else if (ended && checker.verified() == size) {
                kind = Outcome.Kind.COMPLETE;
            } else {
                kind = Outcome.Kind.TRUNCATED;
            }
            result.set(new Outcome(name, kind, size, checker.verified(), elapsed, failure));
        });
        return await(reader, result, deadline, name, size, checker, start, () -> {
            TcpChannel channel = open.get();
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // ending a hung tunnel: nothing more to learn from it
                }
            }
        });
    }

    private static void upload(TcpChannel channel, long size, long seed) {
        Payload payload = new Payload(seed);
        byte[] buffer = new byte[CHUNK];
        try {
            OutputStream out = channel.outputStream();
            for (long sent = 0; sent < size; ) {
                int n = (int) Math.min(buffer.length, size - sent);
                payload.fill(buffer, 0, n);
                out.write(buffer, 0, n);
                sent += n;
            }
            out.flush();
            channel.shutdownOutput();
        } catch (IOException e) {
            // the reader sees the tunnel's end and reports it
        }
    }

    /**
     * Echoes {@code count} datagrams of {@code size} bytes, one at a time, each sent again after {@code wait} without
     * its echo, at most {@code tries} times. Bytes of datagrams never echoed are lost; a wrong echo is CORRUPT.
     */
    static Outcome udpEcho(RelayClient client, String name, String host, int port, int count, int size, long seed,
                           Duration wait, int tries, Duration deadline) {
        return udpEcho(client, name, host, port, count, size, seed, wait, tries, deadline, p -> { });
    }

    /** As above; {@code relayPort} gets the local port of the relay connection that carried the tunnel. */
    static Outcome udpEcho(RelayClient client, String name, String host, int port, int count, int size, long seed,
                           Duration wait, int tries, Duration deadline, IntConsumer relayPort) {
        long start = System.nanoTime();
        long expected = (long) count * size;
        long[] verified = {0};
        AtomicReference<Outcome> result = new AtomicReference<>();
        AtomicReference<UdpChannel> open = new AtomicReference<>();
        Thread worker = Thread.ofVirtual().name("transfer-" + name).start(() -> {
            String failure = null;
            boolean corrupt = false;
            int unanswered = 0;
            Payload payload = new Payload(seed);
            byte[] datagram = new byte[size];
            try (UdpChannel channel = client.connectUdp(host, port)) {
                open.set(channel);
                for (int seq = 0; seq < count && !corrupt; seq++) {
                    payload.fill(datagram, 4, size - 4);
                    ByteBuffer.wrap(datagram).putInt(0, seq);
                    boolean answered = false;
                    for (int attempt = 0; attempt < tries && !answered && !corrupt; attempt++) {
                        channel.send(datagram);
                        long until = System.nanoTime() + wait.toNanos();
                        while (!answered && System.nanoTime() < until) {
                            byte[] echo = channel.receive(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
                            if (echo == null) {
                                break;
                            }
                            if (echo.length >= 4 && ByteBuffer.wrap(echo).getInt(0) == seq) {
                                if (!java.util.Arrays.equals(echo, datagram)) {
                                    corrupt = true;
                                } else {
                                    answered = true;
                                }
                            } // else: the late echo of an earlier try
                        }
                    }
                    if (answered) {
                        verified[0] += size;
                    } else if (!corrupt) {
                        unanswered++;
                    }
                }
                relayPort.accept(relayPort(channel));
            } catch (IOException | RuntimeException e) {
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                relayPort.accept(relayPort(open.get()));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Outcome.Kind kind = corrupt ? Outcome.Kind.CORRUPT
                    : failure == null && unanswered == 0 ? Outcome.Kind.COMPLETE : Outcome.Kind.FAILED;
            String detail = failure != null ? failure
                    : unanswered > 0 ? unanswered + " datagrams unanswered after " + tries + " tries" : "";
            result.set(new Outcome(name, kind, expected, verified[0], elapsed, detail));
        });
        return await(worker, result, deadline, name, expected, null, start, () -> {
            UdpChannel channel = open.get();
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // ending a hung tunnel
                }
            }
        });
    }

    private static Outcome await(Thread worker, AtomicReference<Outcome> result, Duration deadline, String name,
                                 long expected, Payload.Checker checker, long start, Runnable abort) {
        try {
            if (!worker.join(deadline)) {
                abort.run();
                worker.join(Duration.ofSeconds(5));
                return new Outcome(name, Outcome.Kind.HUNG, expected, checker == null ? 0 : checker.verified(),
                        Duration.ofNanos(System.nanoTime() - start), "still open after " + deadline.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort.run();
        }
        Outcome outcome = result.get();
        return outcome != null ? outcome : new Outcome(name, Outcome.Kind.HUNG, expected, 0,
                Duration.ofNanos(System.nanoTime() - start), "interrupted");
    }
}
