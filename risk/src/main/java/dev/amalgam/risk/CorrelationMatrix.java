package dev.amalgam.risk;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A correlation matrix between underlyings: symmetric, ones on the diagonal, entries in [-1, 1] and
 * positive semi-definite (checked with a Cholesky factorisation and a tolerance).
 */
public final class CorrelationMatrix {
  /** Default tolerance of the checks (symmetry, unit diagonal, negative pivots). */
  public static final double DEFAULT_TOLERANCE = 1e-10;

  private final List<String> names;
  private final Map<String, Integer> index;
  private final double[] values;

  /**
   * A matrix over {@code names} with row-major {@code values}; see {@link #validate()} for the
   * checks (the constructor only checks the shape and that no name repeats).
   */
  public CorrelationMatrix(List<String> names, double[] values) {
    this.names = List.copyOf(names);
    Objects.requireNonNull(values, "values is null");
    int n = this.names.size();
    if (values.length != n * n) {
      throw BookException.of(
          "correlation matrix over "
              + n
              + " underlyings needs "
              + n * n
              + " values, got "
              + values.length);
    }
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (idx.putIfAbsent(this.names.get(i), i) != null) {
        throw BookException.of(
            "correlation matrix names underlying '" + this.names.get(i) + "' twice");
      }
    }
    this.index = idx;
    this.values = values.clone();
  }

  /** The identity over {@code names} (uncorrelated underlyings). */
  public static CorrelationMatrix identity(List<String> names) {
    int n = names.size();
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1.0;
    }
    return new CorrelationMatrix(names, v);
  }

  /** The underlyings, in row order. */
  public List<String> names() {
    return names;
  }

  /** The dimension. */
  public int size() {
    return names.size();
  }

  /** The row of {@code underlying}, or -1. */
  public int indexOf(String underlying) {
    Integer i = index.get(underlying);
    return i == null ? -1 : i;
  }

  /** Entry (i, j). */
  public double get(int i, int j) {
    return values[i * names.size() + j];
  }

  /** The row-major values. */
  public double[] values() {
    return values.clone();
  }

  /** A problem found at a cell: row and column (0-based) and the message. */
  record Problem(int row, int column, String message) {}

  /**
   * Checks the matrix with {@link #DEFAULT_TOLERANCE}.
   *
   * @throws BookException naming the offending cell by its underlyings, or the failing pivot
   */
  public void validate() {
    Problem p = check(DEFAULT_TOLERANCE);
    if (p != null) {
      throw BookException.of(p.message());
    }
  }

  /** The first problem, or null when the matrix is a valid correlation matrix. */
  @Nullable Problem check(double tol) {
    int n = names.size();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double v = get(i, j);
        if (!Double.isFinite(v)) {
          return new Problem(i, j, "correlation matrix: " + cell(i, j) + " is " + v);
        }
        if (i == j && Math.abs(v - 1.0) > tol) {
          return new Problem(
              i, j, "correlation matrix: diagonal " + cell(i, j) + " must be 1, got " + v);
        }
        if (Math.abs(v) > 1.0 + tol) {
          return new Problem(
              i, j, "correlation matrix: " + cell(i, j) + " = " + v + " is outside [-1, 1]");
        }
        if (j < i && Math.abs(v - get(j, i)) > tol) {
          return new Problem(
              i,
              j,
              "correlation matrix is not symmetric: "
                  + cell(i, j)
                  + " = "
                  + v
                  + " but "
                  + cell(j, i)
                  + " = "
                  + get(j, i));
        }
      }
    }
    try {
      factor(tol);
    } catch (NotPsd e) {
      return new Problem(e.row, e.row, String.valueOf(e.getMessage()));
    }
    return null;
  }

  /**
   * The lower-triangular Cholesky factor L (C = L L^T), row-major, zeros above the diagonal.
   *
   * @throws BookException when the matrix is not a valid correlation matrix
   */
  public double[] cholesky() {
    validate();
    try {
      return factor(DEFAULT_TOLERANCE);
    } catch (NotPsd e) {
      throw BookException.of(String.valueOf(e.getMessage()));
    }
  }

  /*
   * Cholesky-Banachiewicz with a tolerance: a pivot in [-tol, tol] is taken as 0 (the matrix is
   * semi-definite there) and the column below it must then vanish within tol; a pivot below -tol
   * means a negative eigenvalue. The kernels' FinanceKernels.cholesky uses a fixed 1e-12 and names
   * rows by index; correlation matrices estimated from data need a tolerance the caller can state
   * and messages in the underlyings' names, hence this factorisation here. Plain scalar doubles in
   * a fixed order: the factor is the same on every machine.
   */
  private double[] factor(double tol) throws NotPsd {
    int n = names.size();
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = get(i, j);
        for (int k = 0; k < j; k++) {
          sum -= l[i * n + k] * l[j * n + k];
        }
        if (i == j) {
          if (sum < -tol) {
            throw new NotPsd(
                i,
                "correlation matrix is not positive semi-definite: pivot "
                    + (i + 1)
                    + " ('"
                    + names.get(i)
                    + "') is "
                    + sum
                    + " after eliminating the rows above it (tolerance "
                    + tol
                    + ")");
          }
          l[i * n + i] = sum > tol ? Math.sqrt(sum) : 0.0;
        } else {
          double pivot = l[j * n + j];
          if (pivot > 0.0) {
            l[i * n + j] = sum / pivot;
          } else if (Math.abs(sum) > tol) {
            throw new NotPsd(
                i,
                "correlation matrix is not positive semi-definite: "
                    + cell(i, j)
                    + " leaves "
                    + sum
                    + " over the zero pivot of '"
                    + names.get(j)
                    + "' (tolerance "
                    + tol
                    + ")");
          }
        }
      }
    }
    return l;
  }

  private String cell(int i, int j) {
    return "['" + names.get(i) + "', '" + names.get(j) + "']";
  }

  private static final class NotPsd extends Exception {
    private static final long serialVersionUID = 1L;
    final int row;

    NotPsd(int row, String message) {
      super(message, null, false, false);
      this.row = row;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CorrelationMatrix c
        && c.names.equals(names)
        && Arrays.equals(c.values, values);
  }

  @Override
  public int hashCode() {
    return names.hashCode() * 31 + Arrays.hashCode(values);
  }
}
