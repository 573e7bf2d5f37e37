package org.masquerelay.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.masquerelay.server.config.AuthConfig;
import org.masquerelay.server.config.QuicEngine;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The settings object: newBuilder() changes one thing and keeps the rest, nested settings included. */
class RelaySettingsTest {
    @TempDir
    Path dir;

    @Test
    void newBuilderChangesOneThingAndKeepsTheRest() {
        RelaySettings dev = DevMode.prepare(dir, List.of(new InetSocketAddress("127.0.0.1", 0))).settings();
        AuthConfig auth = new AuthConfig("authorization", List.of("Bearer x"), 401);
        RelaySettings changed = dev.newBuilder()
                .auth(auth)
                .engine(QuicEngine.KWIK)
                .engineSettings(e -> e.maxFieldSectionSize(512))
                .tunnel(t -> t.connectTimeout(Duration.ofMillis(700)))
                .build();

        assertSame(auth, changed.auth());
        assertEquals(QuicEngine.KWIK, changed.engine());
        assertEquals(512, changed.engineSettings().maxFieldSectionSize());
        assertEquals(Duration.ofMillis(700), changed.tunnel().connectTimeout());

        assertEquals(dev.listen(), changed.listen());
        assertEquals(dev.serverName(), changed.serverName());
        assertSame(dev.policy(), changed.policy());
        assertSame(dev.engineSettings().keyStore(), changed.engineSettings().keyStore());
        assertEquals(dev.engineSettings().maxConnections(), changed.engineSettings().maxConnections());
        assertEquals(dev.engineSettings().maxDataFrameSize(), changed.engineSettings().maxDataFrameSize());
        assertEquals(dev.tunnel().attemptDelay(), changed.tunnel().attemptDelay());
        assertEquals(dev.tunnel().idleTimeout(), changed.tunnel().idleTimeout());

        // The original is untouched: the builder copied it.
        assertNull(dev.auth());
        assertEquals(16 * 1024, dev.engineSettings().maxFieldSectionSize());
        assertEquals(Duration.ofSeconds(10), dev.tunnel().connectTimeout());
    }

    @Test
    void theEngineLetsAClientOpenMoreStreamsThanTunnelsSoTheExtraOnesAreAnswered() {
        RelaySettings dev = DevMode.prepare(dir, List.of(new InetSocketAddress("127.0.0.1", 0))).settings();
        RelaySettings three = dev.newBuilder().tunnelsPerConnection(3).build();
        assertEquals(3, three.tunnelsPerConnection());
        assertEquals(3 + RelaySettings.REFUSAL_STREAMS, three.engineSettings().maxStreamsPerConnection());
    }
}
