package io.tokensiege.common.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A host given on the command line ({@code --bind}, {@code --http}, {@code --join}), resolved once: the
 * resolved address is what is judged (loopback or not), and its literal is what gets bound or connected
 * to. So {@code 127.evil.test}, a name that merely starts like a loopback address, is judged by where it
 * really points.
 */
public record ResolvedAddress(String given, InetAddress address) {

    /** Resolves {@code host} (a name or a literal; IPv6 may be bracketed); the message of a failure says what to give instead. */
    public static ResolvedAddress resolve(String host) {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("no address given; give a host name or an IP address such as 127.0.0.1");
        try {
            return new ResolvedAddress(host, InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve '" + host + "' to an address; give an IP address such as 127.0.0.1 or 192.168.1.10");
        }
    }

    /** True when the resolved address is a loopback address (127.0.0.0/8 or ::1), whatever the name looked like. */
    public boolean isLoopback() {
        return address.isLoopbackAddress();
    }

    /** The resolved address as a literal (no DNS name), the form to bind to. */
    public String literal() {
        return address.getHostAddress();
    }
}
