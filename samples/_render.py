"""Draw an invoice spec as a text PDF with reportlab (layouts L1..L8)."""
import io

from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_FILES = {
    "DejaVu": "/usr/share/fonts/truetype/dejavu/DejaVuSans{b}.ttf",
    "DejaVuSerif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif{b}.ttf",
    "DejaVuCond": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed{b}.ttf",
    "DejaVuMono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono{b}.ttf",
    "LibSans": "/usr/share/fonts/truetype/liberation/LiberationSans{r}.ttf",
    "LibSerif": "/usr/share/fonts/truetype/liberation/LiberationSerif{r}.ttf",
    "Garuda": "/usr/share/fonts/truetype/tlwg/Garuda{b}.ttf",
    "Loma": "/usr/share/fonts/truetype/tlwg/Loma{b}.ttf",
}
LAYOUT_FONT = {"L1": "DejaVu", "L2": "LibSerif", "L3": "LibSans", "L4": "DejaVuMono", "L5": "LibSans",
               "L6": "DejaVu", "L7": "DejaVuSerif", "L8": "DejaVuCond"}
GRAY = Color(0.85, 0.85, 0.85)
DARK = Color(0.25, 0.25, 0.25)
_registered = set()


def _font(name):
    if name not in _registered:
        path = FONT_FILES[name]
        pdfmetrics.registerFont(TTFont(name, path.format(b="", r="-Regular")))
        pdfmetrics.registerFont(TTFont(name + "-B", path.format(b="-Bold", r="-Bold")))
        _registered.add(name)
    return name, name + "-B"


class Doc:
    def __init__(self, spec):
        self.spec, self.r = spec, spec["render"]
        self.layout = spec["layout"]
        fam = LAYOUT_FONT[self.layout]
        if self.r["thai"]:
            fam = "Loma" if self.layout in ("L4", "L7") else "Garuda"
        self.f, self.fb = _font(fam)
        self.buf = io.BytesIO()
        if self.layout == "L8":
            size = landscape(A4)
        elif self.layout == "L4":
            size = (300, 250 + 15 * (len(self.r["rows"]) * 2 + len(self.r["totals"]) + len(self.r["meta"])))
        else:
            size = A4
        self.W, self.H = size
        self.c = canvas.Canvas(self.buf, pagesize=size, invariant=1)
        self.c.setTitle("")
        self.page = 1

    def text(self, x, y, s, size=9, bold=False, align="left", color=black):
        c = self.c
        c.setFillColor(color)
        c.setFont(self.fb if bold else self.f, size)
        if align == "right":
            c.drawRightString(x, y, s)
        elif align == "center":
            c.drawCentredString(x, y, s)
        else:
            c.drawString(x, y, s)
        c.setFillColor(black)

    def width(self, s, size=9, bold=False):
        return pdfmetrics.stringWidth(s, self.fb if bold else self.f, size)

    def new_page(self):
        self.c.showPage()
        self.page += 1

    def finish(self):
        self.c.save()
        return self.buf.getvalue()


# ---------------------------------------------------------------- blocks

def provider_block(d, x, y, align="left", size=13, lines=True):
    p = d.r["provider"]
    d.text(x, y, p["name"], size, True, align)
    y -= size + 3
    if p["name_local"]:
        d.text(x, y, p["name_local"], size - 2, True, align)
        y -= size + 1
    if lines:
        for s in p["address"] + [p["phone"]]:
            d.text(x, y, s, 8.5, False, align)
            y -= 11
    return y


def meta_block(d, x, y, size=9, gap=None, label_w=None):
    meta = d.r["meta"]
    label_w = label_w or max(d.width(k + ":", size) for k, _ in meta) + 8
    for k, v in meta:
        if k:
            d.text(x, y, k + ":", size)
            d.text(x + label_w, y, v, size, True)
        else:
            d.text(x, y, v, size)
        y -= gap or size + 5
    return y


