package io.tokensiege.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Secrets leave no trace in a text, whole or cut inside them; short values and unrelated text are left alone. */
class RedactorTest {
    private static final String KEY = "sk-LEAKME-7f3a9c2e5b1d4e6f8a0b";
    private final Redactor redactor = Redactor.of(KEY, "cluster-token-0123456789");

    @Test
    void aWholeSecret_isMasked_whereverItStands() {
        assertThat(redactor.redact("k=" + KEY + " and again " + KEY + "!")).isEqualTo("k=[REDACTED] and again [REDACTED]!");
    }

    @Test
    void aTextCutInsideASecret_hasItsEndMasked_leavingAtMostThreeOfItsFirstCharacters() {
        String sample = ("k=" + KEY + " k=" + KEY).substring(0, 50); // an 80-character sample's cut, in small
        assertThat(redactor.redact(sample)).isEqualTo("k=[REDACTED] k=[REDACTED]");
        assertThat(redactor.redact("answer: sk-LEAKM")).isEqualTo("answer: [REDACTED]");
        assertThat(redactor.redact("answer: sk-LEAK")).as("seven characters say little").isEqualTo("answer: sk-LEAK");
        assertThat(redactor.redact("the id is cluster-")).isEqualTo("the id is [REDACTED]");
        assertThat(Redactor.of("token-abc123").redact("the last token")).as("a short key: half of it, not 'toke'").isEqualTo("the last token");
        assertThat(Redactor.of("token-abc123").redact("id token-a")).isEqualTo("id [REDACTED]");
    }

    @Test
    void aSecretWrittenAsJsonEscapes_isMaskedAfterDecoding_inNamesAndValues() throws Exception {
        StringBuilder escaped = new StringBuilder();
        for (char c : ("Bearer " + KEY).toCharArray()) escaped.append(String.format("\\u%04x", (int) c));
        String body = "{\"data\":[{\"id\":\"m\",\"owned_by\":\"" + escaped + "\",\"" + escaped + "\":1}],\"n\":2}";
        assertThat(redactor.redact(body)).as("the raw text holds no key to find").isEqualTo(body);
        String safe = redactor.redactJson(body);
        assertThat(io.tokensiege.common.json.Json.MAPPER.readTree(safe).toString()).doesNotContain(KEY).contains("Bearer [REDACTED]");
        assertThat(io.tokensiege.common.json.Json.MAPPER.readTree(safe).at("/data/0/id").asText()).isEqualTo("m");
        assertThat(io.tokensiege.common.json.Json.MAPPER.readTree(safe).at("/n").asInt()).isEqualTo(2);
        assertThat(redactor.redactJson("not json: " + KEY)).isEqualTo("not json: [REDACTED]");
    }

    @Test
    void unrelatedText_andShortValues_areLeftAlone() {
        assertThat(redactor.redact("a plain answer about skies")).isEqualTo("a plain answer about skies");
        assertThat(Redactor.of("abc").redact("abc abc")).isEqualTo("abc abc");
        assertThat(redactor.redact(null)).isNull();
    }
}
