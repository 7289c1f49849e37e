package io.tokensiege.common.plan;

import java.util.List;
import java.util.Locale;

/** "Did you mean ...?" for a plan's misspelt keys and values: the valid word within typo distance, by edit distance. */
public final class Typos {
    private Typos() {}

    /** For a wrong key: the likely one meant, or else the valid ones. */
    static String hint(String wrong, List<String> valid) {
        String best = nearest(wrong, valid);
        return best != null ? "did you mean '" + best + "'?" : "valid keys here: " + String.join(", ", valid);
    }

    /** For a wrong value whose valid ones the message already lists: the likely one meant, or null. */
    public static String valueHint(String wrong, List<String> valid) {
        String best = nearest(wrong, valid);
        return best == null ? null : "did you mean '" + best + "'?";
    }

    /** The valid word closest to {@code wrong}, when it is close enough to be a typo; else null. */
    static String nearest(String wrong, List<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String lower = wrong.length() > 100 ? wrong.substring(0, 100).toLowerCase(Locale.ROOT) : wrong.toLowerCase(Locale.ROOT);
        for (String v : valid) {
            int d = levenshtein(lower, v);
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        return best != null && bestDistance <= Math.max(2, wrong.length() / 3) ? best : null;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
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
