package dev.amalgam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amalgam.exec.Engine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code amalgam sql}: -c, -f, formats, errors, dot commands and the interactive loop. */
final class SqlShellTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int sql(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 3];
    all[0] = "sql";
    all[1] = "--topology";
    all[2] = "cpu";
    System.arraycopy(args, 0, all, 3, args.length);
    return cmd.execute(all);
  }

  @Test
  void command_selectWithoutFrom_printsATable() {
    assertThat(sql("-c", "select 1 + 1 as two, 'x' as s;")).isZero();
    assertThat(out.toString())
        .isEqualTo("two | s\n----+--\n  2 | x\n(1 row)\n".replace("--+--", "--+--"));
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void command_severalStatements_runInOrder() {
    assertThat(
            sql(
                "-c",
                "create table t (a integer, b varchar); insert into t values (1, 'x'), (2, null);"
                    + " select * from t order by a"))
        .isZero();
    assertThat(out.toString())
        .contains("created table t\n")
        .contains("inserted 2 rows into t (now 2 rows)\n")
        .contains("a | b   \n--+-----\n1 | x   \n2 | NULL\n(2 rows)");
  }

  @Test
  void command_csvAndJson_formats() {
    assertThat(
            sql(
                "--format",
                "csv",
                "-c",
                "select 1 as a, 'x,y' as b, cast(null as integer) as c, 2.50 as d, date"
                    + " '2024-02-29' as e"))
        .isZero();
    assertThat(out.toString()).isEqualTo("a,b,c,d,e\n1,\"x,y\",,2.50,2024-02-29\n");
    out.getBuffer().setLength(0);
    assertThat(
            sql(
                "--format",
                "json",
                "-c",
                "select 1 as a, 'q\"' as b, cast(null as integer) as c union all select 2, 'z',"
                    + " 3 order by a"))
        .isZero();
    assertThat(out.toString())
        .isEqualTo(
            "[\n  {\"a\": 1, \"b\": \"q\\\"\", \"c\": null},\n  {\"a\": 2, \"b\": \"z\", \"c\": 3}\n]\n");
  }

  @Test
  void command_error_printsTheEnginesMessageAndExits1() {
    assertThat(sql("-c", "select nope from (select 1 as a) t")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("Error: error at line 1, column 8: Column 'nope' not found");
  }

  @Test
  void file_errorReportsFileLineColumn_andStops(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("script.sql");
    Files.writeString(
        f,
        """
        -- a script
        create table t as select 1 as a;
        /* several
           lines */ insert into t
          values (2);
        select a,
               nope from t;
        select 'never' as s;
        """);
    assertThat(sql("-f", f.toString())).isEqualTo(1);
    assertThat(err.toString()).startsWith(f + ":7:8: error at line 7, column 8: Column 'nope'");
    assertThat(out.toString()).contains("created table t (1 row)").doesNotContain("never");
  }

  @Test
  void file_continue_runsTheRest(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("s.sql");
    Files.writeString(f, "select 1 as a;\nselect 'bad;\n");
    assertThat(sql("-f", f.toString())).isEqualTo(1);
    assertThat(err.toString())
        .contains("s.sql:2:8: syntax error at line 2, column 8: unterminated string");
    err.getBuffer().setLength(0);
    Files.writeString(f, "drop table nope;\nselect 'after' as s;\nselect * from nope2;\n");
    assertThat(sql("--continue", "-f", f.toString())).isEqualTo(1);
    assertThat(err.toString())
        .contains("s.sql:1:12: error at line 1, column 12: no table 'nope'")
        .contains("s.sql:3:15:");
    assertThat(out.toString()).contains("after");
  }

  @Test
  void file_missing_isAnError() {
    assertThat(sql("-f", "/no/such/file.sql")).isEqualTo(1);
    assertThat(err.toString()).contains("no such file: /no/such/file.sql");
  }

  @Test
  void timerAndExplain_printTimeAndProfile() {
    try (Engine engine = Engine.open("cpu")) {
      StringWriter o = new StringWriter();
      SqlShell shell =
          new SqlShell(engine, new PrintWriter(o), new PrintWriter(err), ResultFormat.TABLE, 10);
      assertThat(shell.command(".timer on")).isTrue();
      assertThat(shell.command(".explain on")).isTrue();
      assertThat(shell.run("select 41 + 1 as x;", null, false)).isZero();
      assertThat(o.toString()).contains("42").contains("Run Time: ").contains("pipeline 0");
    }
  }

  private String interactive(Engine engine, String input, Path history) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Terminal t =
        new DumbTerminal(
            "test",
            "dumb",
            new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
            bytes,
            StandardCharsets.UTF_8)) {
      SqlShell shell =
          new SqlShell(
              engine, new PrintWriter(out), new PrintWriter(err, true), ResultFormat.TABLE, 100);
      shell.interactive(t, history);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void interactive_multiLineStatementsDotCommandsAndHistory(@TempDir Path dir) throws IOException {
    Path history = dir.resolve("sub").resolve("history");
    try (Engine engine = Engine.open("cpu")) {
      String screen =
          interactive(
              engine,
              "create table t\n  as select 7 as n;\n.tables\n.schema t\nselect n * 6\n  as x from\n t;\n"
                  + "select nope;\nselect 1 as still_here;\n.bogus\n.help\n.quit\nselect 'gone';\n",
              history);
      assertThat(screen)
          .contains("amalgam> ")
          .contains("created table t (1 row)")
          .contains("t    |    1 |       1 |")
          .contains("CREATE TABLE t (\n  n INTEGER\n);")
          .contains("x\n--\n42\n(1 row)")
          .contains("still_here")
          .contains(".quit")
          .doesNotContain("gone |");
      assertThat(err.toString())
          .contains("Error: error at line 1, column 8: Column 'nope' not found")
          .contains("unknown command .bogus");
      assertThat(screen).contains(".tables");
      assertThat(Files.readString(history)).contains("select n * 6").contains(".schema t");
    }
  }

  @Test
  void interactive_ctrlC_cancelsTheRunningQuery_andTheShellGoesOn(@TempDir Path dir)
      throws Exception {
    try (Engine engine = Engine.open("cpu")) {
      engine.execute("create table big as select 1 as a");
      for (int i = 0; i < 12; i++) {
        engine.execute("insert into big select a + 1 from big");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      java.io.PipedOutputStream feed = new java.io.PipedOutputStream();
      java.io.PipedInputStream in = new java.io.PipedInputStream(feed);
      AtomicBoolean done = new AtomicBoolean();
      try (Terminal t = new DumbTerminal("test", "dumb", in, bytes, StandardCharsets.UTF_8)) {
        SqlShell shell =
            new SqlShell(
                engine, new PrintWriter(out), new PrintWriter(err, true), ResultFormat.TABLE, 10);
        Thread loop =
            Thread.ofPlatform()
                .start(
                    () -> {
                      shell.interactive(t, null);
                      done.set(true);
                    });
        // a cross join of 4096 x 4096 x 4096 rows: runs until cancelled
        feed.write(
            "select count(*) from big x, big y, big z where x.a + y.a + z.a > 0;\n"
                .getBytes(StandardCharsets.UTF_8));
        feed.flush();
        while (engine.runningQueries() == 0) {
          Thread.onSpinWait();
        }
        t.raise(Terminal.Signal.INT);
        feed.write("select 5 as five;\n.quit\n".getBytes(StandardCharsets.UTF_8));
        feed.flush();
        loop.join();
      }
      assertThat(done).isTrue();
      assertThat(err.toString()).contains("cancelled");
      assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("five");
    }
  }
}
