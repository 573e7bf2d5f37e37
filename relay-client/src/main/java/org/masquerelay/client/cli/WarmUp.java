package org.masquerelay.client.cli;

import org.masquerelay.engine.quiche.NativeQuic;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;

/**
 * The start-up work of every relayed fetch that does not depend on its options, begun on a second thread while the
 * main thread is still in picocli (~90 ms that no class-data archive can shorten: picocli is Java 5 bytecode, which
 * the JVM's archives refuse). On a machine with a second core this takes ~80 ms off a fresh process's fetch
 * (docs/benchmark.md). Nothing here has an effect the fetch could see: it only loads and initialises what the fetch
 * loads and initialises a moment later, and whatever fails here fails again there, where it is reported.
 */
final class WarmUp {
    private WarmUp() {}

    static void start() {
        Thread.ofPlatform().daemon().name("relay-client-warm-up").start(WarmUp::run);
    }

    private static void run() {
        try {
            // Netty's platform probing, then the quiche + BoringSSL library and the epoll transport's: ~50 ms cold.
            NativeQuic.isAvailable();
            io.netty.channel.epoll.Epoll.isAvailable();
            // The relay's certificate is checked by the JDK; a P-256 (ECDSA) chain needs the curve's precomputed
            // tables, built in Java on first use (~50 ms when cold). Making a key pair builds them.
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(256);
            ec.generateKeyPair();
        } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
            // Only a head start: the fetch does the same work again and reports what fails.
        }
    }
}
