package org.masquerelay.tools.apple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What Apple's client does with a relay for one TCP and one UDP flow, in order: handshake and trust, SETTINGS, a
 * classic CONNECT with optimistic data to a TCP echo target, a connect-udp to a UDP echo target. Later steps run
 * while the connection lives, so one probe shows every problem it can reach; {@link Result#reported()} is the first
 * failure, which is what the user would see.
 */
public final class AppleProbe {
    /** Looks like the first bytes of a TLS ClientHello, which is what Apple sends optimistically. */
    public static final byte[] CLIENT_HELLO_LIKE = "\u0016\u0003\u0001\u0000\u00c8 optimistic ClientHello stand-in".getBytes(StandardCharsets.ISO_8859_1);
    /** Looks like a QUIC Initial's first byte, then a marker. */
    public static final byte[] QUIC_INITIAL_LIKE = "\u00c0 QUIC Initial stand-in".getBytes(StandardCharsets.ISO_8859_1);

    public record Step(String name, AppleOutcome outcome) {
    }

    public record Result(List<Step> steps, List<String> log) {
        public AppleOutcome reported() {
            return steps.stream().map(Step::outcome).filter(o -> !o.isSuccess()).findFirst()
                    .orElse(AppleOutcome.success("TCP and UDP flows work"));
        }

        public String failedStep() {
            return steps.stream().filter(s -> !s.outcome().isSuccess()).map(Step::name).findFirst().orElse("-");
        }
    }

    private AppleProbe() {
    }

    /**
     * @param tcpTarget host:port of a TCP echo target, or null to skip the TCP flow
     * @param udpHost   host of a UDP echo target, or null to skip the UDP flow
     */
    public static Result run(AppleProfileClient.Config config, String tcpTarget, String udpHost, int udpPort) {
        List<Step> steps = new ArrayList<>();
        try (AppleProfileClient client = new AppleProfileClient(config)) {
            AppleOutcome handshake = client.connect();
            steps.add(new Step("TLS", handshake));
            if (!handshake.isSuccess()) {
                return new Result(steps, client.log());
            }
            if (tcpTarget != null) {
                AppleOutcome settings = client.checkSettings(false);
                steps.add(new Step("SETTINGS", settings));
                if (settings.isSuccess()) {
                    steps.add(new Step("TCP", client.probeTcpEcho(tcpTarget, CLIENT_HELLO_LIKE)));
                }
            }
            if (udpHost != null && client.connection().isOpen()) {
                AppleOutcome settings = client.checkSettings(true);
                steps.add(new Step("SETTINGS-UDP", settings));
                if (settings.isSuccess()) {
                    steps.add(new Step("UDP", client.probeUdpEcho(udpHost, udpPort, QUIC_INITIAL_LIKE)));
                }
            } else if (udpHost != null) {
                steps.add(new Step("UDP", AppleOutcome.aborted("the relay closed the connection")));
            }
            return new Result(steps, client.log());
        }
    }
}
