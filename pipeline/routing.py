"""Review routing: per-field confidence thresholds, reasons, and the random audit sample."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

# Stricter for the fields that move money: total, currency, date.
DEFAULT_THRESHOLDS = {
    "invoice_date": 0.90,
    "total_amount": 0.90,
    "currency": 0.90,
    "country": 0.80,
    "treatment_type": 0.70,
    "setting": 0.70,
}
DEFAULT_AUDIT_RATE = 0.02


@dataclass
class RoutingConfig:
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    audit_rate: float = DEFAULT_AUDIT_RATE

    @classmethod
    def load(cls) -> "RoutingConfig":
        """Defaults, overridden by the JSON/YAML file in CLAIMFLOW_CONFIG and CLAIMFLOW_AUDIT_RATE."""
        cfg = cls()
        path = os.environ.get("CLAIMFLOW_CONFIG")
        if path:
            text = Path(path).read_text()
            data = json.loads(text) if path.endswith(".json") else _yaml(text)
            routing = (data or {}).get("routing", {})
            for key, value in (routing.get("thresholds") or {}).items():
                if key not in DEFAULT_THRESHOLDS:
                    raise ValueError(f"{path}: routing.thresholds.{key} is not a known field")
                cfg.thresholds[key] = float(value)
            if "audit_rate" in routing:
                cfg.audit_rate = float(routing["audit_rate"])
        if os.environ.get("CLAIMFLOW_AUDIT_RATE"):
            cfg.audit_rate = float(os.environ["CLAIMFLOW_AUDIT_RATE"])
        if not 0 <= cfg.audit_rate <= 1:
            raise ValueError(f"audit_rate must be within 0..1, got {cfg.audit_rate}")
        return cfg


def _yaml(text: str):
    import yaml

    return yaml.safe_load(text)


def low_confidence_reasons(confidence: dict[str, float], cfg: RoutingConfig) -> list[str]:
    return [f"low_confidence:{name}" for name, minimum in cfg.thresholds.items()
            if confidence.get(name, 0.0) < minimum]


def in_audit_sample(document_id: str, cfg: RoutingConfig) -> bool:
    """Deterministic per document, so reprocessing the same bytes gives the same answer."""
    if cfg.audit_rate <= 0:
        return False
    return int(document_id[:8], 16) / 0x1_0000_0000 < cfg.audit_rate


def priority(eur_amount, reasons: list[str], overall: float) -> float:
    """Amount at stake times uncertainty; documents without an amount come first among equals."""
    stake = float(eur_amount) if eur_amount is not None else 1000.0
    return round(stake * (1.0 - overall) + len(reasons), 4)
