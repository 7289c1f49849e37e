package io.tokensiege.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.json.Json;
import org.junit.jupiter.api.Test;

/** What a hostile server writes reaches a terminal as visible text, never as a control sequence. */
class PrintableTest {
    @Test
    void escapeSequences_areShown_notObeyed_andLineBreaksBecomeSpaces() {
        String hostile = "oops \u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[31mFAKE: MEETS the SLO\r\nnext\u009b1m \u202Eevil";
        String shown = Printable.of(hostile);
        assertThat(shown).isEqualTo("oops \\u001B]52;c;ZXZpbA==\\u0007\\u001B[2J\\u001B[31mFAKE: MEETS the SLO  next\\u009B1m \\u202Eevil");
        assertThat(shown.chars()).allMatch(c -> c >= 0x20 && c != 0x7F);
        assertThat(Printable.of("plain text, café, 日本")).isEqualTo("plain text, café, 日本");
    }

    @Test
    void jsonWhoseStringsWouldDecodeToControls_keepsThemSpelledOut_andStaysValidJson() throws Exception {
        String json = "{\"id\":\"m\\u001b[2J\",\"owned_by\":\"x\\n\\u202E\",\"ok\":\"caf\\u00e9\"}";
        String safe = Printable.ofPage(json);
        var tree = Json.MAPPER.readTree(safe);
        assertThat(tree.get("id").asText()).isEqualTo("m\\u001B[2J");
        assertThat(tree.get("owned_by").asText()).isEqualTo("x\n\\u202E"); // a JSON \n escape is a line break, which the printer turns into a space
        assertThat(tree.get("ok").asText()).isEqualTo("café");
        assertThat(Printable.ofPage("# HELP x\nx 1\n\u001b[2J")).isEqualTo("# HELP x\nx 1\n\\u001B[2J"); // metrics keep their lines
    }
}
