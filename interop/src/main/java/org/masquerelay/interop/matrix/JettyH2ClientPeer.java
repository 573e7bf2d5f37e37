package org.masquerelay.interop.matrix;

import org.eclipse.jetty.http.MetaData;
import org.masquerelay.interop.matrix.JettyH2Session.Tunnel;
import org.masquerelay.testpeers.FullListener;
import org.masquerelay.wire.ConnectUdpTemplate;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.masquerelay.interop.matrix.CaseFailure.check;

/**
 * Jetty 12.1.5's HTTP/2 client (a peer we did not write) against the relay's TCP listener: classic CONNECT over h2
 * for TCP, connect-udp by extended CONNECT with DATAGRAM capsules for UDP (case C). Every case the HTTP/3 rows run,
 * except U (QUIC DATAGRAM does not exist over TCP).
 */
public final class JettyH2ClientPeer implements ClientPeer {
    static final Duration T = JettyH2Session.T;
    /** SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3). */
    private static final int ENABLE_CONNECT_PROTOCOL = 0x8;

    @Override
    public String name() {
        return "jetty-http2";
    }

    @Override
    public Transport transport() {
        return Transport.H2;
    }

    @Override
    public String unsupported(Case c) {
        return null;
    }

    @Override
    public void run(Case c, ServerUnderTest server, InteropEnv env, CellLog log) throws Exception {
        if (c == Case.K) {
            try (ServerPeer.Running relay = server.dedicated(null); JettyH2Session client = new JettyH2Session(relay.target())) {
                JettyCases.killed(client::connect, env, relay, log);
            }
            return;
        }
        if (c == Case.E) {
            try (FullListener full = FullListener.open();
                 ServerPeer.Running relay = server.dedicated(Duration.ofMillis(700));
                 JettyH2Session client = new JettyH2Session(relay.target())) {
                MetaData.Response r = refused(client, full.authority(), server.credentials(), log, 504, 504);
                check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_timeout"), "Proxy-Status lacks connection_timeout");
            }
        }
        Map<String, String> creds = c == Case.A ? Map.of() : server.credentials();
        try (JettyH2Session client = new JettyH2Session(server)) {
            log.add("connected (Jetty 12.1.5 HTTP2Client, TLS + ALPN h2) to " + server.host() + ":" + server.tcpPort());
            JettyCases.Connector connector = client::connect;
            switch (c) {
                case H -> {
                    Map<Integer, Integer> s = client.serverSettings.get(T.toMillis(), TimeUnit.MILLISECONDS);
                    log.add("relay SETTINGS " + s);
                    check(s.getOrDefault(ENABLE_CONNECT_PROTOCOL, 0) == 1, "no SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (extended CONNECT, RFC 8441)");
                }
                case T -> JettyCases.tunnel(connector, env, creds, log);
                case O -> JettyCases.optimistic(connector, env, creds, log);
                case C -> {
                    // connect-udp by extended CONNECT: a DATAGRAM capsule out, the echo back as a DATAGRAM capsule.
                    String path = ConnectUdpTemplate.defaultTemplate().expand("127.0.0.1", env.udpEcho.port());
                    JettyCases.capsuleEcho(client.connectUdp(server.host() + ":" + server.tcpPort(), path, creds),
                            "extended CONNECT connect-udp " + path, log);
                }
                case F -> JettyCases.halfClose(connector, env, creds, log);
                case P -> {
                    JettyCases.parallel(connector, env, creds, log);
                    check(!client.isClosed(), "the connection closed");
                }
                case X -> {
                    Tunnel a = (Tunnel) JettyCases.open(connector, env.tcpEcho.authority(), creds, log);
                    JettyCases.echo(a, "before");
                    Tunnel b = client.connect(env.tcpEcho.authority(), creds);
                    b.reset();
                    log.add("a second CONNECT reset (RST_STREAM CANCEL) before its response");
                    JettyCases.echo(a, "after the cancel");
                    JettyCases.echo(JettyCases.open(connector, env.tcpEcho.authority(), creds, log), "next tunnel");
                    check(!client.isClosed(), "the connection closed after a cancelled CONNECT");
                }
                case R -> refused(client, "192.0.2.1:443", creds, log, 400, 599);
                case A -> refused(client, env.tcpEcho.authority(), creds, log, 401, 407);
                case E -> {
                    MetaData.Response r = refused(client, "127.0.0.1:" + env.closedPort, creds, log, 500, 599);
                    check(String.valueOf(r.getHttpFields().get("proxy-status")).contains("connection_refused"), "Proxy-Status lacks connection_refused");
                }
                case S -> JettyCases.transfers(connector, env, creds, log);
                case L -> JettyCases.large(connector, env, creds, log);
                default -> throw new CaseFailure("not implemented over HTTP/2: " + c);
            }
        }
    }

    /** A refusal over HTTP/2 is a stream's answer: the connection stays open for other tunnels. */
    private static MetaData.Response refused(JettyH2Session client, String authority, Map<String, String> creds, CellLog log,
                                             int min, int max) throws Exception {
        MetaData.Response r = JettyCases.refused(client::connect, authority, creds, log, min, max);
        check(!client.isClosed(), "the refusal closed the connection");
        return r;
    }
}
