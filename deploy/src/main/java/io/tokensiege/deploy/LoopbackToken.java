package io.tokensiege.deploy;

import io.tokensiege.common.protocol.SecretBox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The token of a coordinator started without one: random, generated on its first start, and kept in
 * {@code ~/.tokensiege/loopback-PORT.token} (directory 0700, file 0600) so that a worker of the same user on
 * the same machine, started with {@code --join 127.0.0.1[:PORT]} and no token, reads it from there. The
 * coordinator reuses the file on restart (its workers then register again by themselves); delete the file
 * to rotate the token. Such a coordinator binds loopback only, so the token never has to leave the machine.
 */
final class LoopbackToken {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private LoopbackToken() {}

    static Path path(int clusterPort) {
        return Path.of(System.getProperty("user.home"), ".tokensiege", "loopback-" + clusterPort + ".token");
    }

    /** The coordinator's side: the token in the file when it is private to this user, else a new one written there. */
    static String createOrReuse(int clusterPort) throws IOException {
        Path file = path(clusterPort);
        if (isPrivate(file)) {
            String existing = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (existing.length() >= 16) return existing;
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        restrict(dir, PosixFilePermissions.fromString("rwx------"));
        String token = SecretBox.randomToken();
        Path tmp = Files.createTempFile(dir, "loopback-", ".tmp");
        restrict(tmp, OWNER_ONLY);
        Files.writeString(tmp, token, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return token;
    }

    /** The worker's side: the token a token-less coordinator on this machine wrote, or an error saying what to do. */
    static String read(int clusterPort) throws IOException {
        Path file = path(clusterPort);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("no cluster token given, and no token-less coordinator on port " + clusterPort + " of this machine left one in "
                    + file + " (is it running, under this user?); otherwise give --token-file F (or TOKENSIEGE_TOKEN)");
        }
        if (!isPrivate(file)) {
            throw new IllegalArgumentException(file + " is not a private file of this user (mode 0600, no symlink): refusing its token; delete it and restart the coordinator");
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** A regular file (not a link) owned by this user and readable by nobody else. */
    private static boolean isPrivate(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return false;
        try {
            var attributes = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.owner().getName().equals(System.getProperty("user.name")) && OWNER_ONLY.containsAll(attributes.permissions());
        } catch (UnsupportedOperationException notPosix) {
            return true; // no POSIX permissions to check here (Windows): the home folder's own protection applies
        }
    }

    private static void restrict(Path p, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, permissions);
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the home folder's own protection applies
        }
    }
}
