package dev.amalgam.exec.run;

import dev.amalgam.exec.DataType;
import dev.amalgam.exec.DataType.Kind;
import dev.amalgam.exec.run.BoundExpr.AndOr;
import dev.amalgam.exec.run.BoundExpr.ColumnRef;
import dev.amalgam.exec.run.BoundExpr.Const;
import dev.amalgam.kernels.ArithmeticKernels;
import dev.amalgam.kernels.ArrowLayout;
import dev.amalgam.kernels.CompareOp;
import dev.amalgam.kernels.DecimalType;
import dev.amalgam.kernels.FilterKernels;
import dev.amalgam.kernels.StringKernels;
import dev.amalgam.kernels.Validity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@link BoundExpr}s over {@link Batch}es with the vectorized kernels: {@link #evaluate}
 * computes a dense column, {@link #filter} a selection. Stateless and thread-safe; every buffer it
 * makes comes from the caller's {@link Scratch}.
 */
public final class ExprEvaluator {
  /*
   * Rows. A batch has n physical rows and, optionally, a selection of count live ones. evaluate()
   * returns a vec of count rows (row k = live row b.row(k)); filter() returns physical row
   * indices. A column reference under a selection is gathered once; arithmetic, casts, EXTRACT
   * and string functions whose operands are all columns or constants read the physical columns
   * through the selection instead (the kernels write dense outputs), so nothing is gathered.
   *
   * Booleans. A bool vec is a value bitmap plus a validity bitmap; a row's value bit means
   * nothing when the row is null. Three-valued AND/OR work word by word on "known true"
   * (value & valid) and "known false" (~value & valid) masks.
   *
   * Filters. Predicates on a bare column with constants (compare, BETWEEN, IN, IS NULL, LIKE,
   * dictionary compare/LIKE/IN) call the selection kernels with the batch's selection; AND
   * narrows the selection term by term (so later terms only see rows that passed, and skip work
   * when none are left); OR unions the terms' selections; NOT is pushed into the predicate (NOT
   * a < b is a >= b, which keeps null rows out). Anything else is evaluated to a bool vec and
   * converted.
   *
   * CASE evaluates each value only on the rows whose branch is taken (a selection per branch),
   * so that CASE WHEN x <> 0 THEN 10 / x ELSE 0 END never divides by zero.
   */

  private static final FilterKernels FILTER = FilterKernels.cpu();
  private static final ArithmeticKernels ARITH = ArithmeticKernels.cpu();
  private static final StringKernels STRINGS = StringKernels.cpu();

  private ExprEvaluator() {}

  /**
   * The value of {@code e} for each live row of {@code b}: a dense vec of {@code b.count()} rows in
   * {@code e.type()} (a plain column without a selection is returned as is).
   *
   * @throws dev.amalgam.kernels.KernelException for overflow, division by zero or a bad cast
   */
  public static Vec evaluate(BoundExpr e, Batch b, Scratch s) {
    return switch (e) {
      case ColumnRef c -> column(b, c, s);
      case Const c -> broadcast(c, b.count(), s);
      case BoundExpr.Arith a -> arith(a, b, s);
      case BoundExpr.Cmp c -> compare(c.op(), c.left(), c.right(), b, s);
      case AndOr a -> logic(a, b, s);
      case BoundExpr.Not n -> not(evaluate(n.operand(), b, s), s);
      case BoundExpr.IsNull n -> isNull(n, b, s);
      case BoundExpr.Between w -> between(w, b, s);
      case BoundExpr.InList in -> inList(in, b, s);
      case BoundExpr.Like l -> like(l, b, s);
      case BoundExpr.Case c -> caseOf(c, b, s);
      case BoundExpr.CastTo c -> cast(c, b, s);
      case BoundExpr.Extract x -> extract(x, b, s);
      case BoundExpr.AddMonths m -> addMonths(m, b, s);
      case BoundExpr.CharLength c -> charLength(c, b, s);
      case BoundExpr.Substring sub -> substring(sub, b, s);
    };
  }

  /**
   * Writes into {@code outSel} the ascending physical rows of {@code b}'s live rows where {@code
   * predicate} is TRUE (NULL and FALSE rows are left out) and returns their count. {@code outSel}
   * holds at least {@code b.count()} int32s and may be {@code b.sel()} itself.
   */
  public static int filter(BoundExpr predicate, Batch b, Scratch s, MemorySegment outSel) {
    if (predicate.type().kind() != Kind.BOOL) {
      throw new IllegalArgumentException("a filter needs a bool predicate; got " + predicate);
    }
    int count = b.count();
    if (count == 0) {
      return 0;
    }
    int fast = fastFilter(predicate, b, s, outSel);
    if (fast >= 0) {
      return fast;
    }
    return toSelection(evaluate(predicate, b, s), b, s, outSel);
  }

  // ---- filter ---------------------------------------------------------------------------------

  /** A kernel path for {@code p}, or -1 when there is none. */
  private static int fastFilter(BoundExpr p, Batch b, Scratch s, MemorySegment out) {
    MemorySegment sel = b.sel();
    int count = b.count();
    switch (p) {
      case AndOr a when a.isAnd() -> {
        int c = filter(a.terms().get(0), b, s, out);
        for (int i = 1; i < a.terms().size() && c > 0; i++) {
          c = filter(a.terms().get(i), b.withSelection(out, c), s, out);
        }
        return c;
      }
      case AndOr a -> {
        MemorySegment acc = s.allocate(Selection4.bytes(count));
        int accCount = filter(a.terms().get(0), b, s, acc);
        for (int i = 1; i < a.terms().size() && accCount < count; i++) {
          MemorySegment t = s.allocate(Selection4.bytes(count));
          int tc = filter(a.terms().get(i), b, s, t);
          // the kernel wants room for min(n, a + b) entries, though the union is at most count
          MemorySegment u = s.allocate(Selection4.bytes(Math.min(b.n(), accCount + tc)));
          accCount = FILTER.orSelections(acc, accCount, t, tc, b.n(), u);
          acc = u;
        }
        MemorySegment.copy(acc, 0, out, 0, 4L * accCount);
        return accCount;
      }
      case BoundExpr.Not n -> {
        BoundExpr pushed = pushNot(n.operand());
        return pushed == null ? -1 : filter(pushed, b, s, out);
      }
      case Const c -> {
        if (Boolean.TRUE.equals(c.value())) {
          copySelection(sel, count, out);
          return count;
        }
        return 0;
      }
      case ColumnRef c -> {
        Vec v = b.column(c.index());
        MemorySegment vv = v.validity();
        int k = 0;
        for (int j = 0; j < count; j++) {
          int row = sel == null ? j : sel.getAtIndex(ArrowLayout.INT32, j);
          if (Validity.isValid(vv, row) && Validity.isValid(v.values(), row)) {
            out.setAtIndex(ArrowLayout.INT32, k++, row);
          }
        }
        return k;
      }
      case BoundExpr.Cmp c -> {
        return compareFilter(c, b, out);
      }
      case BoundExpr.Between w -> {
        if (!(w.operand() instanceof ColumnRef col)
            || !(w.low() instanceof Const lo)
            || !(w.high() instanceof Const hi)) {
          return -1;
        }
        Object l = lo.value();
        Object h = hi.value();
        if (l == null || h == null) {
          return -1; // x BETWEEN NULL AND 5 is FALSE where x > 5: leave it to three-valued logic
        }
        Vec v = b.column(col.index());
        return switch (layout(v.type())) {
          case I32 ->
              FILTER.betweenInt32(
                  v.values(), v.validity(), (Integer) l, (Integer) h, b.n(), sel, count, out);
          case I64 ->
              FILTER.betweenInt64(
                  v.values(), v.validity(), (Long) l, (Long) h, b.n(), sel, count, out);
          case F64 ->
              FILTER.betweenFloat64(
                  v.values(), v.validity(), (Double) l, (Double) h, b.n(), sel, count, out);
          case TEXT, DICT -> {
            int c = compareConst(CompareOp.GE, v, (byte[]) l, b, out);
            yield c == 0
                ? 0
                : compareConst(CompareOp.LE, v, (byte[]) h, b.withSelection(out, c), out);
          }
          case BIT -> -1;
        };
      }
      case BoundExpr.InList in -> {
        if (!(in.operand() instanceof ColumnRef col)) {
          return -1;
        }
        Vec v = b.column(col.index());
        if (!in.negated()) {
          return inSelection(v, in.values(), b, out);
        }
        if (v.dictionary() != null && dict(v).validity() != null) {
          return -1;
        }
        MemorySegment hits = s.allocate(Selection4.bytes(count));
        int h = inSelection(v, in.values(), b, hits);
        if (h < 0) {
          return -1;
        }
        MemorySegment valid = s.allocate(Selection4.bytes(count));
        int vc = FILTER.isNotNull(v.validity(), b.n(), sel, count, valid);
        return FILTER.notSelection(hits, h, b.n(), valid, vc, out);
      }
      case BoundExpr.IsNull n -> {
        if (!(n.operand() instanceof ColumnRef col)) {
          return -1;
        }
        Vec v = b.column(col.index());
        if (v.dictionary() != null && dict(v).validity() != null) {
          return -1;
        }
        return n.negated()
            ? FILTER.isNotNull(v.validity(), b.n(), sel, count, out)
            : FILTER.isNull(v.validity(), b.n(), sel, count, out);
      }
      case BoundExpr.Like l -> {
        if (!(l.operand() instanceof ColumnRef col)) {
          return -1;
        }
        Vec v = b.column(col.index());
        Vec d = v.dictionary();
        if (d != null) {
          MemorySegment dd = data(d);
          return l.negated()
              ? STRINGS.dictionaryNotLike(
                  v.values(),
                  v.validity(),
                  sel,
                  count,
                  d.values(),
                  dd,
                  d.validity(),
                  d.n(),
                  l.pattern(),
                  out)
              : STRINGS.dictionaryLike(
                  v.values(),
                  v.validity(),
                  sel,
                  count,
                  d.values(),
                  dd,
                  d.validity(),
                  d.n(),
                  l.pattern(),
                  out);
        }
        return l.negated()
            ? STRINGS.notLike(v.values(), data(v), v.validity(), sel, count, l.pattern(), out)
            : STRINGS.like(v.values(), data(v), v.validity(), sel, count, l.pattern(), out);
      }
      default -> {
        return -1;
      }
    }
  }

  /** {@code NOT p} as an equivalent predicate without the NOT, or null. */
  private static @Nullable BoundExpr pushNot(BoundExpr p) {
    return switch (p) {
      case BoundExpr.Cmp c -> new BoundExpr.Cmp(c.op().negate(), c.left(), c.right());
      case BoundExpr.Not n -> n.operand();
      case BoundExpr.IsNull n -> new BoundExpr.IsNull(n.operand(), !n.negated());
      case BoundExpr.Like l -> new BoundExpr.Like(l.operand(), l.pattern(), !l.negated());
      case BoundExpr.InList in -> new BoundExpr.InList(in.operand(), in.values(), !in.negated());
      case AndOr a -> {
        List<BoundExpr> terms = new ArrayList<>(a.terms().size());
        for (BoundExpr t : a.terms()) {
          terms.add(new BoundExpr.Not(t));
        }
        yield new AndOr(!a.isAnd(), terms);
      }
      case Const c -> new Const(c.value() == null ? null : !((Boolean) c.value()), DataType.BOOL);
      default -> null;
    };
  }

  private static int compareFilter(BoundExpr.Cmp c, Batch b, MemorySegment out) {
    CompareOp op = c.op();
    BoundExpr l = c.left();
    BoundExpr r = c.right();
    if (l instanceof Const && r instanceof ColumnRef) {
      BoundExpr t = l;
      l = r;
      r = t;
      op = op.flip();
    }
    if (!(l instanceof ColumnRef lc)) {
      return -1;
    }
    Vec v = b.column(lc.index());
    MemorySegment sel = b.sel();
    int count = b.count();
    if (r instanceof Const k) {
      Object x = k.value();
      if (x == null) {
        return 0;
      }
      return switch (layout(v.type())) {
        case I32 ->
            FILTER.compareInt32(op, v.values(), v.validity(), (Integer) x, b.n(), sel, count, out);
        case I64 ->
            FILTER.compareInt64(op, v.values(), v.validity(), (Long) x, b.n(), sel, count, out);
        case F64 ->
            FILTER.compareFloat64(op, v.values(), v.validity(), (Double) x, b.n(), sel, count, out);
        case TEXT, DICT -> compareConst(op, v, (byte[]) x, b, out);
        case BIT -> -1;
      };
    }
    if (r instanceof ColumnRef rc) {
      Vec w = b.column(rc.index());
      Layout lay = layout(v.type());
      if (lay != layout(w.type())) {
        return -1;
      }
      return switch (lay) {
        case I32 ->
            FILTER.compareInt32Columns(
                op, v.values(), v.validity(), w.values(), w.validity(), b.n(), sel, count, out);
        case I64 ->
            FILTER.compareInt64Columns(
                op, v.values(), v.validity(), w.values(), w.validity(), b.n(), sel, count, out);
        case F64 ->
            FILTER.compareFloat64Columns(
                op, v.values(), v.validity(), w.values(), w.validity(), b.n(), sel, count, out);
        case TEXT ->
            STRINGS.compareColumns(
                v.values(),
                data(v),
                v.validity(),
                w.values(),
                data(w),
                w.validity(),
                sel,
                count,
                stringOp(op),
                out);
        case DICT, BIT -> -1;
      };
    }
    return -1;
  }

  /** Rows of {@code b} where the utf8 or dictionary column {@code v} {@code op} {@code c}. */
  private static int compareConst(CompareOp op, Vec v, byte[] c, Batch b, MemorySegment out) {
    Vec d = v.dictionary();
    if (d != null) {
      return STRINGS.dictionaryCompare(
          v.values(),
          v.validity(),
          b.sel(),
          b.count(),
          d.values(),
          data(d),
          d.validity(),
          d.n(),
          stringOp(op),
          c,
          out);
    }
    return STRINGS.compare(
        v.values(), data(v), v.validity(), b.sel(), b.count(), stringOp(op), c, out);
  }

  /** Rows of {@code b} whose value in column {@code v} is in {@code values}. */
  private static int inSelection(Vec v, List<Const> values, Batch b, MemorySegment out) {
    MemorySegment sel = b.sel();
    int count = b.count();
    return switch (layout(v.type())) {
      case I32 -> FILTER.inInt32(v.values(), v.validity(), ints(values), b.n(), sel, count, out);
      case I64 -> FILTER.inInt64(v.values(), v.validity(), longs(values), b.n(), sel, count, out);
      case F64 ->
          FILTER.inFloat64(v.values(), v.validity(), doubles(values), b.n(), sel, count, out);
      case TEXT -> STRINGS.in(v.values(), data(v), v.validity(), sel, count, texts(values), out);
      case DICT -> {
        Vec d = dict(v);
        yield STRINGS.dictionaryIn(
            v.values(),
            v.validity(),
            sel,
            count,
            d.values(),
            data(d),
            d.validity(),
            d.n(),
            texts(values),
            out);
      }
      case BIT -> -1;
    };
  }

  /** The rows of {@code b} whose value in the dense bool vec {@code v} is TRUE. */
  private static int toSelection(Vec v, Batch b, Scratch s, MemorySegment out) {
    int count = b.count();
    MemorySegment bits = v.values();
    MemorySegment vv = v.validity();
    if (vv != null) {
      MemorySegment t = Bits.alloc(s, count);
      FILTER.andBitmaps(bits, vv, count, t);
      bits = t;
    }
    MemorySegment sel = b.sel();
    if (sel == null) {
      return FILTER.bitmapToSelection(bits, count, out);
    }
    MemorySegment pos = s.allocate(Selection4.bytes(count));
    int c = FILTER.bitmapToSelection(bits, count, pos);
    for (int j = 0; j < c; j++) {
      // pos[j] >= j, so reading sel[pos[j]] before writing out[j] is safe when out == sel
      out.setAtIndex(
          ArrowLayout.INT32,
          j,
          sel.getAtIndex(ArrowLayout.INT32, pos.getAtIndex(ArrowLayout.INT32, j)));
    }
    return c;
  }

  private static void copySelection(@Nullable MemorySegment sel, int count, MemorySegment out) {
    if (sel == null) {
      for (int k = 0; k < count; k++) {
        out.setAtIndex(ArrowLayout.INT32, k, k);
      }
    } else {
      MemorySegment.copy(sel, 0, out, 0, 4L * count);
    }
  }

  // ---- columns and constants ------------------------------------------------------------------

  /** Column {@code c} for the live rows of {@code b}: itself, or gathered through the selection. */
  private static Vec column(Batch b, ColumnRef c, Scratch s) {
    Vec v = b.column(c.index());
    MemorySegment sel = b.sel();
    if (sel == null) {
      return v;
    }
    return gather(v, sel, b.count(), s);
  }

  private static Vec gather(Vec v, MemorySegment sel, int count, Scratch s) {
    MemorySegment vv = v.validity();
    MemorySegment outValidity = vv == null ? null : Bits.alloc(s, count);
    int n = v.n();
    return switch (layout(v.type())) {
      case BIT -> {
        MemorySegment values = Bits.gather(v.values(), sel, count, s);
        yield Vec.fixed(
            v.type(), count, values, vv == null ? null : Bits.gather(vv, sel, count, s));
      }
      case I32, DICT -> {
        MemorySegment out = s.allocate(4L * count);
        FILTER.gatherInt32(v.values(), vv, n, sel, count, out, outValidity);
        yield new Vec(v.type(), count, out, outValidity, null, v.dictionary());
      }
      case I64 -> {
        MemorySegment out = s.allocate(8L * count);
        FILTER.gatherInt64(v.values(), vv, n, sel, count, out, outValidity);
        yield Vec.fixed(v.type(), count, out, outValidity);
      }
      case F64 -> {
        MemorySegment out = s.allocate(8L * count);
        FILTER.gatherFloat64(v.values(), vv, n, sel, count, out, outValidity);
        yield Vec.fixed(v.type(), count, out, outValidity);
      }
      case TEXT -> utf8Rows(v, sel, count, s);
    };
  }

  /**
   * Rows {@code sel[k]} (or {@code k}) of a utf8 or dictionary vec as a plain utf8 vec; a plain vec
   * without a selection is returned as is.
   */
  private static Vec utf8Rows(Vec v, @Nullable MemorySegment sel, int count, Scratch s) {
    Vec d = v.dictionary();
    if (d == null && sel == null) {
      return v;
    }
    MemorySegment srcOffsets = d == null ? v.values() : d.values();
    MemorySegment srcData = d == null ? data(v) : data(d);
    MemorySegment rowValidity = v.validity();
    MemorySegment entryValidity = d == null ? null : d.validity();
    boolean nullable = rowValidity != null || entryValidity != null;
    MemorySegment outValidity = nullable ? Bits.alloc(s, count) : null;
    MemorySegment offsets = s.allocate(4L * (count + 1));
    long total = 0;
    for (int k = 0; k < count; k++) {
      int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
      int at = -1;
      if (Validity.isValid(rowValidity, row)) {
        int idx = d == null ? row : v.values().getAtIndex(ArrowLayout.INT32, row);
        if (Validity.isValid(entryValidity, idx)) {
          at = idx;
        }
      }
      if (at >= 0) {
        total +=
            srcOffsets.getAtIndex(ArrowLayout.INT32, at + 1L)
                - srcOffsets.getAtIndex(ArrowLayout.INT32, at);
        if (outValidity != null) {
          Validity.set(outValidity, k, true);
        }
      }
      if (total > Integer.MAX_VALUE) {
        throw new IllegalStateException("utf8 column of " + count + " rows exceeds 2 GiB");
      }
      offsets.setAtIndex(ArrowLayout.INT32, k + 1, (int) total);
    }
    MemorySegment data = s.allocate(Math.max(1, total));
    for (int k = 0; k < count; k++) {
      int from = offsets.getAtIndex(ArrowLayout.INT32, k);
      int len = offsets.getAtIndex(ArrowLayout.INT32, k + 1L) - from;
      if (len > 0) {
        int row = sel == null ? k : sel.getAtIndex(ArrowLayout.INT32, k);
        int idx = d == null ? row : v.values().getAtIndex(ArrowLayout.INT32, row);
        MemorySegment.copy(srcData, srcOffsets.getAtIndex(ArrowLayout.INT32, idx), data, from, len);
      }
    }
    return Vec.utf8(count, offsets, data, outValidity);
  }

  /** A dense vec of {@code count} copies of {@code c}. */
  static Vec broadcast(Const c, int count, Scratch s) {
    DataType t = c.type();
    Object x = c.value();
    if (x == null) {
      return allNull(t, count, s);
    }
    return switch (t.kind()) {
      case BOOL -> {
        MemorySegment bits = Bits.alloc(s, count);
        if ((Boolean) x) {
          Validity.setAllValid(bits, count);
        }
        yield Vec.fixed(t, count, bits, null);
      }
      case INT8, INT16, INT32, DATE32 -> {
        MemorySegment out = s.allocate(4L * count);
        int v = (Integer) x;
        for (int k = 0; k < count; k++) {
          out.setAtIndex(ArrowLayout.INT32, k, v);
        }
        yield Vec.fixed(t, count, out, null);
      }
      case INT64, DECIMAL, TIMESTAMP -> {
        MemorySegment out = s.allocate(8L * count);
        long v = (Long) x;
        for (int k = 0; k < count; k++) {
          out.setAtIndex(ArrowLayout.INT64, k, v);
        }
        yield Vec.fixed(t, count, out, null);
      }
      case FLOAT32, FLOAT64 -> {
        MemorySegment out = s.allocate(8L * count);
        double v = (Double) x;
        for (int k = 0; k < count; k++) {
          out.setAtIndex(ArrowLayout.FLOAT64, k, v);
        }
        yield Vec.fixed(t, count, out, null);
      }
      case UTF8, DICTIONARY_UTF8 -> {
        byte[] bytes = (byte[]) x;
        long total = (long) bytes.length * count;
        if (total > Integer.MAX_VALUE) {
          throw new IllegalStateException("utf8 constant of " + count + " rows exceeds 2 GiB");
        }
        MemorySegment offsets = s.allocate(4L * (count + 1));
        MemorySegment data = s.allocate(Math.max(1, total));
        for (int k = 0; k < count; k++) {
          MemorySegment.copy(
              bytes, 0, data, ValueLayout.JAVA_BYTE, (long) k * bytes.length, bytes.length);
          offsets.setAtIndex(ArrowLayout.INT32, k + 1, (k + 1) * bytes.length);
        }
        yield Vec.utf8(count, offsets, data, null);
      }
    };
  }

  /** A vec of {@code count} nulls of type {@code t}. */
  private static Vec allNull(DataType t, int count, Scratch s) {
    MemorySegment validity = Bits.alloc(s, count);
    return switch (t.kind()) {
      case BOOL -> Vec.fixed(t, count, Bits.alloc(s, count), validity);
      case UTF8, DICTIONARY_UTF8 ->
          Vec.utf8(count, s.allocate(4L * (count + 1)), s.allocate(1), validity);
      default ->
          Vec.fixed(t, count, s.allocate((long) Math.max(4, t.kind().width()) * count), validity);
    };
  }

  // ---- arithmetic -----------------------------------------------------------------------------

  private static Vec arith(BoundExpr.Arith a, Batch b, Scratch s) {
    int count = b.count();
    BoundExpr l = a.left();
    BoundExpr r = a.right();
    if (l instanceof Const lc && lc.value() == null
        || r instanceof Const rc && rc.value() == null) {
      return allNull(a.type(), count, s);
    }
    if (l instanceof Const lc && r instanceof Const rc) {
      return arithVecs(a, broadcast(lc, count, s), null, rc, null, count, s, null);
    }
    MemorySegment sel = b.sel();
    boolean physical = sel != null && readable(l) && readable(r);
    MemorySegment kernelSel = physical ? sel : null;
    Vec lv = l instanceof Const ? null : operand(l, b, s, physical);
    Vec rv = r instanceof Const ? null : operand(r, b, s, physical);
    return arithVecs(
        a,
        lv,
        l instanceof Const c1 ? c1 : null,
        r instanceof Const c2 ? c2 : null,
        rv,
        count,
        s,
        kernelSel);
  }

  /**
   * {@code left op right} where each side is a vec (read through {@code sel} when given) or a
   * constant (not null); at most one side is a constant.
   */
  private static Vec arithVecs(
      BoundExpr.Arith a,
      @Nullable Vec lv,
      @Nullable Const lc,
      @Nullable Const rc,
      @Nullable Vec rv,
      int count,
      Scratch s,
      @Nullable MemorySegment sel) {
    DataType t = a.type();
    MemorySegment lValidity = lv == null ? null : lv.validity();
    MemorySegment rValidity = rv == null ? null : rv.validity();
    MemorySegment outValidity =
        lValidity == null && rValidity == null ? null : Bits.alloc(s, count);
    var op = a.op();
    switch (layout(t)) {
      case I32 -> {
        MemorySegment out = s.allocate(4L * count);
        if (lv != null && rv != null) {
          ARITH.int32(
              op, lv.values(), lValidity, rv.values(), rValidity, sel, count, out, outValidity);
        } else if (lv != null) {
          ARITH.int32(
              op, lv.values(), lValidity, (Integer) value(rc), sel, count, out, outValidity);
        } else {
          ARITH.int32(
              op, (Integer) value(lc), vec(rv).values(), rValidity, sel, count, out, outValidity);
        }
        return Vec.fixed(t, count, out, outValidity);
      }
      case F64 -> {
        MemorySegment out = s.allocate(8L * count);
        if (lv != null && rv != null) {
          ARITH.float64(
              op, lv.values(), lValidity, rv.values(), rValidity, sel, count, out, outValidity);
        } else if (lv != null) {
          ARITH.float64(
              op, lv.values(), lValidity, (Double) value(rc), sel, count, out, outValidity);
        } else {
          ARITH.float64(
              op, (Double) value(lc), vec(rv).values(), rValidity, sel, count, out, outValidity);
        }
        return Vec.fixed(t, count, out, outValidity);
      }
      case I64 -> {
        MemorySegment out = s.allocate(8L * count);
        if (t.kind() == Kind.DECIMAL) {
          DecimalType lt = decimal(lv != null ? lv.type() : Objects.requireNonNull(lc).type());
          DecimalType rt = decimal(rv != null ? rv.type() : Objects.requireNonNull(rc).type());
          if (lv != null && rv != null) {
            ARITH.decimal(
                op,
                lt,
                lv.values(),
                lValidity,
                rt,
                rv.values(),
                rValidity,
                sel,
                count,
                out,
                outValidity);
          } else if (lv != null) {
            ARITH.decimal(
                op, lt, lv.values(), lValidity, rt, (Long) value(rc), sel, count, out, outValidity);
          } else {
            ARITH.decimal(
                op,
                lt,
                (Long) value(lc),
                rt,
                vec(rv).values(),
                rValidity,
                sel,
                count,
                out,
                outValidity);
          }
        } else if (lv != null && rv != null) {
          ARITH.int64(
              op, lv.values(), lValidity, rv.values(), rValidity, sel, count, out, outValidity);
        } else if (lv != null) {
          ARITH.int64(op, lv.values(), lValidity, (Long) value(rc), sel, count, out, outValidity);
        } else {
          ARITH.int64(
              op, (Long) value(lc), vec(rv).values(), rValidity, sel, count, out, outValidity);
        }
        return Vec.fixed(t, count, out, outValidity);
      }
      default -> throw new IllegalStateException("no arithmetic in " + t + ": " + a);
    }
  }

  private static Object value(@Nullable Const c) {
    return Objects.requireNonNull(Objects.requireNonNull(c, "constant").value(), "constant value");
  }

  private static Vec vec(@Nullable Vec v) {
    return Objects.requireNonNull(v, "operand");
  }

  /** Columns and constants can be read through the batch's selection by the kernels. */
  private static boolean readable(BoundExpr e) {
    return e instanceof ColumnRef || e instanceof Const;
  }

  /** The physical column of a column reference, or the dense value of an expression. */
  private static Vec operand(BoundExpr e, Batch b, Scratch s, boolean physical) {
    if (physical && e instanceof ColumnRef c) {
      return b.column(c.index());
    }
    return evaluate(e, b, s);
  }

  private static DecimalType decimal(DataType t) {
    return DecimalType.of(t.precision(), t.scale());
  }

  // ---- comparisons and predicates -------------------------------------------------------------

  private static Vec compare(CompareOp op, BoundExpr l, BoundExpr r, Batch b, Scratch s) {
    int count = b.count();
    if (l instanceof Const lc && lc.value() == null
        || r instanceof Const rc && rc.value() == null) {
      return allNull(DataType.BOOL, count, s);
    }
    if (l instanceof Const && !(r instanceof Const)) {
      return compare(op.flip(), r, l, b, s);
    }
    Vec lv = evaluate(l, b, s);
    MemorySegment out = Bits.alloc(s, count);
    if (r instanceof Const rc && layout(lv.type()) != Layout.BIT) {
      Object x = value(rc);
      MemorySegment vv = lv.validity();
      switch (layout(lv.type())) {
        case I32 -> FILTER.compareInt32Bitmap(op, lv.values(), vv, (Integer) x, count, out);
        case I64 -> FILTER.compareInt64Bitmap(op, lv.values(), vv, (Long) x, count, out);
        case F64 -> FILTER.compareFloat64Bitmap(op, lv.values(), vv, (Double) x, count, out);
        case DICT -> {
          Vec d = dict(lv);
          if (d.validity() != null) {
            return compare(op, utf8Rows(lv, null, count, s), (byte[]) x, count, s);
          }
          MemorySegment hits = s.allocate(Selection4.bytes(count));
          int h =
              STRINGS.dictionaryCompare(
                  lv.values(),
                  vv,
                  null,
                  count,
                  d.values(),
                  data(d),
                  null,
                  d.n(),
                  stringOp(op),
                  (byte[]) x,
                  hits);
          FILTER.selectionToBitmap(hits, h, count, out);
        }
        case TEXT -> {
          return compare(op, lv, (byte[]) x, count, s);
        }
        case BIT -> throw new IllegalStateException("unreachable");
      }
      return Vec.fixed(DataType.BOOL, count, out, vv);
    }
    Vec rv = evaluate(r, b, s);
    MemorySegment validity = Bits.andValidity(lv.validity(), rv.validity(), count, s);
    switch (layout(lv.type())) {
      case I32 ->
          FILTER.compareInt32ColumnsBitmap(
              op, lv.values(), lv.validity(), rv.values(), rv.validity(), count, out);
      case I64 ->
          FILTER.compareInt64ColumnsBitmap(
              op, lv.values(), lv.validity(), rv.values(), rv.validity(), count, out);
      case F64 ->
          FILTER.compareFloat64ColumnsBitmap(
              op, lv.values(), lv.validity(), rv.values(), rv.validity(), count, out);
      case TEXT, DICT -> {
        Vec a = utf8Rows(lv, null, count, s);
        Vec c = utf8Rows(rv, null, count, s);
        validity = Bits.andValidity(a.validity(), c.validity(), count, s);
        MemorySegment hits = s.allocate(Selection4.bytes(count));
        int h =
            STRINGS.compareColumns(
                a.values(),
                data(a),
                a.validity(),
                c.values(),
                data(c),
                c.validity(),
                null,
                count,
                stringOp(op),
                hits);
        FILTER.selectionToBitmap(hits, h, count, out);
      }
      case BIT -> {
        for (int w = 0, words = Bits.words(count); w < words; w++) {
          long x = Bits.word(lv.values(), w, count);
          long y = Bits.word(rv.values(), w, count);
          long bits =
              switch (op) {
                case EQ -> ~(x ^ y);
                case NE -> x ^ y;
                case LT -> ~x & y;
                case LE -> ~x | y;
                case GT -> x & ~y;
                case GE -> x | ~y;
              };
          Bits.put(out, w, bits & Bits.word(null, w, count));
        }
      }
    }
    return Vec.fixed(DataType.BOOL, count, out, validity);
  }

  /** A plain utf8 vec {@code op} a constant, as a bool vec. */
  private static Vec compare(CompareOp op, Vec v, byte[] c, int count, Scratch s) {
    MemorySegment out = Bits.alloc(s, count);
    STRINGS.compareBitmap(v.values(), data(v), v.validity(), count, stringOp(op), c, out);
    return Vec.fixed(DataType.BOOL, count, out, v.validity());
  }

  private static Vec logic(AndOr a, Batch b, Scratch s) {
    int count = b.count();
    int words = Bits.words(count);
    MemorySegment t = Bits.alloc(s, count); // known true
    MemorySegment f = Bits.alloc(s, count); // known false
    boolean anyNull = false;
    for (int i = 0; i < a.terms().size(); i++) {
      Vec v = evaluate(a.terms().get(i), b, s);
      MemorySegment vv = v.validity();
      anyNull |= vv != null;
      for (int w = 0; w < words; w++) {
        long bits = Bits.word(v.values(), w, count);
        long valid = Bits.word(vv, w, count);
        long ti = bits & valid;
        long fi = ~bits & valid;
        if (i == 0) {
          Bits.put(t, w, ti);
          Bits.put(f, w, fi);
        } else if (a.isAnd()) {
          Bits.put(t, w, Bits.word(t, w, count) & ti);
          Bits.put(f, w, Bits.word(f, w, count) | fi);
        } else {
          Bits.put(t, w, Bits.word(t, w, count) | ti);
          Bits.put(f, w, Bits.word(f, w, count) & fi);
        }
      }
    }
    if (!anyNull) {
      return Vec.fixed(DataType.BOOL, count, t, null);
    }
    for (int w = 0; w < words; w++) {
      Bits.put(f, w, Bits.word(t, w, count) | Bits.word(f, w, count)); // f becomes validity
    }
    return Vec.fixed(DataType.BOOL, count, t, f);
  }

  private static Vec not(Vec v, Scratch s) {
    int count = v.n();
    MemorySegment out = Bits.alloc(s, count);
    FILTER.notBitmap(v.values(), count, out);
    return Vec.fixed(DataType.BOOL, count, out, v.validity());
  }

  private static Vec isNull(BoundExpr.IsNull n, Batch b, Scratch s) {
    int count = b.count();
    MemorySegment validity;
    if (n.operand() instanceof ColumnRef c && b.column(c.index()).dictionary() == null) {
      MemorySegment vv = b.column(c.index()).validity();
      MemorySegment sel = b.sel();
      validity = vv == null || sel == null ? vv : Bits.gather(vv, sel, count, s);
    } else {
      Vec v = evaluate(n.operand(), b, s);
      if (v.dictionary() != null) {
        v = utf8Rows(v, null, count, s);
      }
      validity = v.validity();
    }
    MemorySegment out = Bits.alloc(s, count);
    if (n.negated()) {
      FILTER.isNotNullBitmap(validity, count, out);
    } else {
      FILTER.isNullBitmap(validity, count, out);
    }
    return Vec.fixed(DataType.BOOL, count, out, null);
  }

  private static Vec between(BoundExpr.Between w, Batch b, Scratch s) {
    int count = b.count();
    if (w.low() instanceof Const lo
        && w.high() instanceof Const hi
        && lo.value() != null
        && hi.value() != null
        && layout(w.operand().type()) != Layout.TEXT
        && layout(w.operand().type()) != Layout.DICT
        && layout(w.operand().type()) != Layout.BIT) {
      Vec v = evaluate(w.operand(), b, s);
      MemorySegment out = Bits.alloc(s, count);
      Object l = value(lo);
      Object h = value(hi);
      switch (layout(v.type())) {
        case I32 ->
            FILTER.betweenInt32Bitmap(
                v.values(), v.validity(), (Integer) l, (Integer) h, count, out);
        case I64 ->
            FILTER.betweenInt64Bitmap(v.values(), v.validity(), (Long) l, (Long) h, count, out);
        default ->
            FILTER.betweenFloat64Bitmap(
                v.values(), v.validity(), (Double) l, (Double) h, count, out);
      }
      return Vec.fixed(DataType.BOOL, count, out, v.validity());
    }
    return logic(
        new AndOr(
            true,
            List.of(
                new BoundExpr.Cmp(CompareOp.GE, w.operand(), w.low()),
                new BoundExpr.Cmp(CompareOp.LE, w.operand(), w.high()))),
        b,
        s);
  }

  private static Vec inList(BoundExpr.InList in, Batch b, Scratch s) {
    int count = b.count();
    Vec v = evaluate(in.operand(), b, s);
    if (v.dictionary() != null && dict(v).validity() != null) {
      v = utf8Rows(v, null, count, s);
    }
    MemorySegment out = Bits.alloc(s, count);
    MemorySegment vv = v.validity();
    switch (layout(v.type())) {
      case I32 -> FILTER.inInt32Bitmap(v.values(), vv, ints(in.values()), count, out);
      case I64 -> FILTER.inInt64Bitmap(v.values(), vv, longs(in.values()), count, out);
      case F64 -> FILTER.inFloat64Bitmap(v.values(), vv, doubles(in.values()), count, out);
      case TEXT -> STRINGS.inBitmap(v.values(), data(v), vv, count, texts(in.values()), out);
      case DICT -> {
        Vec d = dict(v);
        MemorySegment hits = s.allocate(Selection4.bytes(count));
        int h =
            STRINGS.dictionaryIn(
                v.values(),
                vv,
                null,
                count,
                d.values(),
                data(d),
                null,
                d.n(),
                texts(in.values()),
                hits);
        FILTER.selectionToBitmap(hits, h, count, out);
      }
      case BIT -> {
        boolean hasTrue = false;
        boolean hasFalse = false;
        for (Const c : in.values()) {
          hasTrue |= Boolean.TRUE.equals(c.value());
          hasFalse |= Boolean.FALSE.equals(c.value());
        }
        for (int w = 0, words = Bits.words(count); w < words; w++) {
          long x = Bits.word(v.values(), w, count);
          Bits.put(out, w, ((hasTrue ? x : 0) | (hasFalse ? ~x : 0)) & Bits.word(null, w, count));
        }
      }
    }
    Vec result = Vec.fixed(DataType.BOOL, count, out, vv);
    return in.negated() ? not(result, s) : result;
  }

  private static Vec like(BoundExpr.Like l, Batch b, Scratch s) {
    int count = b.count();
    Vec v = evaluate(l.operand(), b, s);
    if (v.dictionary() != null && dict(v).validity() != null) {
      v = utf8Rows(v, null, count, s);
    }
    MemorySegment out = Bits.alloc(s, count);
    Vec d = v.dictionary();
    if (d != null) {
      MemorySegment hits = s.allocate(Selection4.bytes(count));
      int h =
          STRINGS.dictionaryLike(
              v.values(),
              v.validity(),
              null,
              count,
              d.values(),
              data(d),
              null,
              d.n(),
              l.pattern(),
              hits);
      FILTER.selectionToBitmap(hits, h, count, out);
    } else {
      STRINGS.likeBitmap(v.values(), data(v), v.validity(), count, l.pattern(), out);
    }
    Vec result = Vec.fixed(DataType.BOOL, count, out, v.validity());
    return l.negated() ? not(result, s) : result;
  }

  // ---- CASE -----------------------------------------------------------------------------------

  private static Vec caseOf(BoundExpr.Case c, Batch b, Scratch s) {
    int count = b.count();
    int branches = c.conditions().size();
    MemorySegment remRows = s.allocate(Selection4.bytes(count));
    MemorySegment remPos = s.allocate(Selection4.bytes(count));
    for (int k = 0; k < count; k++) {
      remRows.setAtIndex(ArrowLayout.INT32, k, b.row(k));
      remPos.setAtIndex(ArrowLayout.INT32, k, k);
    }
    int rem = count;
    Vec[] parts = new Vec[branches + 1];
    MemorySegment[] positions = new MemorySegment[branches + 1];
    int[] counts = new int[branches + 1];
    int used = 0;
    for (int i = 0; i < branches && rem > 0; i++) {
      Batch sub = b.withSelection(remRows, rem);
      MemorySegment hitRows = s.allocate(Selection4.bytes(rem));
      int h = filter(c.conditions().get(i), sub, s, hitRows);
      if (h == 0) {
        continue;
      }
      MemorySegment hitPos = s.allocate(Selection4.bytes(h));
      int j = 0;
      int keep = 0;
      for (int r = 0; r < rem; r++) {
        int row = remRows.getAtIndex(ArrowLayout.INT32, r);
        int pos = remPos.getAtIndex(ArrowLayout.INT32, r);
        if (j < h && hitRows.getAtIndex(ArrowLayout.INT32, j) == row) {
          hitPos.setAtIndex(ArrowLayout.INT32, j++, pos);
        } else {
          remRows.setAtIndex(ArrowLayout.INT32, keep, row);
          remPos.setAtIndex(ArrowLayout.INT32, keep++, pos);
        }
      }
      rem = keep;
      parts[used] = evaluate(c.values().get(i), b.withSelection(hitRows, h), s);
      positions[used] = hitPos;
      counts[used++] = h;
    }
    if (rem > 0) {
      parts[used] = evaluate(c.otherwise(), b.withSelection(remRows, rem), s);
      positions[used] = remPos;
      counts[used++] = rem;
    }
    return assemble(c.type(), parts, positions, counts, used, count, s);
  }

  /** Scatters the dense parts to their positions in a vec of {@code count} rows. */
  private static Vec assemble(
      DataType t,
      Vec[] parts,
      MemorySegment[] positions,
      int[] counts,
      int used,
      int count,
      Scratch s) {
    boolean nullable = false;
    for (int i = 0; i < used; i++) {
      nullable |= parts[i].validity() != null;
    }
    MemorySegment validity = nullable ? Bits.alloc(s, count) : null;
    switch (layout(t)) {
      case I32 -> {
        MemorySegment out = s.allocate(4L * count);
        for (int i = 0; i < used; i++) {
          FILTER.scatterInt32(
              parts[i].values(),
              parts[i].validity(),
              counts[i],
              positions[i],
              count,
              out,
              validity);
        }
        return Vec.fixed(t, count, out, validity);
      }
      case I64 -> {
        MemorySegment out = s.allocate(8L * count);
        for (int i = 0; i < used; i++) {
          FILTER.scatterInt64(
              parts[i].values(),
              parts[i].validity(),
              counts[i],
              positions[i],
              count,
              out,
              validity);
        }
        return Vec.fixed(t, count, out, validity);
      }
      case F64 -> {
        MemorySegment out = s.allocate(8L * count);
        for (int i = 0; i < used; i++) {
          FILTER.scatterFloat64(
              parts[i].values(),
              parts[i].validity(),
              counts[i],
              positions[i],
              count,
              out,
              validity);
        }
        return Vec.fixed(t, count, out, validity);
      }
      case BIT -> {
        MemorySegment out = Bits.alloc(s, count);
        for (int i = 0; i < used; i++) {
          Vec p = parts[i];
          for (int k = 0; k < counts[i]; k++) {
            int pos = positions[i].getAtIndex(ArrowLayout.INT32, k);
            Validity.set(out, pos, p.getBool(k));
            if (validity != null) {
              Validity.set(validity, pos, !p.isNull(k));
            }
          }
        }
        return Vec.fixed(t, count, out, validity);
      }
      case TEXT, DICT -> {
        MemorySegment offsets = s.allocate(4L * (count + 1));
        for (int i = 0; i < used; i++) {
          Vec p = parts[i];
          for (int k = 0; k < counts[i]; k++) {
            int pos = positions[i].getAtIndex(ArrowLayout.INT32, k);
            boolean valid = !p.isNull(k);
            int len =
                valid
                    ? p.values().getAtIndex(ArrowLayout.INT32, k + 1L)
                        - p.values().getAtIndex(ArrowLayout.INT32, k)
                    : 0;
            offsets.setAtIndex(ArrowLayout.INT32, pos + 1L, len);
            if (validity != null) {
              Validity.set(validity, pos, valid);
            }
          }
        }
        long total = 0;
        for (int k = 0; k < count; k++) {
          total += offsets.getAtIndex(ArrowLayout.INT32, k + 1L);
          if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("utf8 column of " + count + " rows exceeds 2 GiB");
          }
          offsets.setAtIndex(ArrowLayout.INT32, k + 1L, (int) total);
        }
        MemorySegment data = s.allocate(Math.max(1, total));
        for (int i = 0; i < used; i++) {
          Vec p = parts[i];
          MemorySegment pd = data(p);
          for (int k = 0; k < counts[i]; k++) {
            int pos = positions[i].getAtIndex(ArrowLayout.INT32, k);
            int to = offsets.getAtIndex(ArrowLayout.INT32, pos);
            int len = offsets.getAtIndex(ArrowLayout.INT32, pos + 1L) - to;
            if (len > 0) {
              MemorySegment.copy(pd, p.values().getAtIndex(ArrowLayout.INT32, k), data, to, len);
            }
          }
        }
        return Vec.utf8(count, offsets, data, validity);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  // ---- casts and functions --------------------------------------------------------------------

  private static Vec cast(BoundExpr.CastTo c, Batch b, Scratch s) {
    DataType to = c.type();
    BoundExpr op = c.operand();
    DataType from = op.type();
    int count = b.count();
    if (from.equals(to)) {
      return evaluate(op, b, s);
    }
    if (from.isString()) {
      Vec v = utf8Rows(evaluate(op, b, s), null, count, s);
      return to.isString() ? v : TextCasts.fromUtf8(v, to, s);
    }
    if (to.isString()) {
      return TextCasts.toUtf8(evaluate(op, b, s), s);
    }
    if (from.kind() == Kind.DATE32 && to.kind() == Kind.TIMESTAMP) {
      return TextCasts.dateToTimestamp(evaluate(op, b, s), s);
    }
    if (from.kind() == Kind.TIMESTAMP && to.kind() == Kind.DATE32) {
      return TextCasts.timestampToDate(evaluate(op, b, s), s);
    }
    MemorySegment sel = b.sel();
    boolean physical = sel != null && op instanceof ColumnRef;
    Vec v = operand(op, b, s, physical);
    MemorySegment kernelSel = physical ? sel : null;
    MemorySegment a = v.values();
    MemorySegment av = v.validity();
    MemorySegment outValidity = av == null ? null : Bits.alloc(s, count);
    MemorySegment out = s.allocate(8L * count);
    Kind f = from.kind();
    Kind t = to.kind();
    if (f == Kind.INT32 && t == Kind.INT64) {
      ARITH.int32ToInt64(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.INT64 && t == Kind.INT32) {
      ARITH.int64ToInt32(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.INT32 && t == Kind.FLOAT64) {
      ARITH.int32ToFloat64(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.INT64 && t == Kind.FLOAT64) {
      ARITH.int64ToFloat64(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.FLOAT64 && t == Kind.INT32) {
      ARITH.float64ToInt32(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.FLOAT64 && t == Kind.INT64) {
      ARITH.float64ToInt64(a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.INT32 && t == Kind.DECIMAL) {
      ARITH.int32ToDecimal(a, av, decimal(to), kernelSel, count, out, outValidity);
    } else if (f == Kind.INT64 && t == Kind.DECIMAL) {
      ARITH.int64ToDecimal(a, av, decimal(to), kernelSel, count, out, outValidity);
    } else if (f == Kind.DECIMAL && t == Kind.FLOAT64) {
      ARITH.decimalToFloat64(decimal(from), a, av, kernelSel, count, out, outValidity);
    } else if (f == Kind.FLOAT64 && t == Kind.DECIMAL) {
      ARITH.float64ToDecimal(a, av, decimal(to), kernelSel, count, out, outValidity);
    } else if (f == Kind.DECIMAL && t == Kind.DECIMAL) {
      ARITH.rescaleDecimal(decimal(from), a, av, decimal(to), kernelSel, count, out, outValidity);
    } else if (f == Kind.DECIMAL && (t == Kind.INT64 || t == Kind.INT32)) {
      // rounds HALF_UP to an integer, as PostgreSQL does
      ARITH.rescaleDecimal(
          decimal(from),
          a,
          av,
          DecimalType.of(DecimalType.MAX_PRECISION, 0),
          kernelSel,
          count,
          out,
          outValidity);
      if (t == Kind.INT32) {
        MemorySegment narrow = s.allocate(4L * count);
        ARITH.int64ToInt32(out, outValidity, null, count, narrow, outValidity);
        out = narrow;
      }
    } else {
      throw new IllegalStateException("no cast from " + from + " to " + to);
    }
    return Vec.fixed(to, count, out, outValidity);
  }

  private static Vec extract(BoundExpr.Extract x, Batch b, Scratch s) {
    int count = b.count();
    MemorySegment sel = b.sel();
    boolean physical = sel != null && x.operand() instanceof ColumnRef;
    Vec v = operand(x.operand(), b, s, physical);
    MemorySegment outValidity = v.validity() == null ? null : Bits.alloc(s, count);
    MemorySegment out = s.allocate(4L * count);
    ARITH.extract(
        x.part(), v.values(), v.validity(), physical ? sel : null, count, out, outValidity);
    return Vec.fixed(DataType.INT32, count, out, outValidity);
  }

  private static Vec addMonths(BoundExpr.AddMonths m, Batch b, Scratch s) {
    int count = b.count();
    Vec v = operand(m.operand(), b, s, false);
    MemorySegment out = s.allocate(4L * Math.max(1, count));
    for (int i = 0; i < count; i++) {
      if (!v.isNull(i)) {
        long day = java.time.LocalDate.ofEpochDay(v.getInt(i)).plusMonths(m.months()).toEpochDay();
        out.setAtIndex(ArrowLayout.INT32, i, (int) day);
      }
    }
    return Vec.fixed(DataType.DATE32, count, out, v.validity());
  }

  /** The operand of a string function: a plain utf8 vec, with the selection to read it through. */
  private static Vec textOperand(BoundExpr e, Batch b, Scratch s, boolean physical) {
    Vec v = operand(e, b, s, physical);
    return v.dictionary() == null ? v : utf8Rows(v, physical ? b.sel() : null, b.count(), s);
  }

  private static Vec charLength(BoundExpr.CharLength c, Batch b, Scratch s) {
    int count = b.count();
    MemorySegment sel = b.sel();
    boolean physical =
        sel != null && c.operand() instanceof ColumnRef && c.operand().type().kind() == Kind.UTF8;
    Vec v = textOperand(c.operand(), b, s, physical);
    MemorySegment outValidity = v.validity() == null ? null : Bits.alloc(s, count);
    MemorySegment out = s.allocate(4L * count);
    STRINGS.charLength(
        v.values(), data(v), v.validity(), physical ? sel : null, count, out, outValidity);
    return Vec.fixed(DataType.INT32, count, out, outValidity);
  }

  private static Vec substring(BoundExpr.Substring sub, Batch b, Scratch s) {
    int count = b.count();
    MemorySegment sel = b.sel();
    boolean physical =
        sel != null
            && sub.operand() instanceof ColumnRef
            && sub.operand().type().kind() == Kind.UTF8;
    Vec v = textOperand(sub.operand(), b, s, physical);
    MemorySegment kernelSel = physical ? sel : null;
    long size =
        STRINGS.substringSize(
            v.values(), data(v), v.validity(), kernelSel, count, sub.start(), sub.length());
    MemorySegment outValidity = v.validity() == null ? null : Bits.alloc(s, count);
    MemorySegment offsets = s.allocate(4L * (count + 1));
    MemorySegment data = s.allocate(Math.max(1, size));
    STRINGS.substring(
        v.values(),
        data(v),
        v.validity(),
        kernelSel,
        count,
        sub.start(),
        sub.length(),
        offsets,
        data,
        outValidity);
    return Vec.utf8(count, offsets, data, outValidity);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** How a compute type is laid out, which picks the kernel family. */
  private enum Layout {
    BIT,
    I32,
    I64,
    F64,
    TEXT,
    DICT
  }

  private static Layout layout(DataType t) {
    return switch (t.kind()) {
      case BOOL -> Layout.BIT;
      case INT8, INT16, INT32, DATE32 -> Layout.I32;
      case INT64, DECIMAL, TIMESTAMP -> Layout.I64;
      case FLOAT32, FLOAT64 -> Layout.F64;
      case UTF8 -> Layout.TEXT;
      case DICTIONARY_UTF8 -> Layout.DICT;
    };
  }

  private static StringKernels.Op stringOp(CompareOp op) {
    return switch (op) {
      case EQ -> StringKernels.Op.EQ;
      case NE -> StringKernels.Op.NE;
      case LT -> StringKernels.Op.LT;
      case LE -> StringKernels.Op.LE;
      case GT -> StringKernels.Op.GT;
      case GE -> StringKernels.Op.GE;
    };
  }

  private static MemorySegment data(Vec v) {
    return Objects.requireNonNull(v.data(), "utf8 vec without data");
  }

  private static Vec dict(Vec v) {
    return Objects.requireNonNull(v.dictionary(), "dictionary vec without a dictionary");
  }

  private static int[] ints(List<Const> values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Integer) value(values.get(i));
    }
    return out;
  }

  private static long[] longs(List<Const> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Long) value(values.get(i));
    }
    return out;
  }

  private static double[] doubles(List<Const> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Double) value(values.get(i));
    }
    return out;
  }

  private static byte[][] texts(List<Const> values) {
    byte[][] out = new byte[values.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte[]) value(values.get(i));
    }
    return out;
  }

  /** Selection sizes (int32 entries), at least one entry so that empty slices stay valid. */
  private static final class Selection4 {
    private Selection4() {}

    static long bytes(int rows) {
      return 4L * Math.max(1, rows);
    }
  }
}
