package io.tokensiege.simulator.http;

import io.tokensiege.simulator.profile.FaultConfig;
import java.util.SplittableRandom;

/**
 * The one fault (or none) a request gets: from its {@code x-sim-fault} header if present, else drawn
 * from the profile's shares with a generator seeded by the profile seed and the request id.
 *
 * <p>Header forms: {@code 500}, {@code 429}, {@code drop:N} (close after N tokens), {@code malformed:N}
 * (token N's event is broken JSON), {@code stall:N:MS} (token N is held back MS ms), {@code empty} (a
 * well-formed stream with no generated token), {@code stream_error:N} (an {@code error} event inside the
 * 200 stream after N tokens, then the end, as llama.cpp's chat parser failure), {@code none}.
 */
public record FaultPlan(Kind kind, int atToken, long stallMs) {
    public enum Kind { NONE, HTTP_500, HTTP_429, DROP, MALFORMED, STALL, EMPTY, STREAM_ERROR }

    public static final FaultPlan NONE = new FaultPlan(Kind.NONE, 0, 0);

    public static FaultPlan fromHeader(String header) {
        String[] p = header.trim().toLowerCase().split(":");
        try {
            return switch (p[0]) {
                case "none" -> NONE;
                case "500" -> new FaultPlan(Kind.HTTP_500, 0, 0);
                case "429" -> new FaultPlan(Kind.HTTP_429, 0, 0);
                case "empty" -> new FaultPlan(Kind.EMPTY, 0, 0);
                case "drop" -> new FaultPlan(Kind.DROP, Integer.parseInt(p[1]), 0);
                case "malformed" -> new FaultPlan(Kind.MALFORMED, Integer.parseInt(p[1]), 0);
                case "stall" -> new FaultPlan(Kind.STALL, Integer.parseInt(p[1]), Long.parseLong(p[2]));
                case "stream_error" -> new FaultPlan(Kind.STREAM_ERROR, Integer.parseInt(p[1]), 0);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("x-sim-fault '" + header
                    + "' is not one of: none, 500, 429, empty, drop:N, malformed:N, stall:N:MS, stream_error:N");
        }
    }

    public static FaultPlan draw(FaultConfig config, long seed, long requestId) {
        SplittableRandom random = new SplittableRandom(seed * 31 + requestId);
        double r = random.nextDouble();
        if ((r -= config.error500Share()) < 0) return new FaultPlan(Kind.HTTP_500, 0, 0);
        if ((r -= config.dropShare()) < 0) return new FaultPlan(Kind.DROP, config.dropAfterTokens(), 0);
        if ((r -= config.malformedShare()) < 0) return new FaultPlan(Kind.MALFORMED, config.malformedAtToken(), 0);
        if ((r -= config.stallShare()) < 0) return new FaultPlan(Kind.STALL, config.stallAtToken(), config.stallMs());
        // Drawn last, so a profile without it draws every other fault exactly as before.
        if ((r - config.streamErrorShare()) < 0) return new FaultPlan(Kind.STREAM_ERROR, config.streamErrorAfterTokens(), 0);
        return NONE;
    }

    public String label() {
        return switch (kind) {
            case NONE -> "none";
            case HTTP_500 -> "500";
            case HTTP_429 -> "429";
            case DROP -> "drop:" + atToken;
            case MALFORMED -> "malformed:" + atToken;
            case STALL -> "stall:" + atToken + ":" + stallMs;
            case EMPTY -> "empty";
            case STREAM_ERROR -> "stream_error:" + atToken;
        };
    }
}
