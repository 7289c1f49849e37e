package io.tokensiege.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MulticastGroupTest {
    @Test
    void parsesGroupAndPort() {
        assertThat(MulticastGroup.parse(MulticastGroup.DEFAULT)).isEqualTo(new MulticastGroup("224.2.2.3", 54327));
    }

    @Test
    void discoveryProperties_areStrings_withSafeSerialization() {
        assertThat(MulticastGroup.parse("239.1.2.3:40000").discoveryProperties())
                .containsEntry("group", "239.1.2.3").containsEntry("port", "40000").containsEntry("safe-serialization", "true");
    }

    @Test
    void badValues_sayWhatToWriteInstead() {
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3")).hasMessageContaining("GROUP:PORT").hasMessageContaining(MulticastGroup.DEFAULT);
        assertThatThrownBy(() -> MulticastGroup.parse("10.0.0.1:54327")).hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3:x")).hasMessageContaining("numeric port");
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3:70000")).hasMessageContaining("outside 1..65535");
    }
}
