package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;
import org.masquerelay.wire.ConnectUdpTemplate;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

/**
 * connect-udp URI templates (RFC 9298 §2) from a configuration, and request paths matched against them. Allowed:
 * {@link IllegalArgumentException} for a bad template; empty, a target or a 400 for a path. A target expanded into an
 * accepted template matches back to itself.
 */
class ConnectUdpTemplateFuzzTest {

    @FuzzTest
    void templateAndPath(FuzzedDataProvider data) {
        String text = data.consumeString(200);
        String path = data.consumeString(300);
        String host = data.consumeString(60);
        int port = data.consumeInt(1, 65535);
        ConnectUdpTemplate template;
        try {
            template = ConnectUdpTemplate.parse(text);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            template = ConnectUdpTemplate.defaultTemplate();
        }
        try {
            Optional<Target> target = template.match(path);
            target.ifPresent(t -> Checks.cleanHost(t.host()));
        } catch (Refusal e) {
            assertEquals(400, e.httpStatus());
        }
        Target wanted;
        try {
            wanted = Target.of(host, port);
        } catch (Refusal e) {
            return;
        }
        String expanded = template.expand(wanted.host(), wanted.port());
        try {
            assertEquals(Optional.of(wanted), template.match(expanded), "expanded path does not match back: " + expanded);
        } catch (Refusal e) {
            throw new AssertionError("expanded path refused: " + expanded, e);
        }
    }
}
