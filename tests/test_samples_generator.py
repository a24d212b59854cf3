"""Tests of the sample invoice generator (samples/)."""
import hashlib
import io
import json
import random
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samples._fmt import fmt_amount, fmt_date  # noqa: E402
from samples._render import render_pdf  # noqa: E402
from samples.generate import KINDS, LAYOUTS, generate, make_spec, render  # noqa: E402

TAXONOMY = {"general_practice", "medication", "specialist", "laboratory", "hospital_admission", "patient_transport",
            "transplant", "dialysis", "plastic_surgery", "rehabilitation", "accommodation", "vaccination",
            "physiotherapy", "occupational_therapy", "speech_therapy", "dietetics", "dental", "maternity",
            "fertility", "reproductive_health", "mental_health", "preventive_care", "medical_aids", "optical",
            "alternative_medicine", "dermatology", "foot_care", "repatriation", "other"}
SPECS = [make_spec(random.Random(f"t{i}")) for i in range(300)]


def _text(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [p.extract_text() or "" for p in doc.pages]


def test_fmt_amount_locale_styles():
    v = Decimal("1234.5")
    assert fmt_amount(v, "dot") == "1.234,50"
    assert fmt_amount(v, "comma") == "1,234.50"
    assert fmt_amount(v, "space") == "1 234,50"
    assert fmt_amount(v, "apos") == "1'234.50"
    assert fmt_amount(Decimal("1250000"), "dot", 0) == "1.250.000"
    assert fmt_amount(Decimal("-5"), "comma") == "-5.00"


def test_fmt_date_styles():
    d = date(2026, 1, 12)
    assert fmt_date(d, "dmon", "es") == "12 de enero de 2026"
    assert fmt_date(date(2026, 3, 3), "dmon", "de") == "3. März 2026"
    assert fmt_date(d, "mdy/", "en") == "01/12/2026"
    assert fmt_date(d, "dmy.", "de") == "12.01.2026"
    assert fmt_date(d, "be/", "th") == "12/01/2569"


def test_make_spec_is_deterministic_and_has_lines():
    a, b = make_spec(random.Random(42)), make_spec(random.Random(42))
    assert a == b
    assert a != make_spec(random.Random(43))
    assert a["layout"] in LAYOUTS and a["lines"] and all(isinstance(s, str) for s in a["lines"])
    text = "\n".join(a["lines"])
    assert a["printed"]["total_amount"] in text and a["printed"]["invoice_date"] in text


def test_truth_totals_are_consistent():
    for s in SPECS:
        f, t = s["fields"], s["extra"]["totals"]
        lines = [Decimal(li["amount"]) for li in f["line_items"]]
        assert Decimal(t["subtotal"]) == sum(lines)
        vat = Decimal(t["vat"]) if t["vat_mode"] == "added" else Decimal(0)
        assert Decimal(f["total_amount"]) == Decimal(t["subtotal"]) - Decimal(t["discount"]) + vat
        for part in ("deposit", "insurance"):
            if t[part] is not None:
                assert Decimal(t["due"]) == Decimal(f["total_amount"]) - Decimal(t[part])


def test_treatment_type_is_type_of_largest_line():
    for s in SPECS:
        items = s["fields"]["line_items"]
        top = max(Decimal(li["amount"]) for li in items)
        assert {li["treatment_type"] for li in items if Decimal(li["amount"]) == top} == {s["fields"]["treatment_type"]}
        assert all(li["treatment_type"] in TAXONOMY for li in items)


def test_fields_dates_and_settings_are_plausible():
    countries = set()
    for s in SPECS:
        f, e = s["fields"], s["extra"]
        d = date.fromisoformat(f["invoice_date"])
        assert date(2023, 1, 1) <= d <= date(2025, 6, 30)
        assert f["setting"] in ("inpatient", "daycare", "outpatient")
        if f["setting"] == "inpatient":
            assert date.fromisoformat(e["admission_date"]) < date.fromisoformat(e["discharge_date"]) <= d
        elif f["setting"] == "daycare":
            assert e["admission_date"] == e["discharge_date"]
        else:
            assert e["admission_date"] is None
        assert f["invoice_number"] and f["provider_name"] and f["patient_name"]
        countries.add(f["country"])
    assert len(countries) >= 10


def test_grand_total_is_not_always_the_largest_number():
    # discounts, included VAT, deposits and insurance shares make the total differ from the other totals
    discounted = [s for s in SPECS if Decimal(s["extra"]["totals"]["discount"]) > 0
                  and s["extra"]["totals"]["vat_mode"] != "added"]
    assert discounted and all(Decimal(s["extra"]["totals"]["subtotal"]) > Decimal(s["fields"]["total_amount"])
                              for s in discounted)
    assert any(s["printed"]["total_amount"] in "".join(s["lines"]) for s in discounted)
    assert any(s["extra"]["totals"]["deposit"] for s in SPECS)
    assert any(s["extra"]["totals"]["insurance"] for s in SPECS)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_text_pdf_layer_has_printed_total_and_date(layout):
    s = make_spec(random.Random(f"layer-{layout}"), layout=layout)
    pages = _text(render_pdf(s))
    assert len(pages) == s["pages"]
    full = "\n".join(pages)
    assert s["printed"]["total_amount"] in full
    assert s["printed"]["invoice_date"] in full
    assert s["fields"]["invoice_number"] in full


def test_multipage_puts_total_on_page_two():
    s = make_spec(random.Random(5), layout="L1", multipage=True)
    pages = _text(render_pdf(s))
    assert s["pages"] == 2 and len(pages) == 2
    total = s["printed"]["total_amount"]
    assert total in pages[1] and total not in pages[0]
    n1 = sum(r[s["render"]["cols"].index("desc")] in pages[0] for r in s["render"]["rows"][:3])
    assert n1 == 3


def test_thai_invoice_is_bilingual():
    s = make_spec(random.Random(3), country="TH", layout="L6")
    text = "\n".join(_text(render_pdf(s)))
    assert s["fields"]["currency"] == "THB" and s["language"] == "th"
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in text)
    assert any(w in text for w in ("Total", "INVOICE", "RECEIPT", "Description"))


