package org.masquerelay.interop.report;

import org.masquerelay.interop.matrix.Case;
import org.masquerelay.interop.matrix.CaseResult;
import org.masquerelay.interop.matrix.VariantRunner.VariantResult;
import org.masquerelay.tools.apple.AppleProbe;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one {@code interop run} found: the matrix cells, the faulty-relay table and the same probe against our
 * relay over HTTP/3 and over HTTP/2 (null when variants were not run).
 */
public record RunReport(Instant started, long millis, List<Case> cases, List<CaseResult> cells,
                        List<VariantResult> variants, AppleProbe.Result ourRelayProbe, AppleProbe.Result ourRelayProbeH2) {

    /** Without the HTTP/2 probe of our relay. */
    public RunReport(Instant started, long millis, List<Case> cases, List<CaseResult> cells,
                     List<VariantResult> variants, AppleProbe.Result ourRelayProbe) {
        this(started, millis, cases, cells, variants, ourRelayProbe, null);
    }

    public Set<String> clients() {
        Set<String> names = new LinkedHashSet<>();
        cells.forEach(c -> names.add(c.client()));
        return names;
    }

    public Set<String> servers() {
        Set<String> names = new LinkedHashSet<>();
        cells.forEach(c -> names.add(c.server()));
        return names;
    }

    /** What a client row spoke to the relay (the transport of its cells). */
    public org.masquerelay.interop.matrix.Transport transportOf(String client) {
        return cells.stream().filter(c -> c.client().equals(client)).map(CaseResult::transport).findFirst()
                .orElse(org.masquerelay.interop.matrix.Transport.H3);
    }

    public Optional<CaseResult> cell(String client, String server, Case c) {
        return cells.stream().filter(r -> r.client().equals(client) && r.server().equals(server) && r.testCase() == c).findFirst();
    }

    public long count(CaseResult.Status status) {
        return cells.stream().filter(c -> c.status() == status).count();
    }

    public long variantMismatches() {
        return variants.stream().filter(v -> !v.matches()).count();
    }

    /** True when nothing failed: no ✕ cell, every variant as expected, our relay passes the probe. */
    public boolean ok() {
        return count(CaseResult.Status.FAIL) == 0 && variantMismatches() == 0
                && (ourRelayProbe == null || ourRelayProbe.reported().isSuccess())
                && (ourRelayProbeH2 == null || ourRelayProbeH2.reported().isSuccess());
    }
}
