package org.masquerelay.client.internal;

import org.masquerelay.client.TcpChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * A {@link TcpChannel} dressed as a connected {@link Socket}, so that code written for sockets runs through the
 * relay: above all {@code SSLSocketFactory.createSocket(socket, host, port, true)}, which layers real TLS to the
 * target over the tunnel. Socket options are accepted and ignored (the tunnel has none); read timeouts are not
 * enforced (bound the whole exchange instead).
 */
public final class ChannelSocket extends Socket {
    private final TcpChannel channel;
    private final InetSocketAddress remote;
    private volatile boolean closed;
    private volatile boolean outputShut;
    private volatile boolean inputShut;
    private int soTimeout;

    /** @param remote the target, as the socket's remote address (unresolved is fine) */
    public ChannelSocket(TcpChannel channel, InetSocketAddress remote) {
        this.channel = channel;
        this.remote = remote;
    }

    public TcpChannel channel() {
        return channel;
    }

    @Override
    public InputStream getInputStream() {
        return channel.inputStream();
    }

    @Override
    public OutputStream getOutputStream() {
        return channel.outputStream();
    }

    @Override
    public void shutdownOutput() throws IOException {
        outputShut = true;
        channel.shutdownOutput();
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public InetAddress getInetAddress() {
        return remote.getAddress();
    }

    @Override
    public int getPort() {
        return remote.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remote;
    }

    @Override
    public InetAddress getLocalAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public int getLocalPort() {
        return 0;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(getLocalAddress(), 0);
    }

    @Override
    public synchronized void setSoTimeout(int timeout) {
        soTimeout = timeout;
    }

    @Override
    public synchronized int getSoTimeout() {
        return soTimeout;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // no TCP here
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // no TCP here
    }

    @Override
    public void setKeepAlive(boolean on) {
        // no TCP here
    }

    @Override
    public String toString() {
        return "ChannelSocket[" + remote + ", " + channel.route() + "]";
    }
}
