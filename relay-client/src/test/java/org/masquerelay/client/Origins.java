package org.masquerelay.client;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.masquerelay.server.certs.CertificateTool;
import org.masquerelay.server.certs.Identities;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;

/** Local origins for fetch and curl tests: plain HTTP and HTTPS (with a certificate from the dev CA) on 127.0.0.1. */
public final class Origins {
    /** A body with every byte value, 0xFF included, and no repeating pattern short enough to hide a shuffle. */
    public static final byte[] BODY = body(300_000);

    private Origins() {}

    static byte[] body(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    /** Serves BODY at /data, echoes a POST body at /echo, and 'hello' elsewhere. */
    public static HttpServer http() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        configure(server);
        server.start();
        return server;
    }

    /** The same over TLS, with a server certificate for 127.0.0.1/localhost issued by the dev CA in stateDir. */
    public static HttpsServer https(Path stateDir) throws IOException, GeneralSecurityException {
        CertificateTool.Result certs = CertificateTool.create(stateDir, List.of("localhost", "127.0.0.1", "::1"), false);
        char[] pw = "origin".toCharArray();
        KeyStore ks = Identities.fromPem(certs.serverCertificate(), certs.serverKey(), "origin", pw);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        configure(server);
        server.start();
        return server;
    }

    private static void configure(HttpServer server) {
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/data", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
        });
        server.createContext("/echo", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, in.length == 0 ? -1 : in.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(in);
            }
        });
        server.createContext("/", exchange -> {
            byte[] hello = ("hello " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n").getBytes();
            exchange.sendResponseHeaders(200, hello.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(hello);
            }
        });
    }
}
