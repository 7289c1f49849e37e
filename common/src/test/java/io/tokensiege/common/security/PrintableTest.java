package io.tokensiege.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a hostile server writes reaches a terminal as visible text, never as a control sequence. */
class PrintableTest {
    @Test
    void escapeSequences_areShown_notObeyed_andLineBreaksBecomeSpaces() {
        String hostile = "oops \u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[31mFAKE: MEETS the SLO\r\nnext\u009b1m \u202Eevil";
        String shown = Printable.of(hostile);
        assertThat(shown).isEqualTo("oops \\u001B]52;c;ZXZpbA==\\u0007\\u001B[2J\\u001B[31mFAKE: MEETS the SLO next\\u009B1m \\u202Eevil");
        assertThat(shown.chars()).allMatch(c -> c >= 0x20 && c != 0x7F);
        assertThat(Printable.of("plain text, café, 日本, a \\u001b written out")).isEqualTo("plain text, café, 日本, a \\u001b written out");
    }

    @Test
    void aPageKeepsItsLines_butNotACarriageReturnThatWouldOverwriteOne() {
        assertThat(Printable.keepingLines("# HELP x\r\nx 1\n\ty 2\rFAKE\u001b[2J")).isEqualTo("# HELP x\nx 1\n\ty 2\\u000DFAKE\\u001B[2J");
    }
}
