package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class SizesTest {
  @Test
  void parseBytes_binaryAndDecimalUnits() {
    assertThat(Sizes.parseBytes("4096")).isEqualTo(4096);
    assertThat(Sizes.parseBytes("64KiB")).isEqualTo(64 * 1024);
    assertThat(Sizes.parseBytes("2 MiB")).isEqualTo(2L << 20);
    assertThat(Sizes.parseBytes("1.5g")).isEqualTo(3L << 29);
    assertThat(Sizes.parseBytes("16GB")).isEqualTo(16_000_000_000L);
    assertThat(Sizes.parseBytes("1t")).isEqualTo(1L << 40);
    assertThat(Sizes.parseBytes("2e3")).isEqualTo(2000);
  }

  @Test
  void parseBytes_badText_saysWhatWasWrong() {
    assertThatThrownBy(() -> Sizes.parseBytes("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot parse 'lots' as a size");
    assertThatThrownBy(() -> Sizes.parseBytes("16XB")).hasMessageContaining("unknown unit 'XB'");
    assertThatThrownBy(() -> Sizes.parseBytes("0.5")).hasMessageContaining("whole");
    assertThatThrownBy(() -> Sizes.parseBytes("8EiB")).hasMessageContaining("unknown unit");
    assertThatThrownBy(() -> Sizes.parseBytes("9223372036854775808"))
        .hasMessageContaining("not a whole, non-negative number of bytes");
  }

  @Test
  void parseBandwidthAndNanos_commonForms() {
    assertThat(Sizes.parseBandwidth("900GB/s")).isEqualTo(900e9);
    assertThat(Sizes.parseBandwidth("1.8 TB/s")).isEqualTo(1.8e12);
    assertThat(Sizes.parseBandwidth("64e9")).isEqualTo(64e9);
    assertThat(Sizes.parseBandwidth("1GiB/s")).isEqualTo(1L << 30);
    assertThat(Sizes.parseNanos("500ns")).isEqualTo(500);
    assertThat(Sizes.parseNanos("1.5us")).isEqualTo(1500);
    assertThat(Sizes.parseNanos("2ms")).isEqualTo(2_000_000);
    assertThat(Sizes.parseNanos("1s")).isEqualTo(1_000_000_000);
    assertThatThrownBy(() -> Sizes.parseBandwidth("0GB/s")).hasMessageContaining("positive");
    assertThatThrownBy(() -> Sizes.parseBandwidth("9XB/s")).hasMessageContaining("unknown unit");
    assertThatThrownBy(() -> Sizes.parseNanos("5 fortnights")).hasMessageContaining("unknown unit");
    assertThatThrownBy(() -> Sizes.parseNanos("soon")).hasMessageContaining("as a duration");
  }

  @Test
  void format_choosesReadableUnits() {
    assertThat(Sizes.bytes(512)).isEqualTo("512 B");
    assertThat(Sizes.bytes(2L << 20)).isEqualTo("2.0 MiB");
    assertThat(Sizes.bytes(3L << 30)).isEqualTo("3.0 GiB");
    assertThat(Sizes.bandwidth(900e9)).isEqualTo("900 GB/s");
    assertThat(Sizes.bandwidth(8e12)).isEqualTo("8.00 TB/s");
    assertThat(Sizes.nanos(500)).isEqualTo("500 ns");
    assertThat(Sizes.nanos(1500)).isEqualTo("1.5 us");
    assertThat(Sizes.nanos(2.5e6)).isEqualTo("2.5 ms");
    assertThat(Sizes.nanos(3e9)).isEqualTo("3.00 s");
  }

  @Test
  void specs_rejectInfiniteBandwidth() {
    assertThatThrownBy(() -> new LinkSpec("a", "b", LinkType.PCIE5, Double.POSITIVE_INFINITY, 0))
        .hasMessageContaining("positive and finite");
    assertThatThrownBy(
            () -> new DeviceSpec("g", DeviceKind.GPU, "sim", 1, Double.POSITIVE_INFINITY, 1))
        .hasMessageContaining("positive and finite");
  }
}
