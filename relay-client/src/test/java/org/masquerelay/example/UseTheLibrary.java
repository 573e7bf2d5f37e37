package org.masquerelay.example;

import org.masquerelay.client.RelayClient;
import org.masquerelay.client.TcpTunnel;
import org.masquerelay.client.UdpTunnel;

import java.nio.file.Path;
import java.time.Duration;

import static java.nio.charset.StandardCharsets.UTF_8;

/** One TCP and one UDP flow through a relay. Run: RELAY_URL RELAY_CA_PEM TARGET_HOST TCP_PORT UDP_PORT */
public class UseTheLibrary {
    public static void main(String[] args) throws Exception {
        String host = args[2];
        try (RelayClient client = RelayClient.builder()
                .relay(args[0])                      // e.g. https://relay.example.com:443/
                .trustCaFile(Path.of(args[1]))       // the relay's CA (default: the system's roots)
                .build()) {
            // TCP: a classic HTTP/3 CONNECT. Bytes may go out before the relay answers (optimistic data); the first
            // read waits for the answer and throws the typed refusal (TunnelRefusedException for a 403, ...).
            try (TcpTunnel tcp = client.openTcp(host, Integer.parseInt(args[3]))) {
                tcp.outputStream().write("hello over TCP".getBytes(UTF_8));
                tcp.shutdownOutput();                // FIN: the target reads to its end
                System.out.println(new String(tcp.inputStream().readAllBytes(), UTF_8));
            }
            // UDP: connect-udp, in QUIC datagrams when the relay offers them (else capsules on the stream).
            try (UdpTunnel udp = client.openUdp(host, Integer.parseInt(args[4]))) {
                udp.send("hello over UDP".getBytes(UTF_8));
                byte[] reply = udp.receive(Duration.ofSeconds(5)); // null: nothing came back in time
                System.out.println(reply == null ? "no reply" : new String(reply, UTF_8));
            }
        }
    }
}
