package org.masquerelay.server.tunnel;

import org.masquerelay.wire.Refusal;
import org.masquerelay.engine.h3.SocketSplicer;

import org.junit.jupiter.api.Test;
import org.masquerelay.engine.TcpTarget;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RFC 8305 connection racing, on real loopback sockets. */
class HappyEyeballsTest {
    /** Blocking socket attempts; their stream is only used once a tunnel runs, which these tests never do. */
    private static final SocketSplicer SOCKETS = new SocketSplicer(null);

    @Test
    void interleavesFamiliesStartingWithTheFirstAnswer() throws Exception {
        InetAddress v6a = InetAddress.getByName("::1");
        InetAddress v6b = InetAddress.getByName("::2");
        InetAddress v4a = InetAddress.getByName("127.0.0.1");
        InetAddress v4b = InetAddress.getByName("127.0.0.2");
        assertEquals(List.of(v6a, v4a, v6b, v4b), HappyEyeballs.interleaveFamilies(List.of(v6a, v6b, v4a, v4b)));
        assertEquals(List.of(v4a, v6a, v4b), HappyEyeballs.interleaveFamilies(List.of(v4a, v4b, v6a)));
    }

    @Test
    void aRefusedAddressFallsThroughToTheNextAtOnce() throws Exception {
        try (ServerSocket v4Only = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            long start = System.nanoTime();
            // ::1 refuses (nothing listens there on that port), 127.0.0.1 accepts.
            TcpTarget target = HappyEyeballs.connect(List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1")),
                    v4Only.getLocalPort(), Duration.ofSeconds(5), Duration.ofSeconds(5), SOCKETS);
            assertEquals(InetAddress.getByName("127.0.0.1"), target.remoteAddress().getAddress());
            target.close();
            long millis = (System.nanoTime() - start) / 1_000_000;
            // The 5 s attempt delay must not be waited out when the first attempt fails.
            assertEquals(true, millis < 2500, "fell through after " + millis + " ms");
        }
    }

    @Test
    void allRefusedIsConnectionRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        Refusal e = assertThrows(Refusal.class, () -> HappyEyeballs.connect(
                List.of(InetAddress.getByName("127.0.0.1")), closedPort, Duration.ofMillis(250), Duration.ofSeconds(5), SOCKETS));
        assertEquals(502, e.httpStatus());
        assertEquals("connection_refused", e.proxyError().token());
    }
}
