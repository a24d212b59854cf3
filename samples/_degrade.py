"""Turn a rendered PDF into a scan, a phone photo or an image-only PDF."""
import io
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter
from reportlab.pdfgen import canvas


def rasterize(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Grayscale page images of a PDF via poppler's pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(Path(tmp) / "p")],
                       check=True, capture_output=True)
        pages = []
        for f in sorted(Path(tmp).glob("p-*.png")):
            with Image.open(f) as im:
                pages.append(im.convert("L").copy())
        return pages


def scan_page(img: Image.Image, rng) -> Image.Image:
    """Flatbed scan look: skew within 3 degrees, grey paper, noise, slight blur."""
    nrng = np.random.default_rng(rng.randint(0, 2**32 - 1))
    angle = rng.uniform(-3, 3)
    paper = rng.randint(236, 250)
    arr = np.asarray(img, dtype=np.float32) * (paper / 255.0)
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=paper)
    arr = np.asarray(img, dtype=np.float32)
    arr += nrng.normal(0, rng.uniform(2, 4), arr.shape)
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))


def photo_page(img: Image.Image, rng) -> Image.Image:
    """Phone photo look: page on a desk, perspective, uneven light, shadow, lower resolution."""
    nrng = np.random.default_rng(rng.randint(0, 2**32 - 1))
    page = np.asarray(img, dtype=np.float32)
    h, w = page.shape
    ch, cw = int(h * 1.14), int(w * 1.14)
    desk = rng.randint(60, 140)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    background = desk + 12 * np.sin(xx / rng.uniform(40, 90)) * np.cos(yy / rng.uniform(50, 110))
    ox, oy = (cw - w) / 2, (ch - h) / 2
    j = lambda s: rng.uniform(-s, s) * w  # noqa: E731
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[ox + j(0.035), oy + j(0.035)], [ox + w + j(0.035), oy + j(0.035)],
                      [ox + w + j(0.03), oy + h + j(0.03)], [ox + j(0.03), oy + h + j(0.03)]])
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, m, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=-1.0)
    mask = cv2.warpPerspective(np.ones_like(page), m, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=0.0)
    out = warped * mask + background * (1 - mask)
    # light falls off along a random direction, plus a soft shadow blob
    theta = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(theta) * xx / cw + np.sin(theta) * yy / ch)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min() + 1e-6)
    light = rng.uniform(0.62, 0.8) + (1.05 - rng.uniform(0.62, 0.8)) * ramp
    cx, cy = rng.uniform(0, cw), rng.uniform(0, ch)
    shadow = 1 - rng.uniform(0.15, 0.3) * np.exp(-(((xx - cx) / (0.35 * cw)) ** 2 + ((yy - cy) / (0.25 * ch)) ** 2))
    out = out * light * shadow
    out += nrng.normal(0, rng.uniform(3, 6), out.shape)
    res = Image.fromarray(out.clip(0, 255).astype(np.uint8))
    return res.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.0)))


def encode(img: Image.Image, fmt: str, quality: int = 75) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpg":
        img.save(buf, "JPEG", quality=quality, optimize=True, dpi=img.info.get("dpi", (300, 300)))
    elif fmt == "png":
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def binarize(img: Image.Image) -> Image.Image:
    """Black/white scan (fax-like), small as PNG or TIFF G4."""
    return img.point(lambda v: 255 if v > 150 else 0).convert("1")


def tiff_pages(pages: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    first, rest = pages[0], pages[1:]
    first.save(buf, "TIFF", compression="group4", save_all=True, append_images=rest, dpi=(300, 300))
    return buf.getvalue()


def image_pdf(jpegs: list[bytes], dpi: int = 300) -> bytes:
    """Wrap page JPEGs in a PDF without any text layer."""
    from reportlab.lib.utils import ImageReader
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for data in jpegs:
        reader = ImageReader(io.BytesIO(data))
        w, h = reader.getSize()
        pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
        c.setPageSize((pw, ph))
        c.drawImage(reader, 0, 0, pw, ph)
        c.showPage()
    c.save()
    return buf.getvalue()
