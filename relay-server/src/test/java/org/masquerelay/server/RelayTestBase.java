package org.masquerelay.server;

import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.TcpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** A TCP echo target for every test, and a relay each test starts with the settings it needs. */
abstract class RelayTestBase {
    @TempDir
    Path dir;
    RelayFixture relay;
    TcpEchoServer echo;

    @BeforeEach
    void startEcho() {
        echo = new TcpEchoServer(InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        echo.close();
    }

    /** Starts the relay with these settings and connects a Netty client to it. */
    NettyH3Client client(UnaryOperator<RelaySettings.Builder> customise) throws IOException {
        relay = RelayFixture.start(dir, customise);
        return relay.client();
    }
}
