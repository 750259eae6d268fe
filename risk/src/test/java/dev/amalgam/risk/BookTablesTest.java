package dev.amalgam.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.exec.Engine;
import org.junit.jupiter.api.Test;

/** A book read from engine tables: the same validation, errors naming table, row and column. */
final class BookTablesTest {
  @Test
  void read_loaded_sameBook() {
    try (Engine e = Engine.open("cpu")) {
      BookTables.load(e, BookValidationTest.small(), "b_");
      Book b = BookTables.read(e, "b_");
      assertThat(b.instruments()).isEqualTo(BookValidationTest.small().instruments());
      assertThat(b.correlation()).isEqualTo(BookValidationTest.small().correlation());
      BookTables.drop(e, "b_");
      assertThat(e.tableNames()).isEmpty();
    }
  }

  @Test
  void read_negativeSpot_namesTableRowAndColumn() {
    try (Engine e = Engine.open("cpu")) {
      BookTables.load(e, BookValidationTest.small(), "b_");
      e.execute(
          "CREATE OR REPLACE TABLE b_market AS SELECT row_no, underlying, CASE WHEN underlying ="
              + " 'C' THEN -20.0 ELSE spot END AS spot, vol FROM b_market");
      assertThatThrownBy(() -> BookTables.read(e, "b_"))
          .isInstanceOf(BookException.class)
          .hasMessage(
              "table b_market row 3 column spot: underlying 'C': spot must be > 0, got -20.0");
      BookTables.drop(e, "b_");
    }
  }

  @Test
  void read_textQuantity_namesTableColumnAndTypes() {
    try (Engine e = Engine.open("cpu")) {
      BookTables.load(e, BookValidationTest.small(), "b_");
      e.execute(
          "CREATE OR REPLACE TABLE b_instruments AS SELECT row_no, id, desk, book, underlying,"
              + " type, strike, expiry, CAST(quantity AS VARCHAR) AS quantity, currency FROM"
              + " b_instruments");
      assertThatThrownBy(() -> BookTables.read(e, "b_"))
          .isInstanceOf(BookException.class)
          .hasMessage(
              "table b_instruments: column 'quantity': expected float64 (or another numeric type,"
                  + " read as float64), found utf8");
      BookTables.drop(e, "b_");
    }
  }
}
