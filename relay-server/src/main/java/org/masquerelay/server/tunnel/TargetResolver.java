package org.masquerelay.server.tunnel;

import org.masquerelay.wire.Refusal;
import org.masquerelay.policy.PolicyDecision;
import org.masquerelay.policy.RelayPolicy;
import org.masquerelay.wire.ProxyError;
import org.masquerelay.wire.Target;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns a CONNECT target into the addresses the relay may reach: domain policy on the name, DNS (the relay resolves
 * names itself: Apple's client sends host names when it synthesises DNS answers), then the address policy on every
 * resolved address, so a permitted name that resolves to a private address is still refused.
 */
public final class TargetResolver {
    private final RelayPolicy policy;

    public TargetResolver(RelayPolicy policy) {
        this.policy = policy;
    }

    /** The permitted addresses in resolver order (RFC 6724 preference), never empty. */
    public List<InetAddress> resolve(Target target, Duration timeout) throws Refusal {
        PolicyDecision nameDecision = policy.checkName(target.host());
        if (!nameDecision.allowed()) {
            throw nameDecision.refusal();
        }
        List<InetAddress> resolved = lookUp(target, timeout);
        List<InetAddress> permitted = new ArrayList<>();
        PolicyDecision firstDenial = null;
        for (InetAddress address : resolved) {
            PolicyDecision decision = policy.checkAddress(address, target.port());
            if (decision.allowed()) {
                permitted.add(address);
            } else if (firstDenial == null) {
                firstDenial = decision;
            }
        }
        if (permitted.isEmpty()) {
            throw firstDenial.refusal();
        }
        return permitted;
    }

    private static List<InetAddress> lookUp(Target target, Duration timeout) throws Refusal {
        Optional<InetAddress> literal = target.inetAddress();
        if (literal.isPresent()) {
            // A literal is parsed (when the request was), never looked up.
            return List.of(literal.get());
        }
        // The JDK resolver has no timeout of its own: run it on a virtual thread and stop waiting at the deadline.
        CompletableFuture<InetAddress[]> lookup = new CompletableFuture<>();
        Thread.ofVirtual().name("dns-" + target.host()).start(() -> {
            try {
                lookup.complete(InetAddress.getAllByName(target.host()));
            } catch (UnknownHostException | RuntimeException e) {
                lookup.completeExceptionally(e);
            }
        });
        try {
            return List.of(lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new Refusal(504, ProxyError.DNS_TIMEOUT, "no DNS answer for " + target.host() + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            var exhausted = ResourceExhaustion.of(e.getCause());
            if (exhausted.isPresent()) {
                throw exhausted.get();
            }
            throw new Refusal(502, ProxyError.DNS_ERROR, "cannot resolve " + target.host() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refusal(503, ProxyError.PROXY_INTERNAL_ERROR, "interrupted while resolving " + target.host());
        }
    }
}
