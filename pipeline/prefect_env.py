"""Prefect defaults for claimflow: offline, no telemetry, Prefect's own logs on stderr only.

Import this before `prefect` (pipeline.flows does). Every default can be overridden by setting
the variable yourself, e.g. `PREFECT_API_URL=http://127.0.0.1:4200/api` for a real server.
"""
from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # Prefect's console handler writes to stderr; keep its per-run INFO chatter off the terminal
    # (the runs' logs still go to the API and show in the UI).
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "PREFECT_LOGGING_COLORS": "false",
    "OMP_THREAD_LIMIT": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}


def apply_defaults() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


apply_defaults()
