package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The capture matrix file through the one YAML reader: defaults, and errors naming file:line:column. */
class MatrixTest {
    @Test
    void readsEntriesWithDefaults() {
        List<CaptureSpec> l = Matrix.parse("captures:\n  - name: a\n    kernel: '7.2'\n  - {name: b, kernel: '6.12', mem: 4G, smp: 4, cmdline: rodata=on}\n", "m.yaml");
        assertThat(l).hasSize(2);
        assertThat(l.get(0).name()).isEqualTo("a");
        assertThat(l.get(0).mem()).isEqualTo("2G");
        assertThat(l.get(0).smp()).isEqualTo(2);
        assertThat(l.get(1).smp()).isEqualTo(4);
        assertThat(l.get(1).cmdline()).isEqualTo("rodata=on");
    }

    @Test
    void errorsNameFileLineAndColumn() {
        assertThatThrownBy(() -> Matrix.parse("captures:\n  - name: a\n    colour: red\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:3:5: unknown key 'colour'");
        assertThatThrownBy(() -> Matrix.parse("captures:\n  - {name: a, kernel: '7.2'}\n  - {name: a, kernel: '7.2'}\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:3:12: name 'a' used twice");
        assertThatThrownBy(() -> Matrix.parse("captures:\n  - name: a\n    smp: many\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:3:10: bad smp 'many'");
        assertThatThrownBy(() -> Matrix.parse("other: 1\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:1:1: expected a 'captures:' list");
        assertThatThrownBy(() -> Matrix.parse("captures:\n  - kernel: '7.2'\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:2:5: a capture needs a name");
        assertThatThrownBy(() -> Matrix.parse("captures:\n  - name: a\n", "m.yaml"))
                .hasMessageStartingWith("m.yaml:2:5: no kernel given");
    }
}
