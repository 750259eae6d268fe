package dev.amalgam.arrowio.arrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The structs of the Arrow C Data Interface, described in one place (all fields 8 bytes, x86-64 and
 * aarch64 alike).
 *
 * <pre>
 *  ArrowSchema (72)   0 format*  8 name*  16 metadata*  24 flags  32 n_children  40 children**
 *                     48 dictionary*  56 release()  64 private_data
 *  ArrowArray (80)    0 length  8 null_count  16 offset  24 n_buffers  32 n_children
 *                     40 buffers**  48 children**  56 dictionary*  64 release()  72 private_data
 *  ArrowArrayStream   0 get_schema(stream*, ArrowSchema*) -> int   8 get_next(stream*, ArrowArray*)
 *  (40)               -> int   16 get_last_error(stream*) -> char*   24 release(stream*)
 *                     32 private_data
 * </pre>
 */
final class CDataLayout {
  private CDataLayout() {}

  static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG;
  static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

  static final StructLayout SCHEMA =
      MemoryLayout.structLayout(
          PTR.withName("format"),
          PTR.withName("name"),
          PTR.withName("metadata"),
          I64.withName("flags"),
          I64.withName("n_children"),
          PTR.withName("children"),
          PTR.withName("dictionary"),
          PTR.withName("release"),
          PTR.withName("private_data"));

  static final StructLayout ARRAY =
      MemoryLayout.structLayout(
          I64.withName("length"),
          I64.withName("null_count"),
          I64.withName("offset"),
          I64.withName("n_buffers"),
          I64.withName("n_children"),
          PTR.withName("buffers"),
          PTR.withName("children"),
          PTR.withName("dictionary"),
          PTR.withName("release"),
          PTR.withName("private_data"));

  static final StructLayout STREAM =
      MemoryLayout.structLayout(
          PTR.withName("get_schema"),
          PTR.withName("get_next"),
          PTR.withName("get_last_error"),
          PTR.withName("release"),
          PTR.withName("private_data"));

  // ArrowSchema offsets
  static final long S_FORMAT = 0;
  static final long S_NAME = 8;
  static final long S_METADATA = 16;
  static final long S_FLAGS = 24;
  static final long S_N_CHILDREN = 32;
  static final long S_CHILDREN = 40;
  static final long S_DICTIONARY = 48;
  static final long S_RELEASE = 56;
  static final long S_PRIVATE = 64;

  // ArrowArray offsets
  static final long A_LENGTH = 0;
  static final long A_NULL_COUNT = 8;
  static final long A_OFFSET = 16;
  static final long A_N_BUFFERS = 24;
  static final long A_N_CHILDREN = 32;
  static final long A_BUFFERS = 40;
  static final long A_CHILDREN = 48;
  static final long A_DICTIONARY = 56;
  static final long A_RELEASE = 64;
  static final long A_PRIVATE = 72;

  // ArrowArrayStream offsets
  static final long T_GET_SCHEMA = 0;
  static final long T_GET_NEXT = 8;
  static final long T_GET_LAST_ERROR = 16;
  static final long T_RELEASE = 24;
  static final long T_PRIVATE = 32;

  static final long FLAG_NULLABLE = 2;

  static final FunctionDescriptor GET = FunctionDescriptor.of(ValueLayout.JAVA_INT, PTR, PTR);
  static final FunctionDescriptor LAST_ERROR = FunctionDescriptor.of(PTR, PTR);
  static final FunctionDescriptor RELEASE = FunctionDescriptor.ofVoid(PTR);

  static final MethodHandle CALL_GET = Linker.nativeLinker().downcallHandle(GET);
  static final MethodHandle CALL_LAST_ERROR = Linker.nativeLinker().downcallHandle(LAST_ERROR);
  static final MethodHandle CALL_RELEASE = Linker.nativeLinker().downcallHandle(RELEASE);
}
