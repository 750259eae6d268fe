package dev.amalgam.memory;

import java.util.concurrent.Executor;

/** A place with memory and compute: the host or a GPU member of the fused device. */
public interface Device {
  /** Index of the device in its topology (stable for the memory's lifetime). */
  int id();

  /** The device's name in its topology, e.g. {@code gpu0}. */
  String name();

  /** Host or GPU. */
  DeviceKind kind();

  /** The device's description. */
  DeviceSpec spec();

  /** Bytes of pages the device may hold at once. */
  long capacity();

  /** Bytes of pages resident on the device now. */
  long residentBytes();

  /** True when the device is simulated (its link times are modeled). */
  boolean simulated();

  /** True when the host can address the device's memory directly. */
  boolean hostAddressable();

  /** Runs work on the device's own worker threads. */
  Executor executor();
}
