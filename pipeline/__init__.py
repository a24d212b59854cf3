"""Wires extraction, classification, FX and coverage together; the store and the CLI."""

PIPELINE_VERSION = "0.1.0"
