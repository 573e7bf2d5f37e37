package org.masquerelay.server.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for mistyped keys: catches camelCase/snake_case spellings and small typos. */
final class Suggestions {

    private Suggestions() {
    }

    /** The known key closest to {@code typed}, or null when none is close enough to be a likely typo. */
    static String closest(String typed, Collection<String> known) {
        String normTyped = normalise(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            if (normalise(k).equals(normTyped)) {
                return k;
            }
            int d = distance(typed.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        // A third of the length, at least 1 and at most 3 edits: "tls-cert" -> nothing, "certficate" -> "certificate".
        int allowed = Math.max(1, Math.min(3, typed.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    private static String normalise(String key) {
        return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Levenshtein edit distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