def col_widths(d, total_w, size):
    cols, heads, rows = d.r["cols"], d.r["heads"], d.r["rows"]
    ws = []
    for i, c in enumerate(cols):
        w = max([d.width(h, size, True) for h in [heads[i]]] + [d.width(r[i], size) for r in rows]) + 12
        ws.append(w)
    di = cols.index("desc")
    ws[di] = max(60, total_w - (sum(ws) - ws[di]))
    return ws


def table(d, x, y, rows, widths, size=9, style="grid", rh=16, head=True):
    cols, heads = d.r["cols"], d.r["heads"]
    c = d.c
    right = {"amount", "unit", "qty"}
    tw = sum(widths)
    all_rows = ([heads] if head else []) + rows
    for ri, row in enumerate(all_rows):
        is_head = head and ri == 0
        top = y
        if is_head and style in ("band", "zebra"):
            c.setFillColor(DARK)
            c.rect(x, top - rh, tw, rh, stroke=0, fill=1)
        elif style == "zebra" and ri % 2 == 0:
            c.setFillColor(GRAY)
            c.rect(x, top - rh, tw, rh, stroke=0, fill=1)
        c.setFillColor(black)
        cx = x
        for ci, cell in enumerate(row):
            col = cols[ci]
            color = white if is_head and style in ("band", "zebra") else black
            if col in right:
                d.text(cx + widths[ci] - 5, top - rh + 4.5, cell, size, is_head, "right", color)
            else:
                d.text(cx + 5, top - rh + 4.5, cell, size, is_head, "left", color)
            cx += widths[ci]
        if style == "grid":
            c.setLineWidth(0.6)
            c.rect(x, top - rh, tw, rh, stroke=1, fill=0)
            cx = x
            for w in widths[:-1]:
                cx += w
                c.line(cx, top, cx, top - rh)
        elif style == "hlines" and (is_head or ri == len(all_rows) - 1):
            c.setLineWidth(0.8)
            c.line(x, top - rh, x + tw, top - rh)
            if is_head:
                c.line(x, top, x + tw, top)
        y -= rh
    return y


def totals_block(d, x_label, x_value, y, size=9.5, rh=15, box=False):
    for lab, val, role in d.r["totals"]:
        bold = role in ("total", "balance", "share")
        s = size + (1.5 if role == "total" else 0)
        if box and role == "total":
            d.c.setLineWidth(1.2)
            d.c.rect(x_label - 6, y - 5, x_value - x_label + 12, s + 9, stroke=1, fill=0)
        d.text(x_label, y, lab, s, bold)
        d.text(x_value, y, val, s, bold, "right")
        y -= rh + (4 if role == "total" else 0)
    return y


def footer(d, y=40, align="left", x=40):
    r = d.r
    lines = list(r["footer"]) + [r["provider"]["tax"]]
    for s in lines:
        d.text(x, y, s, 7.5, False, align)
        y -= 10


def page_label(d, y, x=None, align="right"):
    n = d.spec["pages"]
    if n > 1:
        from samples._labels import LABELS
        lang = d.spec["language"]
        d.text(x or d.W - 40, y, LABELS["page"][lang][0].format(p=d.page, n=n), 7.5, False, align)


def rows_with_break(d, x, y, widths, size, style, rh, cont_header):
    """Draw the item rows, moving to page 2 at page_break; returns y after the rows."""
    r = d.r
    pb = r["page_break"]
    rows = r["rows"]
    if not pb:
        return table(d, x, y, rows, widths, size, style, rh)
    y = table(d, x, y, rows[:pb], widths, size, style, rh)
    lab, val = r["carried"]
    d.text(x + sum(widths) - 110, y - 14, lab, size, True, "right")
    d.text(x + sum(widths) - 5, y - 14, val, size, True, "right")
    from samples._labels import LABELS
    d.text(x, y - 30, "... " + LABELS["continued"][d.spec["language"]][0], 8)
    page_label(d, 28)
    d.new_page()
    y = cont_header(d)
    d.text(x + sum(widths) - 110, y, lab, size, True, "right")
    d.text(x + sum(widths) - 5, y, val, size, True, "right")
    y -= 10
    return table(d, x, y, rows[pb:], widths, size, style, rh)


