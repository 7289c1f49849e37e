package io.tokensiege.common.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * Where the coordinator announces itself when discovery is by multicast ({@code --multicast}):
 * an IPv4 multicast group and a UDP port, written {@code GROUP:PORT}.
 */
public record MulticastGroup(String group, int port) {
    /** Hazelcast's own default group and port for its multicast discovery. */
    public static final String DEFAULT = "224.2.2.3:54327";

    public MulticastGroup {
        InetAddress address;
        try {
            address = InetAddress.getByName(group);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + group + "' is not an address; give an IPv4 multicast group such as 224.2.2.3");
        }
        if (!address.isMulticastAddress()) {
            throw new IllegalArgumentException(group + " is not a multicast address; give one in 224.0.0.0/4, e.g. 224.2.2.3");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("multicast port " + port + " is outside 1..65535");
    }

    /** Parses {@code GROUP:PORT}; the message of a bad value says what to write instead. */
    public static MulticastGroup parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("--multicast takes GROUP:PORT, e.g. " + DEFAULT + "; got '" + text + "'");
        try {
            return new MulticastGroup(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--multicast takes GROUP:PORT with a numeric port, e.g. " + DEFAULT + "; got '" + text + "'");
        }
    }

    /**
     * The properties of Hazelcast's multicast discovery strategy, the same on the member and on the
     * clients. Safe serialization: announcements are decoded as member infos only, never as arbitrary
     * classes. Strings, because Hazelcast converts them itself and refuses an Integer for the port.
     */
    public Map<String, Comparable> discoveryProperties() {
        return Map.of("group", group, "port", String.valueOf(port), "safe-serialization", "true");
    }

    @Override
    public String toString() {
        return group + ":" + port;
    }
}
