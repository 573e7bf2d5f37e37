package org.masquerelay.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.masquerelay.engine.h3.Qpack;
import org.masquerelay.wire.ConnectRequestParser;
import org.masquerelay.wire.ConnectUdpTemplate;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.TcpConnectRequest;
import org.masquerelay.wire.TunnelRequest;
import org.masquerelay.wire.UdpConnectRequest;

/**
 * A request's field section as the relay receives it: QPACK-decoded (RFC 9204), then validated and routed (RFC 9114
 * §4.2-4.4, RFC 9298). Allowed: not a CONNECT (empty), a tunnel request, or a {@link Refusal} with a
 * 4xx/501 status. An accepted request has a clean target and only well-formed fields (RFC 9114 §4.2: lower-case
 * names; RFC 9110 §5.5: no CR, LF or NUL in values).
 */
public class ConnectRequestFuzzTest {
    private static final String[] NAMES = {":method", ":scheme", ":authority", ":path", ":protocol", "host",
        "capsule-protocol", "te", "connection", "authorization", "user-agent", ":status", "Host", "x"};
    private static final ConnectRequestParser PARSER = new ConnectRequestParser(
            List.of(ConnectUdpTemplate.parse("https://relay.example:443/masque{?target_host,target_port}")));
    /** As on a connection: one coder, reused (its dynamic table is 0, so every section stands alone). */
    private static final Qpack QPACK = new Qpack();

    /** Raw QPACK bytes: what a client can send in a HEADERS frame. */
    @FuzzTest
    void qpackFieldSection(byte[] fieldSection) {
        HttpFields fields;
        try {
            fields = QPACK.decode(fieldSection);
        } catch (IOException e) {
            return; // answered with a stream error
        }
        parseAndCheck(fields);
    }

    /** Field lines with names from the request vocabulary and arbitrary values. */
    @FuzzTest
    void fields(FuzzedDataProvider data) {
        HttpFields.Builder builder = HttpFields.builder();
        int count = data.consumeInt(0, 10);
        for (int i = 0; i < count; i++) {
            String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(12);
            String value = switch (data.consumeInt(0, 3)) {
                case 0 -> "CONNECT";
                case 1 -> "connect-udp";
                case 2 -> "https";
                default -> data.consumeString(80);
            };
            builder.add(name, value);
        }
        parseAndCheck(builder.build());
    }

    /** Parses as the relay does and checks what an accepted request must be; used by the listeners' targets too. */
    public static void parseAndCheck(HttpFields fields) {
        Optional<TunnelRequest> request;
        try {
            request = PARSER.parse(fields);
        } catch (Refusal e) {
            assertTrue(e.httpStatus() >= 400 && e.httpStatus() < 600, "status " + e.httpStatus());
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            return;
        }
        if (request.isEmpty()) {
            return;
        }
        if (request.get() instanceof TcpConnectRequest tcp) {
            Checks.cleanHost(tcp.target().host());
        } else if (request.get() instanceof UdpConnectRequest udp) {
            Checks.cleanHost(udp.target().host());
        }
        for (HttpFields.Field field : fields) {
            Checks.cleanFieldName(field.name());
            Checks.cleanFieldValue(field.value());
        }
    }
}
