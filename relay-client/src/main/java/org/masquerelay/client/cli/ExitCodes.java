package org.masquerelay.client.cli;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.RelayException;
import org.masquerelay.client.RelayTimeoutException;
import org.masquerelay.client.RelayTrustException;
import org.masquerelay.client.RelayUnreachableException;
import org.masquerelay.client.TargetUnreachableException;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.fetch.TargetException;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The CLI's exit codes. Each means what curl's code of the same number means (curl's man page, "EXIT CODES"), so a
 * script written for curl reads ours right: the relay plays curl's proxy, the URL's server curl's host. Where the
 * relay says why it refused (its status and Proxy-Status), the message says it and {@code -w '%{http_connect}'}
 * prints the status.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** curl 1: unsupported protocol; also any failure not listed here. */
    public static final int OTHER = 1;
    /** curl 2: failed to initialise — a usage error. */
    public static final int USAGE = 2;
    /** curl 3: malformed URL. */
    public static final int MALFORMED_URL = 3;
    /** curl 5: could not resolve the proxy — the relay's name. */
    public static final int RESOLVE_PROXY = 5;
    /** curl 6: could not resolve the host — the target's name (for the relay: Proxy-Status dns_error). */
    public static final int RESOLVE_HOST = 6;
    /** curl 7: could not connect to the relay or the target (for the relay: connection_refused). */
    public static final int CONNECT = 7;
    /** curl 23: writing the output (-o) failed. */
    public static final int WRITE_ERROR = 23;
    /** curl 26: reading a local file (-d @file) failed. */
    public static final int READ_ERROR = 26;
    /** curl 28: timeout. */
    public static final int TIMEOUT = 28;
    /** curl 35: the TLS handshake failed (other than over the peer's certificate). */
    public static final int TLS_HANDSHAKE = 35;
    /** curl 45: a local address could not be used — proxy: cannot listen there. */
    public static final int LOCAL_ADDRESS = 45;
    /** curl 52: the server sent nothing. */
    public static final int EMPTY_REPLY = 52;
    /** curl 56: failure receiving data. */
    public static final int RECEIVE = 56;
    /** curl 60: the peer's certificate is not trusted. */
    public static final int CERTIFICATE = 60;
    /** curl 97: proxy handshake error — the relay refused the tunnel. */
    public static final int PROXY_REFUSED = 97;

    /** The exit codes of {@code fetch}, for its help and the README. */
    public static final String FETCH_HELP = """
            Exit codes (curl's numbers and meanings; the relay is curl's proxy):
              0  success (whatever HTTP status the target answered)
              1  unsupported URL scheme, or another failure
              2  usage error
              3  malformed URL
              5  the relay's name did not resolve
              6  the target's name did not resolve (relay: dns_error)
              7  could not connect to the relay (nothing listening) or
                 to the target (relay: connection_refused)
             23  cannot write the output file (-o)
             26  cannot read the request body file (-d @file)
             28  timeout: --connect-timeout, --max-time, no answer to the
                 tunnel request, or the relay's connection_timeout
             35  TLS handshake failed (e.g. the relay wants a client
                 certificate)
             52  the target closed the connection without a response
             56  the response broke off (reset, connection lost)
             60  certificate not trusted (the relay's or an https://
                 target's); the message names the problem
             97  the relay refused the tunnel: 407/401 credentials, 403
                 policy, another 4xx/5xx, or a reset before any answer
                 (the message has the Proxy-Status; -w '%%{http_connect}'
                 prints the relay's status)""";

    /**
     * The exit codes of {@code proxy}: it stops only while starting, and only for what will not get better by itself
     * (a relay that does not answer yet is a warning: each new connection tries again).
     */
    public static final String PROXY_HELP = """
            Exit codes (curl's numbers):
              0  stopped (Ctrl-C)
              2  usage error
              5  the relay's name did not resolve
             35  TLS handshake with the relay failed
             45  cannot listen on a --socks5 or --http address (in use)
             60  the relay's certificate is not trusted""";

    private ExitCodes() {}

    /** A failure, typed for the exit code, with the one-line message to print. */
    public record Outcome(int code, String message) {}

    public static Outcome of(Throwable e) {
        Throwable t = unwrap(e);
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return switch (t) {
            case RelayUnreachableException x -> new Outcome(switch (x.reason()) {
                case NAME_NOT_RESOLVED -> RESOLVE_PROXY;
                case NO_ANSWER -> TIMEOUT;
                case CANNOT_CONNECT -> CONNECT;
            }, "relay unreachable: " + m);
            case RelayTrustException x -> new Outcome(x.relayCertificateRejected() ? CERTIFICATE : TLS_HANDSHAKE, m);
            case AuthenticationException x -> new Outcome(PROXY_REFUSED, "authentication refused: " + m);
            case TunnelRefusedException x -> new Outcome(PROXY_REFUSED, "policy refused: " + m);
            case TargetUnreachableException x -> new Outcome(targetCode(x.proxyError()), "target failure: " + m);
            case RelayTimeoutException x -> new Outcome(TIMEOUT, "timeout: " + m);
            case RelayException x -> new Outcome(PROXY_REFUSED, "relay error: " + m);
            case TargetException x -> switch (x.kind()) {
                case UNTRUSTED -> new Outcome(CERTIFICATE, m);
                case TLS_HANDSHAKE -> new Outcome(TLS_HANDSHAKE, m);
                case EMPTY_REPLY -> new Outcome(EMPTY_REPLY, "target failure: " + m);
                case RECEIVE -> new Outcome(RECEIVE, "target failure: " + m);
            };
            case LocalFileException x -> new Outcome(x.code, m);
            case Failure x -> new Outcome(x.code, m);
            case SocketTimeoutException x -> new Outcome(TIMEOUT, "timeout: " + m);
            case UnknownHostException x -> new Outcome(RESOLVE_HOST, "cannot resolve the host " + m);
            case ConnectException x -> new Outcome(CONNECT, "cannot connect: " + m);
            case NoRouteToHostException x -> new Outcome(CONNECT, "cannot connect: " + m);
            case SSLHandshakeException x -> new Outcome(m.toLowerCase(Locale.ROOT).contains("certificat") ? CERTIFICATE
                    : TLS_HANDSHAKE, "TLS failure with the target: " + m);
            case IllegalArgumentException x -> new Outcome(USAGE, m);
            default -> new Outcome(OTHER, "error: " + m);
        };
    }

    /** The relay could not reach the target: what its Proxy-Status error says, in curl's terms. */
    static int targetCode(String proxyError) {
        if (proxyError == null) {
            return PROXY_REFUSED;
        }
        return switch (proxyError) {
            case "dns_error", "destination_not_found" -> RESOLVE_HOST;
            case "dns_timeout", "connection_timeout", "connection_read_timeout", "connection_write_timeout",
                 "http_response_timeout" -> TIMEOUT;
            case "connection_refused", "destination_unavailable", "destination_ip_unroutable" -> CONNECT;
            case "connection_terminated" -> RECEIVE;
            default -> PROXY_REFUSED;
        };
    }

    /** The typed cause, when a TLS layer or an executor wrapped it. */
    static Throwable unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RelayException || t instanceof TargetException || t instanceof LocalFileException
                    || t instanceof Failure) {
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

    /** A local file could not be read (curl 26) or written (curl 23). */
    public static final class LocalFileException extends IOException {
        final int code;

        LocalFileException(int code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }
    }

    /** A failure found before any connection (a URL, a missing relay), with its code. */
    public static final class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message);
            this.code = code;
        }
    }
}
