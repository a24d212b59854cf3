"""Online rates through forex-python's service, with a timeout (forex-python sets none).

forex-python's `CurrencyRates` builds the URL; the request is made here so it gets a timeout
and so the published rate text and the rate's own date (the JSON `date`) are kept.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date
from decimal import Decimal, InvalidOperation

import requests

SOURCE = "forex-python"
_CODE = re.compile(r"^[A-Z]{3}$")


class OnlineError(Exception):
    pass


def enabled(flag: bool | None = None) -> bool:
    """The online provider is used only when asked: `flag`, else env CLAIMFLOW_FX_ONLINE=1."""
    if flag is not None:
        return flag
    return os.environ.get("CLAIMFLOW_FX_ONLINE", "").strip().lower() in ("1", "true", "yes", "on")


def timeout() -> float:
    try:
        return float(os.environ.get("CLAIMFLOW_FX_TIMEOUT", "3"))
    except ValueError:
        return 3.0


def fetch(day: date) -> tuple[date, dict[str, str]]:
    """Rates per EUR for `day` as the service answers: (the rates' own date, {code: rate text})."""
    from forex_python.converter import CurrencyRates

    rates_api = CurrencyRates(force_decimal=True)
    url = rates_api._source_url() + rates_api._get_date_string(day)
    try:
        resp = requests.get(url, params={"base": "EUR", "rtype": "fpy"}, timeout=timeout())
    except requests.RequestException as exc:
        raise OnlineError(f"{type(exc).__name__}: {exc}") from None
    if resp.status_code != 200:
        raise OnlineError(f"HTTP {resp.status_code} from {url}")
    try:
        body = json.loads(resp.text, parse_float=str, parse_int=str)
        published = date.fromisoformat(str(body["date"]))
        raw = body["rates"]
    except (ValueError, KeyError, TypeError) as exc:
        raise OnlineError(f"unexpected answer from {url}: {exc}") from None
    if published > day:
        raise OnlineError(f"{url} answered with rates of {published}, after {day}")
    rates = {}
    for code, text in raw.items():
        try:
            ok = _CODE.match(code) and Decimal(text).is_finite() and Decimal(text) > 0
        except (InvalidOperation, TypeError):
            ok = False
        if ok and code != "EUR":
            rates[code] = str(text)
    return published, rates
