package org.masquerelay.client.cli;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTimeoutException;
import org.masquerelay.client.RelayTrustException;
import org.masquerelay.client.RelayUnreachableException;
import org.masquerelay.client.TargetUnreachableException;
import org.masquerelay.client.TunnelRefusedException;

import javax.net.ssl.SSLHandshakeException;
import java.net.SocketTimeoutException;

/** The CLI's exit codes: one per failure a script may want to tell apart, each with a one-line message. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int OTHER = 1;
    public static final int USAGE = 2;
    public static final int RELAY_UNREACHABLE = 3;
    public static final int TLS_TRUST = 4;
    public static final int AUTH_REFUSED = 5;
    public static final int POLICY_REFUSED = 6;
    public static final int TARGET_FAILURE = 7;
    public static final int TIMEOUT = 8;
    public static final int RELAY_ERROR = 9;

    /** The text of the help footer. */
    public static final String HELP = """
            Exit codes:
              0  success (whatever HTTP status the target answered)
              1  other error (local file, unexpected failure)
              2  usage error
              3  relay unreachable: no QUIC connection (nothing listening,
                 no answer, name not found)
              4  TLS trust failure: the relay's certificate (or an https://
                 target's) is not trusted; the message names the problem
              5  authentication refused by the relay (401/407)
              6  refused by the relay's policy (403), with the Proxy-Status
                 error and details
              7  target failure: the relay could not reach the target (5xx
                 with Proxy-Status), or the target broke the connection
              8  timeout (--max-time, or no answer to a tunnel request)
              9  other relay error: a 4xx/501 answer, or the CONNECT stream
                 reset before any answer (Apple's client: error 53)""";

    private ExitCodes() {}

    /** A failure, typed for the exit code, with the one-line message to print. */
    public record Outcome(int code, String message) {}

    public static Outcome of(Throwable e) {
        Throwable t = unwrap(e);
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return switch (t) {
            case RelayUnreachableException x -> new Outcome(RELAY_UNREACHABLE, "relay unreachable: " + m);
            case RelayTrustException x -> new Outcome(TLS_TRUST, m);
            case TargetTrustException x -> new Outcome(TLS_TRUST, m);
            case AuthenticationException x -> new Outcome(AUTH_REFUSED, "authentication refused: " + m);
            case TunnelRefusedException x -> new Outcome(POLICY_REFUSED, "policy refused: " + m);
            case TargetUnreachableException x -> new Outcome(TARGET_FAILURE, "target failure: " + m);
            case TargetException x -> new Outcome(TARGET_FAILURE, "target failure: " + m);
            case RelayTimeoutException x -> new Outcome(TIMEOUT, "timeout: " + m);
            case SocketTimeoutException x -> new Outcome(TIMEOUT, "timeout: " + m);
            case RelayException x -> new Outcome(RELAY_ERROR, "relay error: " + m);
            case SSLHandshakeException x -> new Outcome(TLS_TRUST, "TLS failure with the target: " + m);
            default -> new Outcome(OTHER, "error: " + m);
        };
    }

    /** The typed cause, when a TLS layer or an executor wrapped it. */
    static Throwable unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RelayException || t instanceof TargetTrustException || t instanceof TargetException) {
                return t;
            }
        }
        Throwable t = e;
        while ((t instanceof java.util.concurrent.ExecutionException || t instanceof java.io.UncheckedIOException
                || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The target's certificate was not trusted (fetch of an https:// URL). */
    public static final class TargetTrustException extends java.io.IOException {
        public TargetTrustException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The target misbehaved: no HTTP response, a broken one, a reset. */
    public static final class TargetException extends java.io.IOException {
        public TargetException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
