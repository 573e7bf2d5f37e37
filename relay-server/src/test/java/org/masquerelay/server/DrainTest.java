package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.H3;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGTERM to a real relay process: a graceful drain. New connections are refused at once, open connections get
 * GOAWAY, an open download finishes byte for byte, and the process exits 0 by itself; a second signal or the drain
 * timeout ends what is still open.
 */
class DrainTest {
    private static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aDownloadSurvivesSigtermWhileNewConnectionsAreRefused() throws Exception {
        CertificateTool.Result certs = RelayProcess.certificates(dir);
        try (HeldSource source = new HeldSource(4 << 20, 256 * 1024);
             RelayProcess relay = RelayProcess.start(RelayProcess.config(dir, certs,
                     "timeouts:\n  drain: 60s\nadmin:\n  listen: 127.0.0.1:0\n"));
             NettyH3Client client = NettyH3Client.connect(relay.address(), NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
            int admin = relay.adminPort(T);
            assertEquals(200, get(admin, "/readyz"), "ready while serving");
            Tunnel tunnel = client.openTcp(source.authority(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.write(tunnel.readBytes(source.firstPart(), T));

            relay.signal("TERM");
            relay.awaitLine(l -> l.contains("draining:"), T);
            awaitTrue(() -> client.peerControlFrames().stream().anyMatch(f -> f.type() == H3.FRAME_GOAWAY),
                    "the open connection got GOAWAY");
            assertEquals(503, get(admin, "/readyz"), "not ready from the start of the drain");
            assertEquals(200, get(admin, "/healthz"), "alive while draining");
            assertRefused(relay, certs);
            assertTrue(relay.isAlive(), "still running while a tunnel is open");

            source.release();
            received.write(tunnel.readToEnd(T));
            tunnel.shutdownOutput(); // as curl ends its side once the response is complete
            assertArrayEquals(source.content(), received.toByteArray(), "the download is complete and byte-identical");
            assertEquals(0, relay.awaitExit(T), "exit status after the drain");
            assertTrue(relay.output().contains("every tunnel ended by itself (1 open at the start)"), relay.output());
        }
    }

    @Test
    void aSecondSignalStopsAtOnce() throws Exception {
        CertificateTool.Result certs = RelayProcess.certificates(dir);
        try (HeldSource source = new HeldSource(1 << 20, 64 * 1024);
             RelayProcess relay = RelayProcess.start(RelayProcess.config(dir, certs, "timeouts:\n  drain: 10m\n"));
             NettyH3Client client = NettyH3Client.connect(relay.address(), NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
            Tunnel tunnel = client.openTcp(source.authority(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            tunnel.readBytes(source.firstPart(), T);
            relay.signal("TERM");
            relay.awaitLine(l -> l.contains("draining:"), T);
            relay.signal("INT");
            assertEquals(0, relay.awaitExit(T), "exit status after a second signal");
            assertTrue(relay.output().contains("closing 1 tunnel still open"), relay.output());
        }
    }

    @Test
    void theDrainTimeoutClosesWhatIsStillOpen() throws Exception {
        CertificateTool.Result certs = RelayProcess.certificates(dir);
        try (HeldSource source = new HeldSource(1 << 20, 64 * 1024);
             RelayProcess relay = RelayProcess.start(RelayProcess.config(dir, certs, "timeouts:\n  drain: 1s\n"));
             NettyH3Client client = NettyH3Client.connect(relay.address(), NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
            Tunnel tunnel = client.openTcp(source.authority(), Map.of(), null);
            assertEquals(200, tunnel.awaitResponse(T).status());
            tunnel.readBytes(source.firstPart(), T);
            relay.signal("TERM");
            assertEquals(0, relay.awaitExit(T), "exit status after the drain timeout");
            assertTrue(relay.output().contains("closing 1 tunnel still open"), relay.output());
            try {
                tunnel.readToEnd(T);
                fail("the held download cannot have ended cleanly");
            } catch (PeerException expected) {
                // reset or closed with the connection
            }
        }
    }

    /** A connection made while draining is closed once its handshake completes (or fails to connect at all). */
    static void assertRefused(RelayProcess relay, CertificateTool.Result certs) {
        try (NettyH3Client late = NettyH3Client.connect(relay.address(), NettyH3Client.Options.defaults().trusting(certs.caCertificate()))) {
            awaitTrue(() -> !late.isOpen(), "a new connection is closed by the draining relay");
            late.connectionClose().ifPresent(c -> assertTrue(c.reason().contains("shutting down"), c.toString()));
        } catch (PeerException refused) {
            // refused during the handshake: also a refusal
        }
    }

    /** The status of a GET to the admin listener. */
    static int get(int adminPort, String path) throws java.io.IOException, InterruptedException {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + path))
                    .timeout(T).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + T);
            }
            LockSupport.parkNanos(5_000_000); // polled: these peers have no callback for it
        }
    }
}
