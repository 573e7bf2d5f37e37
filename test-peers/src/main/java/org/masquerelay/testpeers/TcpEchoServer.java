package org.masquerelay.testpeers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** Echoes every byte until the peer's FIN, then half-closes its own side (FIN back). */
public final class TcpEchoServer extends TcpServerBase {
    public TcpEchoServer(InetAddress bind) {
        super(bind, "tcp-echo");
    }

    @Override
    void serve(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
        socket.shutdownOutput();
    }
}
