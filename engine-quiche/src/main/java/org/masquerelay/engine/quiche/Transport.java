package org.masquerelay.engine.quiche;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.EpollQuicUtils;
import io.netty.handler.codec.quic.FlushStrategy;
import io.netty.handler.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The UDP transport under quiche: epoll with UDP GSO (quiche hands over a burst of packets, the kernel splits it: one
 * syscall instead of one per packet) and batched receives (recvmmsg) where the native epoll library loads and the
 * kernel supports UDP_SEGMENT; NIO otherwise.
 */
record Transport(boolean epoll, boolean gso) {
    /**
     * Packets per GSO send. quiche's own examples use 10; 40 full packets (54,000 bytes at 1350) stay under UDP's
     * 64 KiB datagram limit and Netty's 64 segments. Measured on a 64 MiB relayed download (docs/benchmark.md, "Against
     * h2o"): the event loop's CPU per byte fell by about a sixth against 10, and the client's receive buffer dropped
     * fewer datagrams.
     */
    private static final int GSO_SEGMENTS = 40;
    /** Datagrams per recvmmsg call. */
    private static final int RECEIVE_BATCH = 16;
    /**
     * Room per datagram: Netty's epoll datagram channel reads 2048 bytes by default, and this keeps that bound (a longer
     * datagram is cut there, as before, and quiche discards it; we accept QUIC packets of 1350 bytes).
     */
    private static final int MAX_DATAGRAM = 2048;

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

    /**
     * When the QUIC codec hands its queued packets to the kernel mid-burst: after two full GSO sends (one sendmmsg
     * call for both), not after Netty's default of ~27,000 bytes, which split every burst of 40 segments.
     */
    FlushStrategy flushStrategy(int maxUdpPayload) {
        return FlushStrategy.afterNumBytes(2 * GSO_SEGMENTS * maxUdpPayload);
    }

    /**
     * A UDP socket's options: on epoll, up to {@link #RECEIVE_BATCH} datagrams per system call (recvmmsg into one
     * buffer, each datagram passed on as a slice) instead of one recvmsg per datagram — a download's acknowledgements
     * arrive many per wake-up.
     */
    Bootstrap udpOptions(Bootstrap bootstrap) {
        if (epoll) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BATCH * MAX_DATAGRAM));
        }
        return bootstrap;
    }

    @Override
    public String toString() {
        return epoll ? (gso ? "epoll + GSO" : "epoll") : "NIO";
    }
}
