package io.tokensiege.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetAllowListTest {
    private static TargetAllowList allow(String... patterns) {
        return TargetAllowList.parse(List.of(patterns));
    }

    @Test
    void userInfo_isRefusedOutright_evenWhenTheTextLooksAllowed() {
        TargetAllowList list = allow("http://127.0.0.1:*");
        assertThat(list.refusal("http://127.0.0.1:18005@127.0.0.2:18006/v1")).contains("user-info");
        assertThat(TargetAllowList.ANY.refusal("http://user:pw@gpu.lan:8000/v1")).contains("user-info");
        assertThat(list.refusal("http://127.0.0.1:18005/v1")).isNull();
    }

    @Test
    void portWildcard_matchesAnyPort_andWithoutAPortOnlyTheSchemesDefault() {
        assertThat(allow("http://10.0.0.5:*").refusal("http://10.0.0.5:8000/v1")).isNull();
        assertThat(allow("http://10.0.0.5:8000").refusal("http://10.0.0.5:8001/v1")).contains("not matched");
        assertThat(allow("http://10.0.0.5").refusal("http://10.0.0.5/v1")).isNull();
        assertThat(allow("http://10.0.0.5").refusal("http://10.0.0.5:8000/v1")).contains("not matched");
        assertThat(allow("https://gpu.example.com").refusal("https://gpu.example.com/v1")).isNull();
        assertThat(allow("*://gpu.lan").refusal("https://gpu.lan/v1")).isNull();
    }

    @Test
    void theScheme_mustMatch() {
        assertThat(allow("https://gpu.lan:*").refusal("http://gpu.lan:8000/v1")).contains("not matched");
        assertThat(allow("http://gpu.lan:*").refusal("ftp://gpu.lan/v1")).contains("not http:// or https://");
    }

    @Test
    void aHostWildcard_staysWithinOneLabel_soAnotherDomainCannotHideBehindIt() {
        TargetAllowList list = allow("http://*.lan:*", "http://10.0.0.*:*");
        assertThat(list.refusal("http://GPU.lan:8000/v1")).isNull();
        assertThat(list.refusal("http://10.0.0.7:8000/v1")).isNull();
        assertThat(list.refusal("http://10.0.0.7.evil.example:8000/v1")).contains("not matched");
        assertThat(list.refusal("http://a.gpu.lan:8000/v1")).contains("not matched");
        assertThat(list.refusal("http://lan.evil.example:8000/v1")).contains("not matched");
        assertThat(allow("http://*:*").refusal("http://anything.example:1/v1")).isNull();
    }

    @Test
    void aBadPattern_isRefused_withTheFormToUse() {
        for (String bad : List.of("10.0.0.5", "http://10.0.0.5:80/v1", "http://user@10.0.0.5", "gopher://x", "http://10.0.0.5:99999")) {
            assertThatThrownBy(() -> allow(bad)).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.contains("99999") ? "1..65535" : "SCHEME://HOST[:PORT]");
        }
    }

    @Test
    void anEmptyList_allowsEveryHttpTarget() {
        assertThat(TargetAllowList.ANY.allowsAny()).isTrue();
        assertThat(TargetAllowList.ANY.refusal("http://anywhere:1/v1")).isNull();
    }
}
