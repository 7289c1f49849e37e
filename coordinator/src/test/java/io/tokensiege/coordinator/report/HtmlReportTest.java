package io.tokensiege.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlReportTest {
    @Test
    void escape_neutralisesMarkupFromTheRun() {
        // A failure message can carry a server's error body verbatim.
        assertThat(Html.escape("<script>alert('x')</script> & \"q\"\u0007"))
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; ");
    }
}
