package org.ptlab.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host-side pieces of a capture that need no QEMU: packages, serial-log sections, modinfo, /init. */
class CapturerTest {

    @Test
    void packagesOfShorthandsAndNames() {
        KernelPackage k = KernelPackage.of(KernelPackage.packageOf("7.2"));
        assertThat(k.image()).isEqualTo("linux-binary-7.2.13+deb14-arm64");
        assertThat(k.base()).isEqualTo("linux-base-7.2.13+deb14-arm64");
        assertThat(k.modules()).isEqualTo("linux-modules-7.2.13+deb14-arm64");
        assertThat(k.release()).isEqualTo("7.2");
        assertThat(k.flavour()).isEqualTo("4k");
        KernelPackage s = KernelPackage.of(KernelPackage.packageOf("6.12-16k"));
        assertThat(s.image()).isEqualTo(s.base()).isEqualTo("linux-image-6.12.107+deb13-arm64-16k");
        assertThat(s.release()).isEqualTo("6.12");
        assertThat(s.flavour()).isEqualTo("16k");
        assertThat(KernelPackage.of("linux-image-6.1.0-56-arm64").release()).isEqualTo("6.1");
        assertThat(KernelPackage.of("linux-binary-7.3.4+deb13-arm64-16k").base()).isEqualTo("linux-base-7.3.4+deb13-arm64-16k");
        assertThatThrownBy(() -> KernelPackage.of("linux-image-6.1.0-56-amd64")).hasMessageStartingWith("unknown kernel");
    }

    @Test
    void serialLogSections() {
        String log = "boot noise\n@@PTLAB-BEGIN iomem\n40000000-bfffffff : System RAM\n\n@@PTLAB-END iomem\n"
                + "[ 1.0] console line\n@@PTLAB-BEGIN cmdline\nconsole=ttyAMA0\n\n@@PTLAB-END cmdline\n@@PTLAB-BEGIN cut\nno end\n";
        Map<String, String> s = Capturer.sections(log);
        assertThat(s).containsOnlyKeys("iomem", "cmdline");
        assertThat(s.get("iomem")).isEqualTo("40000000-bfffffff : System RAM\n");
        assertThat(s.get("cmdline")).isEqualTo("console=ttyAMA0\n");
    }

    @Test
    void moduleDependenciesFromModinfo() {
        byte[] ko = "\0\0license=GPL\0depends=libcrc32c,crc-t10dif\0vermagic=7.2\0".getBytes(StandardCharsets.US_ASCII);
        assertThat(Capturer.depends(ko)).containsExactly("libcrc32c", "crc-t10dif");
        assertThat(Capturer.depends("\0depends=\0".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }

    @Test
    void initLoadsModulesInOrderAndEndsWithTheReadyMarker() {
        String init = Capturer.initScript("modules", List.of("libcrc32c", "xfs"));
        assertThat(init.indexOf("insmod /modules/libcrc32c.ko")).isLessThan(init.indexOf("insmod /modules/xfs.ko"));
        assertThat(init).contains("trace_marker", "rmmod qnx4", "emit trace ", "emit iomem /proc/iomem");
        assertThat(init.strip()).endsWith("while true; do sleep 1000; done");
        assertThat(init.indexOf(Capturer.READY)).isGreaterThan(init.indexOf("emit dmesg"));
    }

    @Test
    void commandLineCarriesTheBootTimeProbes() {
        CaptureSpec s = new CaptureSpec("7.2", "2G", "max,midr=0x410fd842", 2, "rodata=noalias", "none", null);
        String c = Capturer.fullCmdline(s, true);
        assertThat(c).startsWith("console=ttyAMA0 no_hash_pointers rodata=noalias trace_buf_size=16M")
                .contains("kprobe_event=p:ptlab/set_memory_ro,set_memory_ro,addr=%x0:x64,numpages=%x1:s32;")
                .contains("p:ptlab/update_range_prot,update_range_prot,addr=%x0:x64").doesNotContain(" addr=");
        assertThat(c.length()).isLessThan(2048); // arm64 COMMAND_LINE_SIZE
        assertThat(s.modelCpu()).isEqualTo("max:midr=0x410fd842"); // max keeps its LPA2, BBM level and E0PD
        assertThat(Capturer.qemuCpu(s.cpu())).isEqualTo("max,midr=0x410fd842,pauth-impdef=on");
        assertThat(s.folderName()).isEqualTo("7.2-max-0x410fd842-2G-smp2-rodata_noalias");
    }

    @Test
    void plainCaptureAddsNothingToTheCommandLineAndLeavesTracingAlone() {
        CaptureSpec s = new CaptureSpec("6.1", "2G", "max,pauth-impdef=off", 2, "rodata=full", "none", null, false);
        assertThat(Capturer.fullCmdline(s, s.trace())).isEqualTo("console=ttyAMA0 rodata=full");
        assertThat(Capturer.qemuCpu(s.cpu())).isEqualTo("max,pauth-impdef=off"); // QEMU's plain max (QARMA5)
        assertThat(s.modelCpu()).isEqualTo("max");
        assertThat(s.folderName()).endsWith("-2G-smp2-rodata_full-notrace");
        String init = Capturer.initScript("none", List.of(), false);
        assertThat(init).doesNotContain("tracing", "kfence/objects")
                .contains("kptr_restrict", "emit vmallocinfo", "emit symbols", "emit iomem /proc/iomem");
        assertThat(init.indexOf(Capturer.READY)).isGreaterThan(init.indexOf("emit vmallocinfo"));
        assertThatThrownBy(() -> new CaptureSpec("6.1", "2G", "max", 2, "", "modules", null, false))
                .hasMessageContaining("--no-trace with workload 'modules'");
        assertThatThrownBy(() -> new Capturer(Path.of("/nonexistent"), new java.io.PrintWriter(java.io.Writer.nullWriter())).initrdSize(-1))
                .hasMessageContaining("bad initramfs size");
    }
}
