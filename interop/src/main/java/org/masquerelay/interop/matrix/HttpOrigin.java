package org.masquerelay.interop.matrix;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.masquerelay.testpeers.TcpSourceServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP/1.1 origin on loopback for clients that speak HTTP through a tunnel (curl {@code -p}) rather than raw bytes:
 * the same content as the raw TCP targets, so the same digests check it.
 * <ul>
 *   <li>{@code GET /hello}: a short text; {@code POST /echo}: the body back</li>
 *   <li>{@code GET /source}, {@code GET /large}: what the 1 MiB and 50 MiB TCP sources send, with Content-Length</li>
 *   <li>{@code POST /sink}: answers "{bytes} {sha-256}" of the body</li>
 *   <li>{@code GET /together/N}: answers only once {@link #TOGETHER} such requests are in flight at once (case P),
 *       "not together" after 10 s otherwise</li>
 * </ul>
 */
public final class HttpOrigin implements AutoCloseable {
    public static final String HELLO = "hello through the tunnel\n";
    public static final int TOGETHER = 8;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final CyclicBarrier together = new CyclicBarrier(TOGETHER);

    HttpOrigin(InetAddress bind, TcpSourceServer source, TcpSourceServer large) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, 0), 64);
        server.setExecutor(executor);
        server.createContext("/hello", x -> answer(x, 200, HELLO.getBytes(StandardCharsets.UTF_8)));
        server.createContext("/echo", x -> {
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            answer(x, 200, body);
        });
        server.createContext("/source", x -> relayed(x, source));
        server.createContext("/large", x -> relayed(x, large));
        server.createContext("/sink", x -> {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long n = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = x.getRequestBody()) {
                for (int r; (r = in.read(buf)) >= 0; n += r) {
                    sha.update(buf, 0, r);
                }
            }
            answer(x, 200, (n + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/together/", x -> {
            String n = x.getRequestURI().getPath().substring("/together/".length());
            try {
                together.await(10, TimeUnit.SECONDS);
                answer(x, 200, ("tunnel " + n + ": " + TOGETHER + " at once").getBytes(StandardCharsets.UTF_8));
            } catch (TimeoutException | BrokenBarrierException e) {
                together.reset();
                answer(x, 503, ("tunnel " + n + ": not together").getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(x, 503, "interrupted".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/path}. */
    public String url(String path) {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + path;
    }

    private static void answer(HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    /** The TCP source's bytes as the response body, streamed. */
    private static void relayed(HttpExchange x, TcpSourceServer source) throws IOException {
        try (Socket s = new Socket(source.address().getAddress(), source.address().getPort());
             InputStream in = s.getInputStream()) {
            x.sendResponseHeaders(200, source.length());
            try (OutputStream out = x.getResponseBody()) {
                in.transferTo(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
