package dev.amalgam.jupyter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class JavaEvaluatorTest {
  private static JavaEvaluator java;

  @BeforeAll
  static void open() {
    java = new JavaEvaluator(System.getProperty("java.class.path"));
  }

  @AfterAll
  static void close() {
    java.close();
  }

  @Test
  void eval_lastExpression_valueIsTheObject() throws Exception {
    JavaEvaluator.Outcome o = java.eval("int a = 20;\nint b = 22;\na + b");
    assertThat(o.hasValue()).isTrue();
    assertThat(o.value()).isEqualTo(42);
    StringBuilder sb = new StringBuilder("x");
    assertThat(java.eval("var sb = new StringBuilder(\"x\"); sb").value())
        .isInstanceOf(StringBuilder.class)
        .hasToString(sb.toString());
  }

  @Test
  void eval_declarationsPersistAcrossCells() throws Exception {
    java.eval("int square(int x) { return x * x; }\nrecord P(int x, int y) {}");
    assertThat(java.eval("square(new P(3, 4).y())").value()).isEqualTo(16);
  }

  @Test
  void eval_statementOrDeclaration_noValue() throws Exception {
    assertThat(java.eval("int unused = 3;").hasValue()).isFalse();
    assertThat(java.eval("System.out.print(\"\");").hasValue()).isFalse();
    assertThat(java.eval("   \n  ").hasValue()).isFalse();
  }

  @Test
  void eval_engineClasses_sameClassesAsTheKernel() throws Exception {
    Object v = java.eval("dev.amalgam.memory.Topology.preset(\"cpu\")").value();
    assertThat(v).isInstanceOf(dev.amalgam.memory.Topology.class);
  }

  @Test
  void eval_compileError_saysLineAndColumnOfTheCell() {
    assertThatThrownBy(() -> java.eval("int ok = 1;\nint bad = \"text\";"))
        .isInstanceOfSatisfying(
            CellException.class, e -> assertThat(e.kind()).isEqualTo("compile error"))
        .hasMessageContaining("line 2, column 11")
        .hasMessageContaining("incompatible types");
  }

  @Test
  void eval_exception_classAndMessage() {
    assertThatThrownBy(() -> java.eval("Integer.parseInt(\"x1\")"))
        .isInstanceOfSatisfying(
            CellException.class, e -> assertThat(e.kind()).isEqualTo("NumberFormatException"))
        .hasMessageContaining("x1");
  }

  @Test
  void eval_incomplete_says() {
    assertThatThrownBy(() -> java.eval("int q = 1;\nfor (int i = 0; i < 3; i++) {"))
        .hasMessageContaining("line 2, column 1")
        .hasMessageContaining("middle of a statement");
  }

  @Test
  void stop_cpuBoundLoop_endsTheCellAndTheEvaluatorGoesOn() throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<?> f =
          ex.submit(
              () -> {
                java.eval("long n = 0; while (true) { n++; }");
                return null;
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean done = false;
      while (!done && System.nanoTime() < deadline) {
        Thread.sleep(100);
        java.stop();
        done = f.isDone();
      }
      assertThat(done).as("the loop stopped within 30 s").isTrue();
      assertThatThrownBy(f::get).hasCauseInstanceOf(CellException.class);
      assertThat(java.eval("1 + 1").value()).isEqualTo(2);
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void complete_suggestsMembers() {
    int[] anchor = new int[1];
    String code = "\"abc\".toUpp";
    assertThat(java.complete(code, code.length(), anchor)).contains("toUpperCase(");
    assertThat(anchor[0]).isEqualTo(6);
    assertThat(java.completeness("for (;;) {"))
        .isNotEqualTo(jdk.jshell.SourceCodeAnalysis.Completeness.COMPLETE);
  }
}
