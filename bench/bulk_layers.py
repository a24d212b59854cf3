"""Where bulk time goes: the same documents through each layer of `claimflow reprocess`.

    python bench/bulk_layers.py FOLDER [--rounds N]

FOLDER holds invoices made by samples/generate.py (with its truth/ beside it), e.g. the
text_pdf/invoices folder that bench/throughput.py leaves in its workdir. Each round runs, each
in fresh processes and one after the other (a shared VM's speed drifts, so compare within a
round): the bulk code in one process with no Prefect or Dask (`process_batch` after 20 warm-up
documents); two such processes at once on halves of the folder and one SQLite store; a Dask
LocalCluster of 1 and 2 workers with no Prefect; and the Prefect flow on Dask, as
`claimflow reprocess` runs it. Prints milliseconds per document (steady: from the moment every
worker finished its first document).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
WARM = 20


def _steady(url: str, run_id: int, folder: Path) -> float:
    from throughput import pages_of, steady_rate

    files = sorted(folder.iterdir())
    return 1000 / steady_rate(url, run_id, pages_of(folder.parent, files))[0]


def inner_one(folder: Path, url: str) -> None:
    """The bulk code in this process: prints ms/doc after WARM documents."""
    from pipeline import bulk, db

    sessions = db.session_factory(url)
    sel = bulk.Selection(paths=[str(folder)])
    run_id, _ = bulk.open_run(sessions, sel)
    ids = bulk.pending(sessions, run_id)
    bulk.process_batch(url, run_id, ids[:WARM], sel)
    t = time.perf_counter()
    bulk.process_batch(url, run_id, ids[WARM:], sel)
    print(1000 * (time.perf_counter() - t) / max(1, len(ids) - WARM))


def inner_dask(folder: Path, url: str, workers: int) -> None:
    from distributed import Client, LocalCluster, wait

    from pipeline import bulk, db, flows

    sessions = db.session_factory(url)
    sel = bulk.Selection(paths=[str(folder)])
    run_id, _ = bulk.open_run(sessions, sel)
    with LocalCluster(**flows.local_cluster_kwargs(workers)) as cluster, Client(cluster) as client:
        wait([client.submit(bulk.drain, url, run_id, sel, pure=False) for _ in range(workers)])
    print(_steady(url, run_id, folder))


def inner_prefect(folder: Path, url: str, workers: int) -> None:
    from pipeline.cli_reprocess import run

    summary = run(paths=[str(folder)], document_ids=[], query=None, db_url=url, force=True,
                  insured_file=None, workers=workers, dask_address=None, batch_size=None)
    print(_steady(url, summary["run_id"], folder))


def _child(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--inner", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _ms(proc: subprocess.Popen) -> float:
    out, _ = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{proc.args[3:]} failed with exit code {proc.returncode}")
    return float(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, nargs="?")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--inner", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        mode, folder, url, *rest = args.inner
        {"one": lambda: inner_one(Path(folder), url),
         "dask": lambda: inner_dask(Path(folder), url, int(rest[0])),
         "prefect": lambda: inner_prefect(Path(folder), url, int(rest[0]))}[mode]()
        return
    folder = args.folder.resolve()
    work = Path(tempfile.mkdtemp(prefix="claimflow-layers-"))
    halves = [work / "a" / "invoices", work / "b" / "invoices"]
    files = sorted(folder.iterdir())
    for half, part in zip(halves, (files[:len(files) // 2], files[len(files) // 2:])):
        half.mkdir(parents=True)
        (half.parent / "truth").symlink_to(folder.parent / "truth")
        for f in part:
            (half / f.name).symlink_to(f)
    from pipeline.db import session_factory
    from throughput import fresh_store

    print(f"{len(files)} documents; ms per document, lower is better", file=sys.stderr)
    for r in range(args.rounds):
        one = _ms(_child("one", str(folder), fresh_store(work / "one.sqlite")))
        shared = fresh_store(work / "two.sqlite")
        session_factory(shared)  # migrate once, before two processes race to
        pair = [_child("one", str(h), shared) for h in halves]
        a, b = (_ms(p) for p in pair)
        row = {"one process": one, "two processes (each)": (a + b) / 2}
        for w in (1, 2):
            row[f"dask {w}w"] = _ms(_child("dask", str(folder), fresh_store(work / "d.sqlite"), str(w)))
            row[f"prefect {w}w"] = _ms(_child("prefect", str(folder), fresh_store(work / "p.sqlite"),
                                              str(w)))
        print(f"round {r + 1}: " + "; ".join(f"{k} {v:.1f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
