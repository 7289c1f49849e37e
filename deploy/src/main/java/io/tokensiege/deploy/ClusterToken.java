package io.tokensiege.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cluster token the user gave, from {@code --token-file} or {@code TOKENSIEGE_TOKEN}; {@code value} is
 * null when none was given. There is no built-in fallback: a coordinator without one generates a random
 * token for this machine ({@link LoopbackToken}) and holds everything to loopback (docs/design.md §9).
 */
record ClusterToken(String value, boolean given) {
    static final int MIN_LENGTH = 16;

    static ClusterToken resolve(Path file) throws IOException {
        if (file != null) {
            String t;
            try {
                t = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (java.nio.file.NoSuchFileException e) {
                throw new InvalidInput("--token-file " + file + ": no such file; write one with e.g. 'openssl rand -hex 32 > " + file
                        + "' and give the same file to the coordinator and every worker");
            } catch (java.nio.file.AccessDeniedException e) {
                throw new InvalidInput("--token-file " + file + ": not readable by this user; check its owner and mode (chmod 600, owned by the user running tokensiege)");
            } catch (java.nio.charset.MalformedInputException e) {
                throw new InvalidInput("--token-file " + file + ": not UTF-8 text; a token is one line, e.g. from 'openssl rand -hex 32'");
            } catch (IOException e) {
                throw new InvalidInput("--token-file " + file + ": cannot be read (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
            }
            if (t.length() < MIN_LENGTH) throw new InvalidInput("the token in " + file + " is shorter than " + MIN_LENGTH
                    + " characters; use e.g. 'openssl rand -hex 32'");
            return new ClusterToken(t, true);
        }
        return fromEnv(System.getenv("TOKENSIEGE_TOKEN"));
    }

    /** The same rule as the file's: a short token falls to an offline guess from any signed message captured on the LAN. */
    static ClusterToken fromEnv(String env) {
        if (env == null || env.isBlank()) return new ClusterToken(null, false);
        if (env.strip().length() < MIN_LENGTH) throw new InvalidInput("TOKENSIEGE_TOKEN is shorter than " + MIN_LENGTH
                + " characters; use e.g. 'openssl rand -hex 32'");
        return new ClusterToken(env.strip(), true);
    }
}
