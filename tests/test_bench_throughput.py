"""bench/throughput.py's figures from its runs' numbers (no runs here)."""
import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "throughput", Path(__file__).resolve().parents[1] / "bench" / "throughput.py")
throughput = importlib.util.module_from_spec(spec)
spec.loader.exec_module(throughput)


def _run(rate, items, seconds, read, peak=0.7):
    return {"steady_docs_per_s": rate, "steady_pages_per_s": rate * 1.1, "docs": items + 1,
            "wall_s": 30.0, "failed": 0, "errors": 0, "peak_rss_gib": peak,
            "steady_items": items, "steady_s": seconds, "steady_read_s": read,
            "warm_items": 0, "warm_s": 0.0, "warm_read_s": 0.0}


def test_the_row_gives_speed_up_overhead_and_the_machines_speed_in_each_run():
    stages = {"read": 0.05, "fields": 0.004, "classify": 0.006}
    one = _run(rate=16.0, items=100, seconds=6.0, read=5.0)  # 60 ms/doc, 50 ms of it reading
    # two workers, 200 documents between them, both reading 10 % slower than the 1-worker run
    two = _run(rate=25.0, items=200, seconds=13.2, read=11.0)
    row = throughput.summarize("text_pdf", 300, 330, stages, one, two)
    assert row["speedup"] == pytest.approx(25.0 / 16.0)
    assert row["overhead_pct"] == pytest.approx(20.0)
    assert row["overhead_ms_per_doc"] == pytest.approx(10.0)
    assert row["worker_read_s_per_doc_2w"] == pytest.approx(0.055)
    assert row["read_slower_2w_pct"] == pytest.approx(10.0)
    assert row["overhead_pct_2w"] == pytest.approx(20.0)
    assert row["docs_per_min_2w"] == pytest.approx(1500.0)


def test_a_run_without_steady_items_gives_no_figure_rather_than_a_wrong_one():
    stages = {"read": 0.05, "fields": 0.004, "classify": 0.006}
    row = throughput.summarize("scan", 1, 1, stages, _run(1.0, 0, 0.0, 0.0), _run(1.0, 0, 0.0, 0.0))
    assert row["worker_read_s_per_doc_2w"] != row["worker_read_s_per_doc_2w"]  # nan
