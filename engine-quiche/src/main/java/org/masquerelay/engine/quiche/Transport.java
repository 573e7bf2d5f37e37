package org.masquerelay.engine.quiche;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The UDP transport under quiche: epoll with UDP GSO (quiche hands over a burst of packets, the kernel splits it: one
 * syscall instead of one per packet) where the native epoll library loads and the kernel supports UDP_SEGMENT; NIO
 * otherwise.
 */
record Transport(boolean epoll, boolean gso) {
    /** Packets per GSO send: quiche's own examples use 10. */
    private static final int GSO_SEGMENTS = 10;

    private static final Transport BEST = probe();

    /** The best transport on this machine (probed once). */
    static Transport best() {
        return BEST;
    }

    private static Transport probe() {
        boolean epoll;
        try {
            epoll = Epoll.isAvailable();
        } catch (LinkageError e) {
            epoll = false;
        }
        boolean gso = false;
        if (epoll) {
            try {
                gso = EpollDatagramChannel.isSegmentedDatagramPacketSupported();
            } catch (LinkageError e) {
                gso = false;
            }
        }
        return new Transport(epoll, gso);
    }

    EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return new MultiThreadIoEventLoopGroup(threads, factory, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Target connections of tunnels, registered on the event loop of their QUIC connection. */
    Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    SegmentedDatagramPacketAllocator segmentedAllocator() {
        return gso ? EpollQuicUtils.newSegmentedAllocator(GSO_SEGMENTS) : SegmentedDatagramPacketAllocator.NONE;
    }

    @Override
    public String toString() {
        return epoll ? (gso ? "epoll + GSO" : "epoll") : "NIO";
    }
}