def small_header(d):
    d.text(40, d.H - 50, d.r["provider"]["name"], 11, True)
    k, v = d.r["meta"][0]
    d.text(d.W - 40, d.H - 50, f"{k}: {v}", 9, False, "right")
    d.c.line(40, d.H - 58, d.W - 40, d.H - 58)
    return d.H - 80


# ---------------------------------------------------------------- layouts

def render_l1(d):  # classic: provider top-left, title right, grid table, totals right
    W, H = d.W, d.H
    y = provider_block(d, 40, H - 55)
    d.text(W - 40, H - 55, d.r["title"], 20, True, "right")
    meta_block(d, W - 250, H - 90)
    y = min(y, H - 90 - 16 * len(d.r["meta"])) - 20
    ws = col_widths(d, W - 80, 9)
    y = rows_with_break(d, 40, y, ws, 9, "grid", 17, small_header) - 22
    totals_block(d, W - 250, W - 45, y)
    footer(d)
    page_label(d, 28)


def render_l2(d):  # centered header, horizontal rules only
    W, H = d.W, d.H
    y = provider_block(d, W / 2, H - 50, "center", 15)
    d.c.setLineWidth(1.5)
    d.c.line(40, y - 2, W - 40, y - 2)
    d.text(W / 2, y - 28, d.r["title"], 16, True, "center")
    y = meta_block(d, 60, y - 55) - 15
    ws = col_widths(d, W - 100, 9.5)
    y = rows_with_break(d, 50, y, ws, 9.5, "hlines", 16, small_header) - 20
    totals_block(d, W - 280, W - 55, y)
    footer(d, 50, "center", W / 2)
    page_label(d, 28)


def render_l3(d):  # dark header band, zebra table, boxed total
    W, H = d.W, d.H
    c = d.c
    c.setFillColor(DARK)
    c.rect(0, H - 95, W, 95, stroke=0, fill=1)
    p = d.r["provider"]
    d.text(35, H - 40, p["name"], 16, True, color=white)
    if p["name_local"]:
        d.text(35, H - 58, p["name_local"], 12, True, color=white)
    d.text(35, H - 78, " · ".join(p["address"]), 8.5, color=white)
    d.text(W - 35, H - 40, d.r["title"], 14, True, "right", white)
    d.text(W - 35, H - 78, p["phone"], 8.5, False, "right", white)
    y = meta_block(d, 35, H - 125) - 15
    ws = col_widths(d, W - 70, 9)
    y = rows_with_break(d, 35, y, ws, 9, "zebra", 17, small_header) - 25
    totals_block(d, W - 260, W - 40, y, box=True)
    footer(d, 45, "left", 35)
    page_label(d, 28)


def render_l4(d):  # narrow till receipt in monospace, no table lines
    W, H = d.W, d.H
    y = provider_block(d, W / 2, H - 30, "center", 10)
    d.text(W / 2, y - 8, d.r["title"], 10, True, "center")
    y -= 26
    y = meta_block(d, 15, y, 8, 11) - 4
    dashes = "-" * int((W - 30) / d.width("-", 7.5))
    d.text(15, y, dashes, 7.5)
    y -= 13
    ai = d.r["cols"].index("amount")
    for row in d.r["rows"]:
        desc, amt = row[d.r["cols"].index("desc")], row[ai]
        if d.width(desc, 8) + d.width(amt, 8) + 20 > W - 30:
            d.text(15, y, desc, 8)
            y -= 11
        d.text(W - 15, y, amt, 8, False, "right")
        if d.width(desc, 8) + d.width(amt, 8) + 20 <= W - 30:
            d.text(15, y, desc, 8)
        y -= 13
    d.text(15, y, dashes, 7.5)
    y = totals_block(d, 15, W - 15, y - 14, 8.5, 13)
    for s in d.r["footer"] + [d.r["provider"]["tax"]]:
        d.text(W / 2, y - 6, s, 6.5, False, "center")
        y -= 10


