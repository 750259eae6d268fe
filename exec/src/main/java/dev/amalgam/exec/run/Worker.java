package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import dev.amalgam.memory.Pin;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker of a pipeline: a thread of a member device with its scratch memory and the pins of the
 * morsel in flight. Used by its own thread only.
 */
public final class Worker implements AutoCloseable {
  private final Device device;
  private final int index;
  private final QueryContext query;
  private final Scratch scratch;
  private final List<Pin> pins = new ArrayList<>();

  /** A worker of {@code device}. */
  public Worker(Device device, int index, QueryContext query) {
    this.device = device;
    this.index = index;
    this.query = query;
    this.scratch = new Scratch(query.scratchConsumer());
  }

  /** The device it runs on. */
  public Device device() {
    return device;
  }

  /** Its number on the device. */
  public int index() {
    return index;
  }

  /** The query. */
  public QueryContext query() {
    return query;
  }

  /** Scratch memory for the batch in flight. */
  public Scratch scratch() {
    return scratch;
  }

  /** Holds a pin until the batch in flight is done. */
  public void hold(Pin pin) {
    pins.add(pin);
  }

  /** Closes the morsel's pins and frees its scratch. */
  public void endMorsel() {
    RuntimeException failure = null;
    for (Pin p : pins) {
      try {
        p.close();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    pins.clear();
    scratch.reset();
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() {
    try {
      endMorsel();
    } finally {
      scratch.close();
    }
  }
}
