package org.masquerelay.client;

import org.masquerelay.engine.ClientEngine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client engine under test: system property {@code client.engine} (kwik or quiche; relay-client/pom.xml runs
 * the suite once per engine). Every RelayClient and CLI run of the tests is made through here.
 */
public final class TestEngine {
    public static final String NAME = System.getProperty("client.engine", "kwik");

    private TestEngine() {}

    public static ClientEngine engine() {
        return ClientEngines.named("client.engine", NAME);
    }

    /** A builder on the engine under test. */
    public static RelayClient.Builder builder() {
        return RelayClient.builder().engine(engine());
    }

    public static boolean isQuiche() {
        return NAME.equals("quiche");
    }

    /**
     * Skips a test that sends QUIC through a connect-udp tunnel (relay chaining, HTTP/3 to a target): the quiche
     * engine needs a UDP channel of its own and refuses a supplied socket.
     */
    public static void assumeSuppliedSockets() {
        assumeTrue(!isQuiche(), "the quiche client engine cannot send QUIC through a supplied UDP socket"
                + " (connect-udp tunnel); chaining and HTTP/3 through the relay need the kwik engine");
    }
}
