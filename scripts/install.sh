#!/usr/bin/env bash
# Installs everything claimflow needs on a fresh Debian 12 machine (run as root, or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES="tesseract-ocr tesseract-ocr-eng tesseract-ocr-nld tesseract-ocr-deu tesseract-ocr-fra
  tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-tha tesseract-ocr-osd
  poppler-utils fonts-dejavu-core fonts-thai-tlwg chromium"
missing=""
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
PIP="python3 -m pip"
# torch first and pinned: the CPU wheel (a plain `torch` would pull a multi-GB CUDA build).
$PIP install -q --disable-pip-version-check torch==2.13.0
$PIP install -q --disable-pip-version-check -e ".[dev]"
echo "claimflow installed: $(command -v claimflow)" >&2
