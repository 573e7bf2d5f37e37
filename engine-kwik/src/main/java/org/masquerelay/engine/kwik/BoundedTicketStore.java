package org.masquerelay.engine.kwik;

import tech.kwik.agent15.TlsConstants;
import tech.kwik.agent15.engine.TlsServerEngineFactory;
import tech.kwik.agent15.engine.TlsSession;
import tech.kwik.agent15.engine.TlsSessionRegistry;
import tech.kwik.agent15.engine.impl.TlsSessionRegistryImpl;
import tech.kwik.agent15.engine.impl.TlsState;
import tech.kwik.agent15.extension.ClientHelloPreSharedKeyExtension;
import tech.kwik.agent15.handshake.NewSessionTicketMessage;
import tech.kwik.core.server.ServerConnector;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;

/**
 * A session-ticket store with a bound (docs/upstream.md). agent15's server keeps every ticket it issues (~1.8 KB
 * each) for 24 hours with no cap: a client making handshakes in a loop fills the heap. This store issues a ticket only
 * while fewer than {@code max} were issued within the ticket lifetime (2 hours instead of 24), so it never holds more
 * than {@code max}; past it a client simply gets no ticket and its next connection makes a full handshake.
 *
 * <p>Kwik has no setting for the store: it is put in place of agent15's own in the connector's TLS engine factory
 * (reflection on the pinned Kwik 0.10.8, checked at start-up with a clear error).
 */
final class BoundedTicketStore implements TlsSessionRegistry {
    private static final System.Logger LOG = System.getLogger(BoundedTicketStore.class.getName());
    static final Duration LIFETIME = Duration.ofHours(2);

    private final TlsSessionRegistry tickets = new TlsSessionRegistryImpl((int) LIFETIME.toSeconds());
    private final int max;
    private final ArrayDeque<Long> issued = new ArrayDeque<>();
    private long withheld;

    BoundedTicketStore(int max) {
        this.max = max;
    }

    /** Puts a store of at most {@code max} tickets into the connector, in place of agent15's unbounded one. */
    static void install(ServerConnector connector, int max) {
        try {
            Field factoryField = connector.getClass().getDeclaredField("tlsEngineFactory");
            factoryField.setAccessible(true);
            TlsServerEngineFactory factory = (TlsServerEngineFactory) factoryField.get(connector);
            Field registryField = TlsServerEngineFactory.class.getDeclaredField("tlsSessionRegistry");
            registryField.setAccessible(true);
            TlsSessionRegistry original = (TlsSessionRegistry) registryField.get(factory);
            registryField.set(factory, new BoundedTicketStore(max));
            original.shutdown();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot bound Kwik's session-ticket store (this build expects Kwik 0.10.8 /"
                    + " agent15 3.1): " + e, e);
        }
    }

    @Override
    public NewSessionTicketMessage createNewSessionTicketMessage(byte ticketNumber, TlsConstants.CipherSuite cipher,
                                                                 TlsState state, String alpn) {
        return admit() ? tickets.createNewSessionTicketMessage(ticketNumber, cipher, state, alpn) : null;
    }

    @Override
    public NewSessionTicketMessage createNewSessionTicketMessage(byte ticketNumber, TlsConstants.CipherSuite cipher,
                                                                 TlsState state, String alpn, Long maxEarlyData,
                                                                 byte[] data) {
        return admit() ? tickets.createNewSessionTicketMessage(ticketNumber, cipher, state, alpn, maxEarlyData, data)
                : null;
    }

    /** Whether one more ticket keeps the store within its bound; agent15 sends no ticket for a null message. */
    private synchronized boolean admit() {
        long now = System.nanoTime();
        while (!issued.isEmpty() && now - issued.peekFirst() > LIFETIME.toNanos()) {
            issued.pollFirst();
        }
        if (issued.size() >= max) {
            if (withheld++ % 10_000 == 0) {
                LOG.log(INFO, "session tickets: {0} issued in the last {1} h, no more until they expire ({2} withheld)",
                        max, LIFETIME.toHours(), withheld);
            }
            return false;
        }
        issued.addLast(now);
        return true;
    }

    @Override
    public Integer selectIdentity(List<ClientHelloPreSharedKeyExtension.PskIdentity> identities,
                                  TlsConstants.CipherSuite cipher) {
        return tickets.selectIdentity(identities, cipher);
    }

    @Override
    public TlsSession useSession(ClientHelloPreSharedKeyExtension.PskIdentity identity) {
        return tickets.useSession(identity);
    }

    @Override
    public byte[] peekSessionData(ClientHelloPreSharedKeyExtension.PskIdentity identity) {
        return tickets.peekSessionData(identity);
    }

    @Override
    public void shutdown() {
        tickets.shutdown();
    }
}
