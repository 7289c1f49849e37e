package io.tokensiege.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cluster token, from {@code --token-file} or {@code TOKENSIEGE_TOKEN}. Without one, everything is
 * held to loopback (DESIGN.md §9) and signs with a fixed development token that protects nothing.
 */
record ClusterToken(String value, boolean given) {
    static final String LOOPBACK_ONLY = "tokensiege-loopback-only-no-token";

    static ClusterToken resolve(Path file) throws IOException {
        if (file != null) {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.length() < 16) throw new IllegalArgumentException("the token in " + file + " is shorter than 16 characters; use e.g. 'openssl rand -hex 32'");
            return new ClusterToken(t, true);
        }
        String env = System.getenv("TOKENSIEGE_TOKEN");
        if (env != null && !env.isBlank()) return new ClusterToken(env.strip(), true);
        return new ClusterToken(LOOPBACK_ONLY, false);
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
