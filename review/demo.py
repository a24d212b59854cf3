"""Demo review items written straight into the store (tests, benchmarks, a local demo).

Nothing here runs OCR: the invoice image is drawn with PIL and the evidence boxes are the
positions the text was drawn at.
"""
from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

from PIL import Image, ImageDraw, ImageFont

from pipeline.routing import priority as priority_of
from pipeline.store import Document, Original, Result, ReviewItem, utcnow

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def invoice_png(lines: dict[str, str], salt: str = "", size=(850, 1100)) -> tuple[bytes, dict]:
    """A drawn invoice; returns (PNG bytes, {field: [[0, x0, y0, x1, y1]]})."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype(FONT, 22)
    except OSError:
        font = ImageFont.load_default()
    boxes = {}
    draw.text((60, 40), "INVOICE / RECHNUNG", fill="black", font=font)
    y = 110
    for name, text in lines.items():
        label = name.replace("_", " ").title() + ": "
        draw.text((60, y), label, fill="black", font=font)
        x = 60 + draw.textlength(label, font=font)
        draw.text((x, y), text, fill="black", font=font)
        l, t, r, b = draw.textbbox((x, y), text, font=font)
        boxes[name] = [[0, float(l) - 2, float(t) - 2, float(r) + 2, float(b) + 2]]
        y += 60
    draw.text((60, size[1] - 60), f"ref {salt}", fill="grey", font=font)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue(), boxes


DEFAULT_FIELDS = {
    "invoice_date": "2026-03-14", "invoice_number": "R-2026-0042", "provider_name": "Praxis Dr. Weber",
    "patient_name": "A. Jansen", "country": "DE", "currency": "EUR", "total_amount": "123.45",
    "treatment_type": "physiotherapy", "setting": "outpatient",
}


def seed_item(session, *, n: int = 0, fields: dict | None = None, confidence: dict | None = None,
              reasons: list[str] | None = None, insured_id: str | None = None,
              audit_sample: bool = False, created_at: datetime | None = None,
              image: bool = True, state: str = "open") -> ReviewItem:
    """One document with a needs_review result and its open review item."""
    f = {**DEFAULT_FIELDS, **(fields or {}), "line_items": []}
    conf = {"invoice_date": 0.97, "total_amount": 0.55, "currency": 0.99, "country": 0.93,
            "treatment_type": 0.81, "setting": 0.9, "invoice_number": 0.9, "provider_name": 0.8,
            "patient_name": 0.85, **(confidence or {})}
    conf["overall"] = min(conf[k] for k in ("invoice_date", "total_amount", "currency", "country",
                                            "treatment_type"))
    reasons = list(reasons if reasons is not None else ["low_confidence:total_amount"])
    if image:
        shown = {k: str(f[k]) for k in ("invoice_date", "invoice_number", "provider_name",
                                        "patient_name", "total_amount", "currency") if f[k]}
        data, boxes = invoice_png(shown, salt=f"{n}-{insured_id}")
        pages = [{"width": 850, "height": 1100, "source": "ocr", "rotation": 0}]
    else:
        data, boxes, pages = f"demo {n} {insured_id}".encode(), {}, []
    digest = hashlib.sha256(data).hexdigest()
    eur = None
    if f["currency"] == "EUR" and f["total_amount"]:
        eur = {"amount": f["total_amount"], "rate": "1", "rate_date": f["invoice_date"],
               "source": "identity"}
    payload = {"document_id": digest, "source": f"demo-{n}.png", "status": "needs_review",
               "error": None, "review_reasons": reasons, "fields": f, "confidence": conf,
               "eur": eur, "coverage": None}
    when = created_at or utcnow()
    if session.get(Original, digest) is None:
        session.add(Original(sha256=digest, size=len(data), kind="png" if image else None,
                             data=data, created_at=when))
    session.flush()
    session.add(Document(id=digest, source=payload["source"], insured_id=insured_id,
                         status="needs_review", created_at=when, updated_at=when))
    session.flush()
    result = Result(document_id=digest, status="needs_review", pipeline_version="demo",
                    model_version="demo", rules_version=None, payload=payload,
                    evidence={"boxes": boxes, "pages": pages}, created_at=when)
    session.add(result)
    session.flush()
    doc = session.get(Document, digest)
    doc.current_result_id = result.id
    item = ReviewItem(document_id=digest, result_id=result.id, reasons=reasons, state=state,
                      audit_sample=audit_sample, created_at=when,
                      priority=priority_of(eur["amount"] if eur else None, reasons, conf["overall"]))
    session.add(item)
    session.flush()
    return item


def seed_many(session, count: int, start: int = 0, image: bool = False) -> None:
    """`count` varied items (bulk inserts; no images) for load and render benchmarks."""
    import random

    rng = random.Random(start)
    countries = ["DE", "TH", "FR", "ES", "NL", "US", "AE", "IN", "BE", "IT"]
    types = ["physiotherapy", "dental", "specialist", "medication", "hospital_admission",
             "general_practice", "laboratory"]
    reasons_pool = ["low_confidence:total_amount", "low_confidence:country",
                    "low_confidence:treatment_type", "no_rate:THB", "coverage:prior_authorisation",
                    "audit_sample"]
    now = utcnow()
    for i in range(start, start + count):
        amount = f"{rng.uniform(10, 5000):.2f}"
        seed_item(session, n=i, image=image,
                  fields={"total_amount": amount, "country": rng.choice(countries),
                          "treatment_type": rng.choice(types)},
                  confidence={"total_amount": round(rng.uniform(0.2, 0.99), 2)},
                  reasons=rng.sample(reasons_pool, rng.randint(1, 2)),
                  created_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 20)))


_TEMPLATE: list[str] = []


def migrated_sqlite(folder) -> str:
    """A fresh, already migrated SQLite store in `folder` (a copy of one migrated per process:
    running the migrations costs ~0.7 s each time)."""
    import os
    import shutil
    import tempfile

    from pipeline.db import make_engine, migrate

    if not _TEMPLATE or not os.path.exists(_TEMPLATE[0]):
        path = os.path.join(tempfile.mkdtemp(prefix="claimflow-template-"), "store.sqlite")
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        engine.dispose()
        _TEMPLATE[:] = [path]
    dest = os.path.join(str(folder), "review.sqlite")
    shutil.copy(_TEMPLATE[0], dest)
    return f"sqlite:///{dest}"