def _magic(data: bytes) -> str:
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return "?"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_gives_a_readable_file(kind):
    spec = make_spec(random.Random(f"kind-{kind}"), layout="L1", one_page=True)
    data, ext = render(spec, kind, random.Random(1))
    assert _magic(data) == ext
    if kind == "text_pdf":
        assert spec["printed"]["total_amount"] in "\n".join(_text(data))
    elif kind == "image_pdf":
        with pdfplumber.open(io.BytesIO(data)) as doc:
            assert len(doc.pages) == 1 and doc.pages[0].images and not doc.pages[0].extract_text().strip()
    else:
        img = Image.open(io.BytesIO(data))
        img.load()
        w, h = sorted(img.size)
        if kind == "scan":
            assert w >= 2400  # A4 at 300 dpi
        else:
            assert ext == "jpg" and 1200 <= w <= 2200
        assert len(data) < 600_000


def test_generate_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, 3, 11, ["text_pdf", "scan"])
    generate(b, 3, 11, ["text_pdf", "scan"])
    assert (a / "SHA256SUMS").read_text() == (b / "SHA256SUMS").read_text()
    for f in (a / "truth").iterdir():
        assert f.read_bytes() == (b / "truth" / f.name).read_bytes()
    for f in (a / "invoices").iterdir():
        assert f.read_bytes() == (b / "invoices" / f.name).read_bytes()


def test_cli_writes_invoices_and_truth(tmp_path):
    script = ROOT / "samples" / "generate.py"
    r = subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--count", "2", "--seed", "3",
                        "--kinds", "text_pdf"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    truths = sorted((tmp_path / "truth").glob("*.json"))
    assert len(truths) == 2
    for t in truths:
        d = json.loads(t.read_text())
        assert set(d) == {"file", "kind", "layout", "language", "pages", "fields", "extra"}
        assert d["kind"] == "text_pdf" and (tmp_path / d["file"]).is_file()
    bad = subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--kinds", "fax"],
                         capture_output=True, text=True)
    assert bad.returncode != 0


def test_committed_demo_set_matches_its_truth():
    inv, truth = ROOT / "samples" / "invoices", ROOT / "samples" / "truth"
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(truth.glob("*.json"))]
    assert len(truths) >= 30
    files = {t["file"] for t in truths}
    assert files == {f"invoices/{p.name}" for p in inv.iterdir()}
    sums = dict(reversed(line.split("  ", 1)) for line in (ROOT / "samples" / "SHA256SUMS").read_text().splitlines())
    for t in truths:
        data = (ROOT / "samples" / t["file"]).read_bytes()
        assert sums[t["file"]] == hashlib.sha256(data).hexdigest()
        assert _magic(data) == t["file"].rsplit(".", 1)[1]
        assert len(data) < 600_000
    assert {t["kind"] for t in truths} == set(KINDS)
    assert {t["layout"] for t in truths} == set(LAYOUTS)
    assert len({t["fields"]["country"] for t in truths}) >= 10
    assert any(t["pages"] > 1 for t in truths)


@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_scan_is_legible_for_tesseract(tmp_path):
    spec = make_spec(random.Random("ocr"), layout="L1", country="NL", one_page=True)
    data, ext = render(spec, "scan", random.Random(2))
    path = tmp_path / f"scan.{ext}"
    path.write_bytes(data)
    out = subprocess.run(["tesseract", str(path), "-", "-l", "nld+eng"], capture_output=True, text=True,
                         env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}).stdout
    assert spec["printed"]["total_amount"] in out
    assert spec["printed"]["invoice_date"] in out
