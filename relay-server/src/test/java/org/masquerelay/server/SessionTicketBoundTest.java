package org.masquerelay.server;

import org.masquerelay.server.config.QuicEngine;
import org.masquerelay.testpeers.RawH3;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §3: agent15, Kwik's TLS, kept every session ticket it issued (~1.8 KB each) for 24 hours with no bound, so
 * handshakes in a loop filled the heap. The relay's store issues at most its bound within the ticket lifetime; past
 * it a client gets no ticket (and makes a full handshake next time) — and is served all the same.
 */
class SessionTicketBoundTest {
    @TempDir
    Path dir;

    @Test
    void ticketsStopAtTheBoundAndClientsAreStillServed() throws Exception {
        Assumptions.assumeTrue(RelayFixture.ENGINE == QuicEngine.KWIK, "Kwik's ticket store; quiche keeps no"
                + " per-ticket state (its tickets are encrypted by a key of the server's)");
        try (RelayFixture relay = RelayFixture.start(dir, s -> s.engineSettings(e -> e.sessionTickets(2)))) {
            assertEquals(1, ticketsAfterARequest(relay.address()), "first connection");
            assertEquals(1, ticketsAfterARequest(relay.address()), "second connection");
            assertEquals(0, ticketsAfterARequest(relay.address()), "third connection: the store is full");
        }
    }

    /**
     * Connects, asks for /.well-known/pvd and reads the whole answer: a ticket goes out with the server's first
     * flight after the handshake, so one that did not arrive before the answer was never sent.
     */
    private static int ticketsAfterARequest(InetSocketAddress relay) throws Exception {
        QuicClientConnection connection = QuicClientConnection.newBuilder()
                .host(relay.getHostString()).port(relay.getPort())
                .applicationProtocol("h3")
                .noServerCertificateCheck()
                .connectTimeout(Duration.ofSeconds(10))
                .logger(new NullLogger())
                .build();
        connection.connect();
        try {
            QuicStream stream = connection.createStream(true);
            OutputStream out = stream.getOutputStream();
            out.write(RawH3.frame(RawH3.HEADERS, RawH3.qpackLiterals(List.of(Map.entry(":method", "GET"),
                    Map.entry(":scheme", "https"), Map.entry(":authority", "localhost"),
                    Map.entry(":path", "/.well-known/pvd")))));
            out.close();
            InputStream in = stream.getInputStream();
            assertTrue(in.readAllBytes().length > 0, "the relay answered");
            return connection.getNewSessionTickets().size();
        } finally {
            connection.close();
        }
    }
}
