#!/usr/bin/python3
"""Starts the amalgam kernel N times headlessly and runs `1+1` in each; fails on any hang.

Each start: start the kernel, wait_for_ready with a timeout, execute `1+1` and check that the
result is 2, shut the kernel down and check that its process is gone. A start that takes longer
than the timeouts fails the run (and so does a kernel that dies), with the start's number.

    /usr/bin/python3 .ci/kernel_starts.py [--count 50] [--kernel amalgam] [--timeout 60]
"""
import argparse
import sys
import time

from jupyter_client import KernelManager


def one_start(name, timeout):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=timeout)
        results = []

        def hook(msg):
            if msg["msg_type"] == "execute_result":
                results.append(msg["content"]["data"].get("text/plain"))

        reply = kc.execute_interactive("1+1", timeout=timeout, output_hook=hook)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("1+1 failed: %s" % reply["content"])
        if results != ["2"]:
            raise RuntimeError("1+1 gave %r" % (results,))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    if km.is_alive():
        raise RuntimeError("the kernel process is still alive after shutdown")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=50)
    p.add_argument("--kernel", default="amalgam")
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    times = []
    for i in range(1, a.count + 1):
        t0 = time.monotonic()
        try:
            one_start(a.kernel, a.timeout)
        except Exception as e:  # noqa: BLE001 - report which start failed and how
            print("kernel start %d of %d failed: %s: %s" % (i, a.count, type(e).__name__, e))
            return 1
        times.append(time.monotonic() - t0)
        print("start %d: ready, 1+1 = 2, shut down in %.1f s" % (i, times[-1]), flush=True)
    times.sort()
    print(
        "kernel starts: %d of %d without a hang (median %.1f s, max %.1f s)"
        % (len(times), a.count, times[len(times) // 2], times[-1])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
