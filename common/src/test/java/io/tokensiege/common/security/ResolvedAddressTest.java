package io.tokensiege.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ResolvedAddressTest {
    @Test
    void loopbackNamesAndLiterals_areLoopback_andBindToTheirLiteral() {
        assertThat(ResolvedAddress.resolve("127.0.0.1").isLoopback()).isTrue();
        assertThat(ResolvedAddress.resolve("127.0.0.1").literal()).isEqualTo("127.0.0.1");
        ResolvedAddress localhost = ResolvedAddress.resolve("localhost");
        assertThat(localhost.isLoopback()).isTrue();
        assertThat(localhost.literal()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(ResolvedAddress.resolve("::1").isLoopback()).isTrue();
    }

    @Test
    void aNameThatLooksLikeLoopback_isJudgedByWhereItResolves() throws Exception {
        // What "127.evil.test" resolved to in the attack: a name starting with "127." pointing off loopback.
        ResolvedAddress evil = new ResolvedAddress("127.evil.test", InetAddress.getByAddress("127.evil.test", new byte[] {10, 77, 0, 1}));
        assertThat(evil.isLoopback()).isFalse();
        assertThat(evil.literal()).isEqualTo("10.77.0.1");
    }

    @Test
    void anAddressOffLoopback_isNotLoopback() {
        assertThat(ResolvedAddress.resolve("10.0.0.1").isLoopback()).isFalse();
    }

    @Test
    void aNameThatDoesNotResolve_isRefused_withWhatToGiveInstead() {
        assertThatThrownBy(() -> ResolvedAddress.resolve("no-such-host.invalid")).hasMessageContaining("cannot resolve 'no-such-host.invalid'")
                .hasMessageContaining("IP address");
    }
}
