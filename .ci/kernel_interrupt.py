#!/usr/bin/python3
"""Checks interrupts through the Jupyter protocol: a CPU-bound Java loop and a long query are each
interrupted with KernelManager.interrupt_kernel(), must end with an error within the timeout, and
the kernel must answer the next cell.

    /usr/bin/python3 .ci/kernel_interrupt.py [--kernel amalgam] [--timeout 60]
"""
import argparse
import sys
import threading
import time

from jupyter_client import KernelManager

LOOP = "long spins = 0;\nwhile (true) { spins++; }"
QUERY = (
    "%%sql\nSELECT count(*) FROM lineitem a, lineitem b WHERE a.l_suppkey = b.l_suppkey"
    " AND a.l_partkey <> b.l_partkey AND a.l_quantity + b.l_quantity > 0"
)


def run(kc, code, timeout):
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: None)
    return reply["content"]


def interrupted(km, kc, code, timeout):
    timer = threading.Timer(3.0, km.interrupt_kernel)
    timer.start()
    t0 = time.monotonic()
    content = run(kc, code, timeout)
    timer.cancel()
    took = time.monotonic() - t0 - 3.0
    if content["status"] != "error":
        raise RuntimeError("the cell was not interrupted: %s" % content)
    return content["ename"], content["evalue"], took


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", default="amalgam")
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    km = KernelManager(kernel_name=a.kernel)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=a.timeout)
        if run(kc, "%tpch 0.01", a.timeout)["status"] != "ok":
            raise RuntimeError("%tpch 0.01 failed")
        for name, code in (("Java loop", LOOP), ("long query", QUERY)):
            ename, evalue, took = interrupted(km, kc, code, a.timeout)
            after = run(kc, "1 + 2", a.timeout)
            if after["status"] != "ok":
                raise RuntimeError("the kernel did not answer after the interrupt: %s" % after)
            print("interrupt of a %s: %s (%s) %.1f s after the interrupt; next cell ok"
                  % (name, ename, evalue, took))
    except Exception as e:  # noqa: BLE001
        print("interrupt check failed: %s: %s" % (type(e).__name__, e))
        return 1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
