package org.masquerelay.client.internal;

import org.masquerelay.client.Route;
import org.masquerelay.client.TcpChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A TCP flow the route policy sends direct: a plain socket. */
public final class DirectTcpChannel implements TcpChannel {
    private final Socket socket;
    private final Route route;

    public DirectTcpChannel(Socket socket, Route route) {
        this.socket = socket;
        this.route = route;
    }

    @Override
    public InputStream inputStream() {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            return InputStream.nullInputStream();
        }
    }

    @Override
    public OutputStream outputStream() {
        try {
            return socket.getOutputStream();
        } catch (IOException e) {
            return OutputStream.nullOutputStream();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void awaitEstablished() {
        // Connected before this object was made.
    }

    @Override
    public Route route() {
        return route;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
