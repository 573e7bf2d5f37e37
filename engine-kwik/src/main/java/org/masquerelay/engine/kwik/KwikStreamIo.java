package org.masquerelay.engine.kwik;

import org.masquerelay.engine.h3.QuicStreamIo;
import tech.kwik.core.QuicStream;

import java.io.InputStream;
import java.io.OutputStream;

/** A Kwik stream as the shared HTTP/3 layer sees it; writes go through the {@link SendKicker} and {@link StrayInterruptGuard} workarounds. */
final class KwikStreamIo implements QuicStreamIo {
    private final QuicStream quic;
    private final OutputStream out;
    private final InputStream in;

    KwikStreamIo(QuicStream quic, KwikConnection connection) {
        this.quic = quic;
        this.in = new StrayInterruptGuard.Reads(quic.getInputStream());
        OutputStream quicOut = quic.getOutputStream();
        this.out = new StrayInterruptGuard(SendKicker.kicking(quicOut, quic.getStreamId(), connection::wakeSender,
                connection::isOpen, GapProbe.of(connection.quic, quicOut, quic.getStreamId())));
    }

    @Override
    public long id() {
        return quic.getStreamId();
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public void resetOutput(long errorCode) {
        quic.resetStream(errorCode);
    }

    @Override
    public void abortInput(long errorCode) {
        quic.abortReading(errorCode);
    }
}
