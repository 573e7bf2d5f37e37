package org.masquerelay.tools.apple;

import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.h2.TlsClientConnection;
import org.masquerelay.wire.ConnectUdpTemplate;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client that sends what Apple's relay client sends (apple-relay-client.md) and judges the relay as it does:
 * classic CONNECT with {@code priority: i} and optimistic data for TCP; connect-udp on the default template with
 * {@code capsule-protocol}, {@code proxy-quic-forwarding} and {@code priority: i} for UDP; the extra headers of
 * {@code additionalHTTPHeaderFields} on every CONNECT; a GREASE frame on the control stream. Every step returns an
 * {@link AppleOutcome}. Runs on our Kwik client engine over HTTP/3, and over HTTP/2 (Apple's {@code HTTP2RelayURL}) on
 * Netty's codec with the same flows: classic CONNECT with optimistic data, connect-udp by extended CONNECT with
 * DATAGRAM capsules ({@link RelayPath}); each step is logged for reports.
 */
public final class AppleProfileClient implements AutoCloseable {
    /** A reserved frame type (0x1f * 9 + 0x21), sent once after SETTINGS as Apple's stack may. */
    static final long GREASE_FRAME = 0x1fL * 9 + 0x21;

    /**
     * @param host          relay host, from the relay URL (name or IP literal)
     * @param port          relay UDP port
     * @param root          the root installed on the device, or null for the system roots
     * @param extraHeaders  additionalHTTPHeaderFields, added to every CONNECT
     * @param timeout       bound for the handshake, SETTINGS and each response
     * @param grease        send a reserved frame on the control stream after connecting
     * @param keyLog        TLS secrets file (SSLKEYLOGFILE format; HTTP/3 only), or null
     * @param transport     HTTP/3, HTTP/2 (to the same host and port over TCP) or HTTP/3 then HTTP/2
     */
    public record Config(String host, int port, X509Certificate root, Map<String, String> extraHeaders,
                         Duration timeout, boolean grease, Path keyLog, RelayPath transport) {
        public Config {
            extraHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(extraHeaders));
        }

        /** Over HTTP/3. */
        public Config(String host, int port, X509Certificate root, Map<String, String> extraHeaders,
                      Duration timeout, boolean grease, Path keyLog) {
            this(host, port, root, extraHeaders, timeout, grease, keyLog, RelayPath.H3);
        }

        public static Config of(String host, int port, X509Certificate root) {
            return new Config(host, port, root, Map.of(), Duration.ofSeconds(5), true, null);
        }

        public Config withExtraHeaders(Map<String, String> headers) {
            return new Config(host, port, root, headers, timeout, grease, keyLog, transport);
        }

        public Config withTimeout(Duration value) {
            return new Config(host, port, root, extraHeaders, value, grease, keyLog, transport);
        }

        public Config withKeyLog(Path value) {
            return new Config(host, port, root, extraHeaders, timeout, grease, value, transport);
        }

        public Config withTransport(RelayPath value) {
            return new Config(host, port, root, extraHeaders, timeout, grease, keyLog, value);
        }
    }

    /** A CONNECT as far as it got: the outcome, and on success the open stream. */
    public record Flow(AppleOutcome outcome, ClientStream stream, HttpFields response) {
        public boolean ok() {
            return outcome.isSuccess();
        }
    }

    private final Config config;
    private AppleTrust trust;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private ClientConnection connection;

    public AppleProfileClient(Config config) {
        this.config = config;
        this.trust = new AppleTrust(config.root(), config.host());
    }

    /** What happened so far, one line per step. */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    void note(String line) {
        log.add(line);
    }

    public AppleTrust trust() {
        return trust;
    }

    public ClientConnection connection() {
        return connection;
    }

    /**
     * Connects as {@link Config#transport()} says: QUIC + TLS 1.3 with ALPN h3, TLS 1.3 on TCP with ALPN h2, or both
     * raced as Apple's client does with both relay URLs ({@link RelayConnector}); trust evaluated by Apple's rules.
     */
    public AppleOutcome connect() {
        RelayConnector.Attempt attempt = new RelayConnector(config, this::note).connect();
        trust = attempt.trust();
        if (!attempt.ok()) {
            note("handshake: " + attempt.failure());
            return attempt.failure();
        }
        connection = attempt.connection();
        connection.onClose(reason -> note("connection closed: " + reason));
        note("handshake: " + (overHttp2() ? "TCP + TLS 1.3 + ALPN h2" : "QUIC + TLS 1.3 + ALPN h3") + " to " + config.host() + ":"
                + config.port() + ", certificate accepted (" + trust.presentedChain().size() + " in chain)");
        if (config.grease() && !overHttp2()) {
            try {
                connection.sendControlFrame(GREASE_FRAME, new byte[]{'a', 'p', 'p', 'l'});
                note("sent a GREASE frame (type 0x" + Long.toHexString(GREASE_FRAME) + ") on the control stream");
            } catch (IOException e) {
                note("could not send a GREASE frame: " + e.getMessage());
            }
        }
        return AppleOutcome.success("handshake");
    }

    /** Whether the connection is HTTP/2 over TLS on TCP (Apple's HTTP2RelayURL), rather than HTTP/3. */
    public boolean overHttp2() {
        return connection instanceof TlsClientConnection tls && "h2".equals(tls.protocol());
    }

    /**
     * The relay's SETTINGS and transport parameters as Apple's client checks them. For every flow: SETTINGS must
     * arrive and carry no HTTP/2-only id (a duplicated id makes our engine close the connection: the same 53). For a
     * UDP flow also ENABLE_CONNECT_PROTOCOL=1, H3_DATAGRAM=1 and a negotiated QUIC DATAGRAM. (Whether Apple also
     * demands 0x08/0x33 before a classic CONNECT is not known; judged per flow here, as the protocol needs them.)
     */
    public AppleOutcome checkSettings(boolean forUdp) {
        Map<Long, Long> peer = settingsOrClose();
        if (overHttp2()) {
            AppleOutcome outcome = judgeHttp2Settings(peer, connection.isOpen(), forUdp);
            note("HTTP/2 SETTINGS " + describe(peer) + (forUdp ? " (for UDP flows)" : " (for TCP flows)") + " → " + outcome);
            return outcome;
        }
        AppleOutcome outcome = judgeSettings(peer, connection.isOpen(), connection.maxDatagramSize(), forUdp);
        note("SETTINGS " + describe(peer) + ", max datagram " + connection.maxDatagramSize()
                + (forUdp ? " (for UDP flows)" : " (for TCP flows)") + " → " + outcome);
        return outcome;
    }

    /** The peer's SETTINGS, or whatever is known once the connection closes (a rejected SETTINGS frame). */
    private Map<Long, Long> settingsOrClose() {
        java.util.concurrent.CompletableFuture<Map<Long, Long>> settings = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> connection.peerSettings(config.timeout().toMillis()), Thread::startVirtualThread);
        java.util.concurrent.CompletableFuture<Map<Long, Long>> closed = new java.util.concurrent.CompletableFuture<>();
        connection.onClose(reason -> closed.complete(Map.of()));
        try {
            return settings.applyToEither(closed, m -> m).get(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Map.of();
        }
    }

    static AppleOutcome judgeSettings(Map<Long, Long> peer, boolean open, int maxDatagram, boolean forUdp) {
        if (!open) {
            return AppleOutcome.aborted("the relay closed the connection (bad or duplicated SETTINGS, or an unknown frame?)");
        }
        if (peer.isEmpty()) {
            return AppleOutcome.aborted("no SETTINGS frame from the relay");
        }
        List<String> http2 = peer.keySet().stream().filter(H3::isHttp2OnlySetting).map(id -> "0x" + Long.toHexString(id)).toList();
        if (!http2.isEmpty()) {
            return AppleOutcome.aborted("HTTP/2-only setting " + String.join(", ", http2) + " in SETTINGS");
        }
        if (!forUdp) {
            return AppleOutcome.success("SETTINGS acceptable");
        }
        if (peer.getOrDefault(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 0L) != 1L) {
            return AppleOutcome.aborted("SETTINGS lack ENABLE_CONNECT_PROTOCOL (0x08) = 1");
        }
        if (peer.getOrDefault(H3.SETTINGS_H3_DATAGRAM, 0L) != 1L) {
            return AppleOutcome.aborted("SETTINGS lack H3_DATAGRAM (0x33) = 1");
        }
        if (maxDatagram <= 0) {
            return AppleOutcome.aborted("QUIC DATAGRAM not negotiated (no max_datagram_frame_size transport parameter)");
        }
        return AppleOutcome.success("SETTINGS 0x08=1, 0x33=1, QUIC DATAGRAM on");
    }

    /**
     * Over HTTP/2 a TCP flow needs only a live connection with SETTINGS; a UDP flow needs extended CONNECT
     * (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441 §3): without it the client cannot send :protocol, and the flow
     * fails as on HTTP/3 without ENABLE_CONNECT_PROTOCOL (53). HTTP/2 has no H3_DATAGRAM: capsules carry the payloads.
     */
    static AppleOutcome judgeHttp2Settings(Map<Long, Long> peer, boolean open, boolean forUdp) {
        if (!open) {
            return AppleOutcome.aborted("the relay closed the HTTP/2 connection");
        }
        if (peer.isEmpty()) {
            return AppleOutcome.aborted("no SETTINGS frame from the relay");
        }
        if (!forUdp) {
            return AppleOutcome.success("SETTINGS acceptable");
        }
        // SETTINGS_ENABLE_CONNECT_PROTOCOL is 0x8 in HTTP/2 (RFC 8441) as in HTTP/3 (RFC 9220).
        if (peer.getOrDefault(H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 0L) != 1L) {
            return AppleOutcome.aborted("HTTP/2 SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8) = 1: no extended CONNECT, so no connect-udp");
        }
        return AppleOutcome.success("HTTP/2 SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (extended CONNECT; DATAGRAM capsules)");
    }

    static String describe(Map<Long, Long> settings) {
        StringBuilder sb = new StringBuilder("{");
        settings.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append("0x").append(Long.toHexString(k)).append('=').append(v));
        return sb.append('}').toString();
    }

    /**
     * Classic CONNECT as Apple sends it for a TCP flow; {@code optimisticData} (e.g. a TLS ClientHello) goes out
     * right behind the HEADERS, before the response.
     */
    public Flow openTcp(String authority, byte[] optimisticData) {
        HttpFields.Builder request = HttpFields.builder()
                .add(":method", "CONNECT")
                .add(":authority", authority)
                .add("priority", "i");
        config.extraHeaders().forEach(request::add);
        return open("CONNECT " + authority, request.build(), optimisticData);
    }

    /** connect-udp on the default template, whatever the relay URL's path (Apple always uses it). */
    public Flow openUdp(String host, int port) {
        String path = ConnectUdpTemplate.defaultTemplate().expand(host, port);
        HttpFields.Builder request = HttpFields.builder()
                .add(":method", "CONNECT")
                .add(":protocol", "connect-udp")
                .add(":scheme", "https")
                .add(":authority", authorityOfRelay())
                .add(":path", path)
                .add("capsule-protocol", "?1")
                .add("proxy-quic-forwarding", "?1")
                .add("priority", "i");
        config.extraHeaders().forEach(request::add);
        return open("connect-udp " + path, request.build(), null);
    }

    /** Any request, e.g. {@code GET /.well-known/pvd}; the outcome maps its status like a CONNECT's. */
    public Flow request(HttpFields headers) {
        return open(headers.getOrNull(":method") + " " + headers.getOrNull(":path"), headers, null);
    }

    private String authorityOfRelay() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return host + ":" + config.port();
    }

    private Flow open(String what, HttpFields request, byte[] optimisticData) {
        if (connection == null || !connection.isOpen()) {
            AppleOutcome outcome = AppleOutcome.aborted("the connection to the relay is closed");
            note(what + " → " + outcome);
            return new Flow(outcome, null, null);
        }
        ClientStream stream;
        try {
            stream = connection.openRequest(request);
        } catch (IOException e) {
            AppleOutcome outcome = AppleOutcome.aborted("cannot send the request: " + e.getMessage());
            note(what + " → " + outcome);
            return new Flow(outcome, null, null);
        }
        if (optimisticData != null && optimisticData.length > 0) {
            try {
                stream.bodyOut().write(optimisticData);
                stream.bodyOut().flush();
            } catch (IOException e) {
                // A relay may answer (a refusal) and then stop our sending (STOP_SENDING, RFC 9114 §4.1.1) while the
                // optimistic data is still going out; a client must not discard that complete response, so the
                // answer read below decides, not this write.
                note(what + ": optimistic data not sent (" + e.getMessage() + "); reading the answer");
            }
        }
        HttpFields response;
        try {
            response = awaitResponseOrClose(stream);
        } catch (SocketTimeoutException e) {
            AppleOutcome outcome = new AppleOutcome(AppleOutcome.Kind.ETIMEDOUT, "no response within " + config.timeout().toMillis() + " ms");
            note(what + " → " + outcome);
            return new Flow(outcome, null, null);
        } catch (IOException e) {
            String why = connection.isOpen() ? "stream reset or closed before a response: " + e.getMessage()
                    : "connection closed while the request was pending: " + e.getMessage();
            AppleOutcome outcome = AppleOutcome.aborted(why);
            note(what + " → " + outcome);
            return new Flow(outcome, null, null);
        }
        int status = Integer.parseInt(response.getOrNull(":status"));
        AppleOutcome outcome = ResponseMapping.map(status, response.getOrNull("proxy-status"));
        note(what + " → " + response + " → " + outcome);
        if (!outcome.isSuccess()) {
            stream.reset(H3.H3_REQUEST_CANCELLED);
            return new Flow(outcome, null, response);
        }
        if (request.contains(":protocol")) {
            org.masquerelay.engine.DatagramReceiver receiver = (buffer, offset, length) -> queueOf(stream.streamId())
                    .offer(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
            if (overHttp2()) {
                CapsuleDatagrams.receive(stream, receiver); // HTTP/2: DATAGRAM capsules in the stream (RFC 9297 §3.5)
            } else {
                stream.receiveDatagrams(receiver);
            }
        }
        return new Flow(outcome, stream, response);
    }

    /**
     * The response, or an IOException as soon as the connection ends while it is pending (or has ended already: the
     * listener then runs at once). A request stream of a connection the relay closed does not always fail by itself:
     * the faulty relay that closes on the GREASE frame was once reported as a timeout (60) instead of 53
     * (InteropMatrixTest, 1 run in 2), its close having come between the profile's open check and its CONNECT.
     */
    private HttpFields awaitResponseOrClose(ClientStream stream) throws IOException {
        java.util.concurrent.CompletableFuture<HttpFields> answer = new java.util.concurrent.CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try {
                answer.complete(stream.awaitResponse(config.timeout()));
            } catch (IOException | RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        connection.onClose(reason -> answer.completeExceptionally(new IOException("the connection closed: " + reason)));
        try {
            return answer.get(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SocketTimeoutException("no response within " + config.timeout().toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ------------------------------------------------------------------------------------------------ probes

    /**
     * The TCP flow of the user's report, end to end: classic CONNECT with optimistic data to an echo target, then
     * the echo must come back on the tunnel. A FIN or reset instead (a relay that ends the stream after its 2xx) is
     * the 53 Apple reports.
     */
    public AppleOutcome probeTcpEcho(String authority, byte[] payload) {
        Flow flow = openTcp(authority, payload);
        if (!flow.ok()) {
            return flow.outcome();
        }
        try {
            byte[] echoed = Streams.readExactly(flow.stream().body(), payload.length, config.timeout());
            if (!java.util.Arrays.equals(echoed, payload)) {
                return fail(AppleOutcome.aborted("the tunnel returned different bytes than the echo target got"));
            }
            flow.stream().finish();
            note("tunnel carried " + payload.length + " optimistic bytes both ways");
            return AppleOutcome.success("classic CONNECT with optimistic data, echo intact");
        } catch (Streams.EndOfStream e) {
            return fail(AppleOutcome.aborted("the relay ended the CONNECT stream (FIN) right after its 2xx"));
        } catch (SocketTimeoutException e) {
            flow.stream().reset(H3.H3_REQUEST_CANCELLED);
            return fail(new AppleOutcome(AppleOutcome.Kind.ETIMEDOUT, "no tunnel bytes within " + config.timeout().toMillis() + " ms (optimistic data lost?)"));
        } catch (IOException e) {
            return fail(AppleOutcome.aborted("the CONNECT stream was reset after the 2xx: " + e.getMessage()));
        }
    }

    /** connect-udp to an echo target: one HTTP datagram out, the same payload back. */
    public AppleOutcome probeUdpEcho(String host, int port, byte[] payload) {
        Flow flow = openUdp(host, port);
        if (!flow.ok()) {
            return flow.outcome();
        }
        if (flow.response().getOrNull("proxy-quic-forwarding") != null) {
            note("warning: the relay echoed proxy-quic-forwarding; only do that with QUIC-aware forwarding implemented");
        }
        try {
            Optional<byte[]> back = exchangeDatagram(flow.stream(), payload, 3);
            if (back.isEmpty()) {
                return fail(new AppleOutcome(AppleOutcome.Kind.ETIMEDOUT, "no HTTP datagram came back from the UDP target"));
            }
            note("HTTP datagram of " + payload.length + " bytes echoed");
            return AppleOutcome.success("connect-udp on the default template, datagram echoed");
        } finally {
            closeUdp(flow.stream());
        }
    }

    /**
     * Sends a context-0 HTTP datagram and waits for one back, up to {@code attempts} times: UDP may lose one
     * (retransmission here is what a real UDP application does, not a wait for the relay).
     */
    public Optional<byte[]> exchangeDatagram(ClientStream stream, byte[] payload, int attempts) {
        BlockingQueue<byte[]> queue = queueOf(stream.streamId());
        for (int i = 0; i < attempts; i++) {
            boolean sent = overHttp2() ? CapsuleDatagrams.send(stream, UdpPayload.CONTEXT_UDP, payload, 0, payload.length)
                    : stream.sendDatagram(UdpPayload.CONTEXT_UDP, payload, 0, payload.length);
            if (!sent) {
                note("datagram of " + payload.length + " bytes could not be sent");
                return Optional.empty();
            }
            try {
                byte[] got = queue.poll(config.timeout().toMillis() / attempts, TimeUnit.MILLISECONDS);
                if (got != null) {
                    UdpPayload udp = UdpPayload.decode(got, 0, got.length);
                    if (udp.isUdp()) {
                        return Optional.of(udp.payload());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private final Map<Long, BlockingQueue<byte[]>> datagramQueues = new java.util.concurrent.ConcurrentHashMap<>();

    private BlockingQueue<byte[]> queueOf(long streamId) {
        return datagramQueues.computeIfAbsent(streamId, id -> new LinkedBlockingQueue<>(256));
    }

    public void closeUdp(ClientStream stream) {
        stream.receiveDatagrams(null);
        datagramQueues.remove(stream.streamId());
        try {
            stream.finish();
        } catch (IOException ignored) {
            // Already reset.
        }
    }

    private AppleOutcome fail(AppleOutcome outcome) {
        note("→ " + outcome);
        return outcome;
    }

    @Override
    public void close() {
        if (connection != null && connection.isOpen()) {
            connection.close(H3.H3_NO_ERROR, "done");
        }
    }
}
