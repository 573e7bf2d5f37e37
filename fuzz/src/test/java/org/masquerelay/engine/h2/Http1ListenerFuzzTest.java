package org.masquerelay.engine.h2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.masquerelay.fuzz.ConnectRequestFuzzTest;

/**
 * The TCP listener's HTTP/1.1 side (RFC 9110 §9.3.6 CONNECT, RFC 9298 §3.2 Upgrade: connect-udp): bytes decoded by
 * Netty's HTTP/1.1 decoder, turned into the request the relay's handler reads ({@link H1Handler#fields}), then
 * validated and routed like an HTTP/3 request. Both readings (plain and upgrade) are tried for each request.
 */
class Http1ListenerFuzzTest {

    @FuzzTest
    void request(byte[] bytes) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(4096, 16 * 1024, 8192));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes));
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                try {
                    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                        ConnectRequestFuzzTest.parseAndCheck(H1Handler.fields(request, false));
                        ConnectRequestFuzzTest.parseAndCheck(H1Handler.fields(request, true));
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
