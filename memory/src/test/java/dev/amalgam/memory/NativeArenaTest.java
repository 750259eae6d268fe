package dev.amalgam.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

final class NativeArenaTest {

  @Test
  void allocatesZeroedAlignedSegmentsOfTheRequestedSize() {
    try (NativeArena arena = NativeArena.open()) {
      for (long size : new long[] {0, 1, 63, 64, 4097, 1 << 20}) {
        for (long align : new long[] {1, 8, 64, 4096}) {
          MemorySegment s = arena.allocate(size, align);
          assertThat(s.byteSize()).isEqualTo(size);
          assertThat(s.address() % align).isZero();
          assertThat(s.isNative()).isTrue();
          for (long i = 0; i < size; i += 61) {
            assertThat(s.get(ValueLayout.JAVA_BYTE, i)).isZero();
          }
          if (size > 0) {
            s.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 7); // writable to the last byte
          }
        }
      }
    }
  }

  @Test
  void refusesAfterCloseAndClosesOnce() {
    NativeArena arena = NativeArena.open();
    arena.allocate(128, 64);
    arena.close();
    arena.close();
    assertThatThrownBy(() -> arena.allocate(8, 8))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void refusesBadAlignment() {
    try (NativeArena arena = NativeArena.open()) {
      assertThatThrownBy(() -> arena.allocate(8, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("alignment 3");
    }
  }
}
