package dev.amalgam.kernels;

/**
 * A value a kernel cannot compute: decimal overflow, division by zero, an invalid cast. The message
 * names the kernel, the row and the operands.
 */
public final class KernelException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final int row;

  private KernelException(String message, int row) {
    super(message);
    this.row = row;
  }

  /** The row (index into the input, before selection) where it happened. */
  public int row() {
    return row;
  }

  /** A value that does not fit its type, e.g. {@code decimal(18,2) overflow in multiply}. */
  public static KernelException overflow(String kernel, int row, String operands) {
    return new KernelException(kernel + " overflows at row " + row + ": " + operands, row);
  }

  /** Division or modulo by zero. */
  public static KernelException divisionByZero(String kernel, int row, String operands) {
    return new KernelException(kernel + ": division by zero at row " + row + ": " + operands, row);
  }

  /** Any other invalid input at a row. */
  public static KernelException invalid(String kernel, int row, String what) {
    return new KernelException(kernel + " at row " + row + ": " + what, row);
  }
}
