"""Wires extraction, classification, FX and coverage together; the store and the CLI."""

PIPELINE_VERSION = "0.2.0"  # raise when results change: the store treats older results as out of date
