package org.masquerelay.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.testpeers.TcpEchoServer;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every tunnel ends: the relay's FIN arrives after the target's last byte. On the quiche relay (the default engine)
 * about one tunnel in 64-320 of this pattern got every byte and never the FIN (quiche dropped a zero-length FIN whose
 * data was acknowledged before it was sent: docs/upstream.md, engine-quiche EndOfStream): 5 of 640 in two runs of 40
 * rounds before the fix. A fresh connection per round, eight echoes at once, so the congestion window is full when
 * the targets' FINs come.
 */
class TunnelEndTest {
    private static final int ROUNDS = 40;
    private static final int TUNNELS = 8;

    @TempDir
    static Path state;

    /**
     * A round whose connection never completes its handshake is run again, once in the whole test: Kwik's client
     * handshake occasionally stalls (docs/upstream.md; a clean-clone CI run here: "no QUIC answer ... within 10000 ms",
     * 1 of ~1,000 fresh Kwik connections to the quiche relay). This test is about the ends of tunnels that opened.
     */
    private static final int HANDSHAKE_RETRIES = 1;

    @Test
    void everyTunnelOfParallelEchoesOnFreshConnectionsEnds() throws Exception {
        List<String> hung = new ArrayList<>();
        int retries = 0;
        try (TcpEchoServer echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
             TestRelay relay = TestRelay.start(state);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < ROUNDS; round++) {
                try (RelayClient client = relay.client().build()) {
                    if (!handshake(client, echo)) {
                        assertTrue(++retries <= HANDSHAKE_RETRIES, "a second handshake failed in round " + round);
                        System.out.println("round " + round + ": the connection's handshake did not complete; the round runs again");
                        round--;
                        continue;
                    }
                    AtomicIntegerArray received = new AtomicIntegerArray(TUNNELS);
                    List<Future<byte[]>> results = new ArrayList<>();
                    for (int i = 0; i < TUNNELS; i++) {
                        int tunnel = i;
                        results.add(pool.submit(() -> {
                            try (TcpTunnel t = client.openTcp("127.0.0.1", echo.port())) {
                                t.outputStream().write(payload(tunnel));
                                t.shutdownOutput();
                                return readToEnd(t.inputStream(), received, tunnel);
                            }
                        }));
                    }
                    for (int i = 0; i < TUNNELS; i++) {
                        try {
                            assertArrayEquals(payload(i), results.get(i).get(30, TimeUnit.SECONDS));
                        } catch (TimeoutException e) {
                            results.get(i).cancel(true);
                            hung.add("round " + round + ", tunnel " + i + ": " + received.get(i) + " of "
                                    + payload(i).length + " B and no end within 30 s");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), hung);
    }

    /** Opens the round's connection with one echo; false when its handshake did not complete (RelayUnreachableException). */
    private static boolean handshake(RelayClient client, TcpEchoServer echo) throws java.io.IOException {
        try (TcpTunnel t = client.openTcp("127.0.0.1", echo.port())) {
            t.outputStream().write(1);
            t.shutdownOutput();
            assertEquals(1, t.inputStream().readAllBytes().length);
            return true;
        } catch (RelayUnreachableException e) {
            return false;
        }
    }

    private static byte[] payload(int tunnel) {
        return ("tunnel " + tunnel).repeat(1000).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] readToEnd(InputStream in, AtomicIntegerArray received, int tunnel) throws java.io.IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            all.write(buffer, 0, n);
            received.addAndGet(tunnel, n);
        }
        return all.toByteArray();
    }
}
