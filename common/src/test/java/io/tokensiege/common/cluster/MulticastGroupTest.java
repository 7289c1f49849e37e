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
    void badValues_sayWhatToWriteInstead() {
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3")).hasMessageContaining("GROUP:PORT").hasMessageContaining(MulticastGroup.DEFAULT);
        assertThatThrownBy(() -> MulticastGroup.parse("10.0.0.1:54327")).hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3:x")).hasMessageContaining("numeric port");
        assertThatThrownBy(() -> MulticastGroup.parse("224.2.2.3:70000")).hasMessageContaining("outside 1..65535");
    }
}
