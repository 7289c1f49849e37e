package io.tokensiege.coordinator.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {
    private static final String CSRF = "0123456789abcdef0123456789abcdef";
    private final CrossSiteGuard loopback = new CrossSiteGuard(true, "127.0.0.1", CSRF);
    private final CrossSiteGuard lan = new CrossSiteGuard(false, "192.168.1.10", CSRF);

    @Test
    void aCrossSiteTextPlainPost_isRefused_onEveryAddress() {
        for (CrossSiteGuard g : new CrossSiteGuard[] {loopback, lan}) {
            String host = g == loopback ? "127.0.0.1:8080" : "192.168.1.10:8080";
            assertThat(g.check("POST", "/api/runs", host, "http://evil.example", "text/plain").status()).isEqualTo(403);
            assertThat(g.check("POST", "/api/runs", host, null, "text/plain").status()).isEqualTo(415);
            assertThat(g.check("POST", "/api/runs", host, null, "application/x-www-form-urlencoded").status()).isEqualTo(415);
            assertThat(g.check("POST", "/api/runs", host, null, null).status()).isEqualTo(415);
            assertThat(g.check("POST", "/api/runs", host, "null", "application/yaml").status()).isEqualTo(403);
        }
    }

    @Test
    void thePlanClient_andSameOriginRequests_pass() {
        assertThat(loopback.check("POST", "/api/runs", "127.0.0.1:8080", null, "application/yaml")).isNull();
        assertThat(loopback.check("POST", "/api/runs", "localhost:8080", "http://localhost:8080", "application/json; charset=utf-8")).isNull();
        assertThat(lan.check("POST", "/api/runs", "coord.lan:8080", "http://coord.lan:8080", "application/x-yaml")).isNull();
        assertThat(lan.check("POST", "/login", "coord.lan:8080", "http://coord.lan:8080", "application/x-www-form-urlencoded")).isNull();
        assertThat(lan.check("POST", "/login", "coord.lan:8080", "http://evil.example", "application/x-www-form-urlencoded").status()).isEqualTo(403);
        assertThat(lan.check("GET", "/", "coord.lan:8080", "http://evil.example", null)).isNull(); // a read: SameSite and the token guard it
    }

    @Test
    void onLoopback_aRequestForAnotherHostName_isRefused_evenARead() {
        assertThat(loopback.check("GET", "/", "evil.example:8080", null, null).status()).isEqualTo(403);
        assertThat(loopback.check("GET", "/", null, null, null).status()).isEqualTo(403);
        assertThat(loopback.check("GET", "/", "127.0.0.1:8080", null, null)).isNull();
        assertThat(loopback.check("GET", "/", "[::1]:8080", null, null)).isNull();
        assertThat(loopback.check("GET", "/", "LOCALHOST:8080", null, null)).isNull();
    }

    @Test
    void thePagesStartAndStopForms_passTheTypeRule_onlyAsFormsFromThisOrigin_andThenOnlyWithTheCsrfToken() {
        for (String form : new String[] {"/ui/runs", "/ui/runs/stop"}) {
            assertThat(lan.check("POST", form, "coord.lan:8080", "http://coord.lan:8080", "application/x-www-form-urlencoded")).isNull();
            assertThat(lan.check("POST", form, "coord.lan:8080", "http://evil.example", "application/x-www-form-urlencoded").status()).isEqualTo(403);
            assertThat(lan.check("POST", form, "coord.lan:8080", null, "text/plain").status()).isEqualTo(415);
            assertThat(lan.check("POST", form, "coord.lan:8080", null, "multipart/form-data; boundary=x").status()).isEqualTo(415);
        }
        // any other path still refuses a form: only these two forms (and sign-in) may be forms
        assertThat(lan.check("POST", "/ui/other", "coord.lan:8080", null, "application/x-www-form-urlencoded").status()).isEqualTo(415);
        assertThat(lan.checkCsrf(CSRF)).isNull();
        assertThat(lan.checkCsrf(null).status()).isEqualTo(403);
        assertThat(lan.checkCsrf("").status()).isEqualTo(403);
        assertThat(lan.checkCsrf(CSRF.substring(1) + "0").status()).isEqualTo(403);
    }
}
