"""CPU that a local bulk worker's own event loop takes from its task (Dask's periodic callbacks).

    python bench/dask_loop.py [--seconds S] [dask.config key=value ...]

Starts one local worker as `claimflow reprocess` does (flows.local_cluster_kwargs, then any
config given here on top), runs a pure-Python task for S seconds in it, and prints the CPU time
of the worker's main thread (its event loop) and of the task's thread over that time. The task
holds the GIL except when the loop takes it, so the loop's share is what it costs the task.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu_ticks(tid: int) -> int:
    with open(f"/proc/self/task/{tid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def spin(seconds: float) -> tuple[int, int]:
    """(event loop ticks, task ticks) while this task computes for `seconds`."""
    import threading

    loop, me = threading.main_thread().native_id, threading.get_native_id()
    a, b = _cpu_ticks(loop), _cpu_ticks(me)
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        sum(i * i for i in range(1000))
    return _cpu_ticks(loop) - a, _cpu_ticks(me) - b


def main() -> None:
    import os

    import dask
    from distributed import Client, LocalCluster

    from pipeline import flows

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("config", nargs="*", help="dask config overrides, key=value")
    args = ap.parse_args()
    kw = flows.local_cluster_kwargs(1)
    extra = dict(x.split("=", 1) for x in args.config)
    dask.config.set(extra)
    hz = os.sysconf("SC_CLK_TCK")
    with LocalCluster(**kw) as cluster, Client(cluster) as client:
        client.submit(spin, 1.0, pure=False).result()  # the worker's start-up settles first
        loop, task = client.submit(spin, args.seconds, pure=False).result()
    print(f"{extra or 'claimflow defaults'}: event loop {100 * loop / hz / args.seconds:.2f}% of a "
          f"core, task {100 * task / hz / args.seconds:.1f}% over {args.seconds:.0f} s")


if __name__ == "__main__":
    main()
