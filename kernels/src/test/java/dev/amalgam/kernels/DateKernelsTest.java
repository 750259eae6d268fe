package dev.amalgam.kernels;

import static dev.amalgam.kernels.ArithmeticTestData.CPU;
import static dev.amalgam.kernels.ArithmeticTestData.SIZES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** date32 extraction and month arithmetic against java.time. */
final class DateKernelsTest {

  private static MemorySegment days(ArithmeticTestData d, int rows, boolean wide) {
    MemorySegment s = d.arena.allocate(4L * rows, 4);
    for (int i = 0; i < rows; i++) {
      int v =
          wide
              ? switch (d.rnd.nextInt(6)) {
                case 0 -> Integer.MIN_VALUE + d.rnd.nextInt(1000);
                case 1 -> Integer.MAX_VALUE - d.rnd.nextInt(1000);
                default -> d.rnd.nextInt();
              }
              : d.rnd.nextInt(2 * 146_097) - 146_097; // 1570 .. 2370
      s.setAtIndex(ArrowLayout.INT32, i, v);
    }
    return s;
  }

  @Test
  void extractAndAddMonths_randomDates_matchJavaTime() {
    try (Arena arena = Arena.ofConfined()) {
      ArithmeticTestData d = new ArithmeticTestData(arena, "dates");
      for (int n : SIZES) {
        for (boolean wide : new boolean[] {false, true}) {
          for (boolean selected : new boolean[] {false, true}) {
            int rows = selected ? 2 * n + 5 : n;
            MemorySegment sel = selected ? d.selection(rows, n) : null;
            MemorySegment dates = days(d, rows, wide);
            MemorySegment v = d.maybeValidity(rows);
            String what = (wide ? "wide" : "recent") + (selected ? " selected" : "");
            for (DatePart part : DatePart.values()) {
              d.differential(
                  "extract " + part + " " + what,
                  n,
                  4,
                  v != null,
                  (x, out, ov) -> x.extract(part, dates, v, sel, n, out, ov));
            }
            int[] monthCounts = {
              0, 1, -1, 13, -25, 1199, d.rnd.nextInt(), Integer.MIN_VALUE, Integer.MAX_VALUE
            };
            for (int months : monthCounts) {
              d.differential(
                  "addMonths " + months + " " + what,
                  n,
                  4,
                  v != null,
                  (x, out, ov) -> x.addMonths(dates, v, months, sel, n, out, ov));
            }
          }
        }
      }
    }
  }

  private static int[] run(Arena arena, DatePart part, int... days) {
    MemorySegment a = arena.allocate(4L * days.length, 4);
    for (int i = 0; i < days.length; i++) {
      a.setAtIndex(ArrowLayout.INT32, i, days[i]);
    }
    MemorySegment out = arena.allocate(4L * days.length, 4);
    CPU.extract(part, a, null, null, days.length, out, null);
    int[] r = new int[days.length];
    for (int i = 0; i < days.length; i++) {
      r[i] = out.getAtIndex(ArrowLayout.INT32, i);
    }
    return r;
  }

  @Test
  void extract_knownDates_giveCalendarFields() {
    int epoch = 0;
    int leapDay = (int) LocalDate.of(2000, 2, 29).toEpochDay();
    int newYearsEve = (int) LocalDate.of(1998, 12, 31).toEpochDay();
    int oldDay = (int) LocalDate.of(-44, 3, 15).toEpochDay();
    int[] in = {epoch, leapDay, newYearsEve, oldDay, epoch, epoch, epoch, epoch, epoch};
    try (Arena arena = Arena.ofConfined()) {
      assertThat(run(arena, DatePart.YEAR, in)).startsWith(1970, 2000, 1998, -44);
      assertThat(run(arena, DatePart.MONTH, in)).startsWith(1, 2, 12, 3);
      assertThat(run(arena, DatePart.DAY, in)).startsWith(1, 29, 31, 15);
      assertThat(run(arena, DatePart.QUARTER, in)).startsWith(1, 1, 4, 1);
      assertThat(run(arena, DatePart.DAY_OF_WEEK, in)).startsWith(4, 2, 4);
      assertThat(run(arena, DatePart.DAY_OF_YEAR, in)).startsWith(1, 60, 365);
    }
  }

  @Test
  void addMonths_endOfMonth_clampsToLastDay() {
    try (Arena arena = Arena.ofConfined()) {
      int[] in = {
        (int) LocalDate.of(2024, 1, 31).toEpochDay(),
        (int) LocalDate.of(2023, 1, 31).toEpochDay(),
        (int) LocalDate.of(2024, 3, 31).toEpochDay(),
        (int) LocalDate.of(1900, 1, 29).toEpochDay(),
        0,
        0,
        0,
        0,
        0
      };
      MemorySegment a = arena.allocate(4L * in.length, 4);
      for (int i = 0; i < in.length; i++) {
        a.setAtIndex(ArrowLayout.INT32, i, in[i]);
      }
      MemorySegment out = arena.allocate(4L * in.length, 4);
      CPU.addMonths(a, null, 1, null, in.length, out, null);
      assertThat(LocalDate.ofEpochDay(out.getAtIndex(ArrowLayout.INT32, 0)))
          .isEqualTo(LocalDate.of(2024, 2, 29));
      assertThat(LocalDate.ofEpochDay(out.getAtIndex(ArrowLayout.INT32, 1)))
          .isEqualTo(LocalDate.of(2023, 2, 28));
      assertThat(LocalDate.ofEpochDay(out.getAtIndex(ArrowLayout.INT32, 2)))
          .isEqualTo(LocalDate.of(2024, 4, 30));
      assertThat(LocalDate.ofEpochDay(out.getAtIndex(ArrowLayout.INT32, 3)))
          .isEqualTo(LocalDate.of(1900, 2, 28));
      CPU.addMonths(a, null, -13, null, in.length, out, null);
      assertThat(LocalDate.ofEpochDay(out.getAtIndex(ArrowLayout.INT32, 2)))
          .isEqualTo(LocalDate.of(2023, 2, 28));
    }
  }

  @Test
  void addMonths_leavingInt32Days_throwsOverflow() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment a = arena.allocate(4L * 9, 4);
      a.setAtIndex(ArrowLayout.INT32, 7, Integer.MAX_VALUE - 10);
      MemorySegment out = arena.allocate(4L * 9, 4);
      assertThatThrownBy(() -> CPU.addMonths(a, null, 1, null, 9, out, null))
          .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.row()).isEqualTo(7))
          .hasMessageContaining("date32 add months overflows at row 7");
    }
  }
}
