"""Garbage-collection time of a bulk worker over text PDFs, with and without `bulk.settle_gc`.

    python bench/gc_worker.py FOLDER [--defaults]

Runs the backlog on a 1-worker Dask cluster (no Prefect): its first 20 documents, then the rest
as `claimflow reprocess` runs it (bulk.drain), and prints the collector's seconds and collections
per generation over the rest (gc.callbacks in the worker). --defaults undoes the settling before
the rest (unfreeze, threshold 700).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _install() -> None:
    import gc
    import time

    gc._bench = [0.0, 0.0, [0, 0, 0]]

    def cb(phase, info):
        if phase == "start":
            gc._bench[1] = time.perf_counter()
        else:
            gc._bench[0] += time.perf_counter() - gc._bench[1]
            gc._bench[2][info["generation"]] += 1

    gc.callbacks.append(cb)


def _reset(defaults: bool) -> None:
    import gc

    gc._bench[0], gc._bench[2] = 0.0, [0, 0, 0]
    if defaults:
        gc.unfreeze()
        gc.set_threshold(700, 10, 10)


def _read():
    import gc

    return round(gc._bench[0], 3), gc._bench[2], gc.get_threshold()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--defaults", action="store_true")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    from pipeline import bulk, flows
    from pipeline.db import session_factory

    db = f"sqlite:///{tempfile.mkdtemp(prefix='claimflow-gc-')}/store.sqlite"
    sessions = session_factory(db)
    sel = bulk.Selection(paths=[os.path.abspath(args.folder)])
    run_id, _ = bulk.open_run(sessions, sel)
    first = bulk.pending(sessions, run_id)[:20]
    with LocalCluster(**flows.local_cluster_kwargs(1)) as cluster, Client(cluster) as client:
        client.run(_install)
        client.submit(bulk.process_batch, db, run_id, first, sel, pure=False).result()
        client.run(_reset, args.defaults)
        n = client.submit(bulk.drain, db, run_id, sel, pure=False).result()["processed"]
        seconds, collections, threshold = next(iter(client.run(_read).values()))
    print(f"{n} documents after the first {len(first)}: GC {seconds:.3f} s, collections per generation "
          f"{collections}, threshold {threshold}")


if __name__ == "__main__":
    main()