def render_l5(d):  # US-style statement: provider right, patient/meta boxed left
    W, H = d.W, d.H
    provider_block(d, W - 40, H - 50, "right", 12)
    d.text(40, H - 55, d.r["title"], 18, True)
    c = d.c
    n = len(d.r["meta"])
    c.setLineWidth(0.8)
    c.rect(40, H - 100 - 15 * n, 300, 15 * n + 20, stroke=1, fill=0)
    meta_block(d, 48, H - 95, 9, 15)
    y = H - 130 - 15 * n
    ws = col_widths(d, W - 80, 8.5)
    y = rows_with_break(d, 40, y, ws, 8.5, "hlines", 15, small_header) - 20
    c.setFillColor(GRAY)
    c.rect(W - 290, y - 15 * len(d.r["totals"]) - 4, 250, 15 * len(d.r["totals"]) + 20, stroke=0, fill=1)
    totals_block(d, W - 282, W - 48, y)
    footer(d)
    page_label(d, 28)


def render_l6(d):  # bilingual hospital: meta in a two-column grid box, numbered lines, grid
    W, H = d.W, d.H
    c = d.c
    y = provider_block(d, 40, H - 50, size=14)
    d.text(W - 40, H - 50, d.r["title"], 13, True, "right")
    meta = d.r["meta"]
    half = (len(meta) + 1) // 2
    top = min(y, H - 120) - 10
    c.setLineWidth(0.7)
    c.rect(40, top - 16 * half - 6, W - 80, 16 * half + 12, stroke=1, fill=0)
    for i, (k, v) in enumerate(meta):
        x = 48 if i < half else W / 2 + 5
        yy = top - 10 - 16 * (i % half)
        d.text(x, yy, (k + ": " if k else "") + v, 8.5)
    y = top - 16 * half - 26
    ws = col_widths(d, W - 80, 8.5)
    y = rows_with_break(d, 40, y, ws, 8.5, "grid", 16, small_header) - 20
    y = totals_block(d, W - 300, W - 45, y)
    c.line(W - 230, 90, W - 60, 90)
    d.text(W - 145, 78, "Cashier / ผู้รับเงิน" if d.r["thai"] else "Signature", 7.5, False, "center")
    footer(d)
    page_label(d, 28)


def render_l7(d):  # German-style letter: sender line, address window, info block right
    W, H = d.W, d.H
    p = d.r["provider"]
    d.text(W - 40, H - 45, p["name"], 14, True, "right")
    yy = H - 60
    for s in ([p["name_local"]] if p["name_local"] else []) + p["address"] + [p["phone"]]:
        d.text(W - 40, yy, s, 8, False, "right")
        yy -= 10
    d.text(60, H - 140, f"{p['name']} · {p['address'][0]}", 6.5)
    d.c.line(60, H - 143, 300, H - 143)
    meta = d.r["meta"]
    d.text(60, H - 160, meta[2][1], 10)  # patient name in the address window
    meta_block(d, W - 230, H - 160, 8.5, 13)
    y = H - 170 - 13 * len(meta) - 20
    d.text(60, y, d.r["title"], 14, True)
    y -= 22
    ws = col_widths(d, W - 120, 9)
    y = rows_with_break(d, 60, y, ws, 9, "hlines", 16, small_header) - 20
    totals_block(d, W - 280, W - 60, y)
    footer(d, 50, "left", 60)
    page_label(d, 28)


def render_l8(d):  # landscape with two header columns and a wide table
    W, H = d.W, d.H
    y = provider_block(d, 40, H - 45, size=13)
    d.text(W / 2, H - 45, d.r["title"], 16, True, "center")
    meta_block(d, W - 300, H - 45, 8.5, 13)
    y = min(y, H - 45 - 13 * len(d.r["meta"])) - 15
    ws = col_widths(d, W - 80, 8.5)
    y = rows_with_break(d, 40, y, ws, 8.5, "grid", 15, small_header) - 18
    totals_block(d, 40, 330, y)
    footer(d, 35, "right", W - 40)
    page_label(d, 20, 40, "left")


RENDERERS = {"L1": render_l1, "L2": render_l2, "L3": render_l3, "L4": render_l4, "L5": render_l5,
             "L6": render_l6, "L7": render_l7, "L8": render_l8}


def render_pdf(spec) -> bytes:
    d = Doc(spec)
    RENDERERS[spec["layout"]](d)
    return d.finish()
