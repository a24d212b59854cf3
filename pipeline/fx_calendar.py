"""TARGET closing days, on which the ECB publishes no reference rates (rules since 2002)."""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=256)
def _holidays(year: int) -> frozenset[date]:
    e = easter(year)
    return frozenset({
        date(year, 1, 1), e - timedelta(days=2), e + timedelta(days=1),
        date(year, 5, 1), date(year, 12, 25), date(year, 12, 26),
    })


def is_publishing_day(day: date) -> bool:
    """True when the ECB is expected to publish reference rates on `day`."""
    return day.weekday() < 5 and day not in _holidays(day.year)
