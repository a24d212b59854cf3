"""Random invoice specs: the truth dict plus everything the renderer prints."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from samples._countries import (COUNTRIES, CUR_RATE, CUR_SYMBOL, EXPAT_NAMES, LOCAL_NAMES, address_lines,
                                phone, tax_id)
from samples._fmt import fmt_amount, fmt_date
from samples._labels import LABELS, label
from samples._vocab import (DRUGS, FORM, KINDS, MED_GENERIC, PRICE, PROVIDER_NAMES, THAI_CITY, THAI_KIND,
                            VOCAB)

# layout -> (columns, rows on page 1 before the totals, rows on a following page)
LAYOUTS = {
    "L1": (["desc", "qty", "unit", "amount"], 20, 30),
    "L2": (["svc_date", "desc", "amount"], 16, 30),
    "L3": (["code", "desc", "qty", "amount"], 15, 28),
    "L4": (["desc", "amount"], 12, 0),          # narrow receipt, one page only
    "L5": (["svc_date", "code", "desc", "amount"], 14, 28),
    "L6": (["no", "desc", "qty", "amount"], 15, 28),
    "L7": (["svc_date", "code", "desc", "amount"], 12, 26),
    "L8": (["svc_date", "code", "desc", "qty", "unit", "amount"], 9, 16),  # landscape
}
MIN_DAY, MAX_DAY = date(2023, 1, 16), date(2025, 6, 30)
CENT = Decimal("0.01")
US_CPT = {"general_practice": "99213", "specialist": "99244", "laboratory": "85025", "hospital_admission": "0110",
          "medication": "0250", "patient_transport": "A0427", "physiotherapy": "97110", "dental": "D2392",
          "mental_health": "90834", "optical": "92015", "vaccination": "90715", "preventive_care": "99396",
          "medical_aids": "E0114", "other": "99080"}
MILEAGE = {"Mileage", "Kilometervergoeding", "Kilometerpauschale", "Indemnité kilométrique", "Kilometraje",
           "Chilometri percorsi", "Quilometragem"}


def q2(x) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


class Ctx:
    """Per-spec choices used while building lines."""

    def __init__(self, rng, country):
        c = COUNTRIES[country]
        self.rng, self.country, self.lang, self.cur = rng, country, c["lang"], c["cur"]
        self.num = c["num"]
        self.decimals = 0 if self.cur == "IDR" else 2
        self.date_style = rng.choice(c["dates"])
        self.price = c["price"]

    def money(self, eur: float) -> Decimal:
        """A plausible local price for an EUR-ish base value."""
        local = eur * self.price * CUR_RATE[self.cur]
        r = self.rng.random()
        if self.cur == "IDR":
            return Decimal(int(round(local / 1000.0)) * 1000 or 1000)
        if self.cur == "THB":
            return Decimal(int(round(local / (10 if r < 0.6 else 1))) * (10 if r < 0.6 else 1) or 10)
        if r < 0.45:
            return Decimal(max(1, int(round(local))))
        if r < 0.75:
            return q2(max(0.5, round(local * 2) / 2))
        return q2(max(0.5, local))

    def amt(self, value: Decimal) -> str:
        return fmt_amount(value, self.num, self.decimals)

    def day(self, d: date) -> str:
        return fmt_date(d, self.date_style, self.lang)


def _pick_date(rng):
    return MIN_DAY + timedelta(days=rng.randint(0, (MAX_DAY - MIN_DAY).days))


def _describe(ctx, ttype):
    rng, lang = ctx.rng, ctx.lang
    if ttype == "medication":
        if rng.random() < 0.25:
            return MED_GENERIC[lang], 1
        rx = "Rx " if rng.random() < 0.35 else ""
        n = rng.choice([10, 14, 20, 21, 28, 30])
        return f"{rx}{rng.choice(DRUGS)} {FORM[lang]} x{n}", 1
    desc = rng.choice(VOCAB[ttype][lang])
    qty = 1
    if ttype in ("physiotherapy", "mental_health") and rng.random() < 0.4:
        qty = rng.randint(2, 8)
    if ttype == "laboratory" and rng.random() < 0.2:
        qty = rng.randint(2, 3)
    return desc, qty


def _line(ctx, ttype, day, qty=None, desc=None):
    d, q = _describe(ctx, ttype)
    desc = desc or d
    qty = qty or q
    lo, hi = PRICE[ttype]
    if desc in MILEAGE:
        qty, unit = ctx.rng.randint(5, 60), ctx.money(ctx.rng.uniform(1.2, 3.0))
    else:
        unit = ctx.money(ctx.rng.uniform(lo, hi))
    return {"type": ttype, "desc": desc, "qty": qty, "unit": unit, "amount": unit * qty, "day": day}


def _code(ctx, ttype):
    rng = ctx.rng
    if ctx.country == "US":
        return US_CPT[ttype]
    if ctx.lang == "de":
        return str(rng.choice([1, 3, 5, 6, 7, 34, 250, 410, 3511, 5035, 505, 510, 2000, 4001]))
    if ctx.country == "FR":
        return rng.choice(["G", "CS", "AMK 8", "YYYY010", "B 40", "APC"])
    return f"{ttype[:2].upper()}{rng.randint(100, 999)}"


def _items(ctx, kind, setting, service_day, nights, itemized):
    rng = ctx.rng
    main, others = KINDS[kind]
    items = []
    if kind == "hospital" and setting == "inpatient":
        adm = service_day
        if itemized:
            room = ctx.money(rng.uniform(150, 450))
            for n in range(nights):
                d = adm + timedelta(days=n)
                items.append({"type": "hospital_admission", "desc": VOCAB["hospital_admission"][ctx.lang][0],
                              "qty": 1, "unit": room, "amount": room, "day": d})
                for t in rng.sample(["medication", "laboratory", "hospital_admission", "specialist", "medication"],
                                    rng.randint(2, 3)):
                    items.append(_line(ctx, t, d))
        else:
            items.append(_line(ctx, "hospital_admission", adm, qty=nights,
                               desc=VOCAB["hospital_admission"][ctx.lang][rng.randint(0, 1)]))
            for t in ["specialist", "laboratory", "medication"] + rng.sample(
                    ["hospital_admission", "specialist", "medication", "laboratory", "other"], rng.randint(1, 4)):
                items.append(_line(ctx, t, adm + timedelta(days=rng.randint(0, nights))))
    elif kind == "hospital" and setting == "daycare":
        for t in ["hospital_admission", "specialist"] + rng.sample(["laboratory", "medication", "specialist", "other"],
                                                                   rng.randint(1, 3)):
            items.append(_line(ctx, t, service_day))
    else:
        if kind == "hospital":
            main = "specialist"
        n_main = rng.randint(1, 3)
        for i in range(n_main):
            items.append(_line(ctx, main, service_day - timedelta(days=7 * (n_main - 1 - i))))
        for t in rng.sample(others, min(len(others), rng.randint(0, 2))):
            items.append(_line(ctx, t, service_day))
    return items


def _make_unique_max(items):
    top = max(items, key=lambda it: it["amount"])
    if any(it["amount"] == top["amount"] and it["type"] != top["type"] for it in items):
        top["unit"] += Decimal(1)
        top["amount"] = top["unit"] * top["qty"]


def _totals(ctx, items, kind, layout):
    """Subtotal, adjustments and the printed totals block; returns (total, rows, record)."""
    rng, lang = ctx.rng, ctx.lang
    rate = COUNTRIES[ctx.country]["vat"]
    sub = sum((it["amount"] for it in items), Decimal(0))
    rnd = (lambda x: Decimal(int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP)))) if ctx.decimals == 0 else q2
    vat_mode = "none"
    if rate and rng.random() < 0.45:
        vat_mode = rng.choice(["added", "added", "included"])
    discount = rnd(sub * Decimal(rng.choice([5, 10, 15])) / 100) if rng.random() < 0.2 else Decimal(0)
    net = sub - discount
    vat = rnd(net * Decimal(str(rate)) / 100) if vat_mode == "added" else Decimal(0)
    total = net + vat
    rows = []
    show_sub = discount or vat or rng.random() < 0.3
    if show_sub:
        rows.append((label(rng, "subtotal", lang), ctx.amt(sub), "subtotal"))
    if discount:
        rows.append((label(rng, "discount", lang), "-" + ctx.amt(discount), "discount"))
    if vat_mode == "added":
        rows.append((label(rng, "vat", lang, r=_rate_txt(rate, ctx)), ctx.amt(vat), "vat"))
    rows.append((label(rng, "total", lang), None, "total"))
    record = {"subtotal": str(q2(sub)), "discount": str(q2(discount)), "vat": str(q2(vat)), "vat_mode": vat_mode,
              "deposit": None, "insurance": None, "due": None}
    if vat_mode == "included":
        inc = rnd(total * Decimal(str(rate)) / (100 + Decimal(str(rate))))
        rows.append((label(rng, "vat_incl", lang, r=_rate_txt(rate, ctx)), ctx.amt(inc), "vat_incl"))
        record["vat"] = str(q2(inc))
    extra_p = rng.random()
    dep_p = 0.35 if kind == "hospital" else 0.08
    ins_p = 0.6 if ctx.country == "US" or layout == "L5" else 0.12
    if extra_p < dep_p and total > 10:
        dep = rnd(total * Decimal(rng.choice([20, 30, 50, 60])) / 100)
        rows.append((label(rng, "deposit", lang), "-" + ctx.amt(dep), "deposit"))
        rows.append((label(rng, "balance", lang), ctx.amt(total - dep), "balance"))
        record["deposit"], record["due"] = str(q2(dep)), str(q2(total - dep))
    elif extra_p < dep_p + ins_p and total > 10:
        ins = rnd(total * Decimal(rng.choice([50, 70, 80, 90])) / 100)
        rows.append((label(rng, "insurance", lang), "-" + ctx.amt(ins), "insurance"))
        rows.append((label(rng, "share", lang), ctx.amt(total - ins), "share"))
        record["insurance"], record["due"] = str(q2(ins)), str(q2(total - ins))
    return total, rows, record


def _rate_txt(rate, ctx):
    txt = str(rate)
    return txt.replace(".", ",") if ctx.num in ("dot", "space") else txt


def _cur_style(ctx):
    syms = CUR_SYMBOL[ctx.cur]
    if ctx.cur == "MXN":
        syms = ["MXN"]
    mode = ctx.rng.choice(["pre", "suf", "header"])
    return mode, ctx.rng.choice(syms)


def _with_cur(text, mode, sym):
    if mode == "pre":
        return f"{sym} {text}" if len(sym) > 1 or sym in "€£" else f"{sym}{text}"
    if mode == "suf":
        return f"{text} {sym}"
    return text


def _names(ctx):
    rng = ctx.rng
    firsts, lasts = EXPAT_NAMES if rng.random() < 0.5 else LOCAL_NAMES[ctx.lang if ctx.lang in LOCAL_NAMES else "en"]
    return f"{rng.choice(firsts)} {rng.choice(lasts)}"


def _invoice_number(rng, d):
    y = d.year
    n = rng.randint(1, 99999)
    return rng.choice([f"RE-{y}-{n:05d}", f"F{y}/{n:05d}", f"INV-{rng.randint(100000, 999999)}", f"{y}-{n:05d}",
                       f"IV{(y + 543) % 100}{d.month:02d}-{n:05d}", f"{rng.randint(1000000, 9999999)}"])


def make_spec(rng, layout=None, country=None, multipage=None, one_page=False):
    """A random invoice: the truth dict plus "lines" (as printed), "layout" and "render" (for drawing)."""
    layout = layout or rng.choice(sorted(LAYOUTS))
    country = country or rng.choice(sorted(COUNTRIES))
    cols, cap1, cap2 = LAYOUTS[layout]
    if multipage is None:
        multipage = cap2 > 0 and not one_page and rng.random() < 0.15
    multipage = multipage and cap2 > 0 and not one_page
    ctx = Ctx(rng, country)
    lang = ctx.lang
    if multipage:
        kind, setting = "hospital", "inpatient"
    else:
        kind = rng.choice(sorted(KINDS) + ["hospital", "clinic"])
        setting = "outpatient"
        if kind == "hospital":
            setting = rng.choice(["inpatient", "inpatient", "daycare", "outpatient"])
    inv_day = _pick_date(rng)
    nights = 0
    extra = {"admission_date": None, "discharge_date": None, "emergency": None, "planned": None}
    if setting == "inpatient":
        nights = rng.randint(5, 9) if multipage else rng.randint(1, 6)
        discharge = inv_day - timedelta(days=rng.randint(0, 7))
        service_day = discharge - timedelta(days=nights)
        extra.update(admission_date=service_day.isoformat(), discharge_date=discharge.isoformat())
    else:
        service_day = inv_day - timedelta(days=rng.randint(0, 20))
        if setting == "daycare":
            extra.update(admission_date=service_day.isoformat(), discharge_date=service_day.isoformat())
    if kind in ("hospital", "ambulance"):
        extra["emergency"] = rng.random() < 0.4
    if setting in ("inpatient", "daycare"):
        extra["planned"] = not extra["emergency"]
    for _ in range(20):
        items = _items(ctx, kind, setting, service_day, nights, itemized=multipage)
        if multipage and len(items) <= cap1:
            continue
        if len(items) <= (cap1 + cap2 if multipage else cap1):
            break
        items = items[:cap1 + cap2] if multipage else items[:cap1]
        break
    _make_unique_max(items)
    total, trows, record = _totals(ctx, items, kind, layout)
    extra["totals"] = record
    cur_mode, cur_sym = _cur_style(ctx)

    # provider
    city_addr, city = address_lines(rng, country, with_country=rng.random() < 0.6)
    first, last = _names(ctx).split(" ", 1)
    pname = rng.choice(PROVIDER_NAMES[kind][lang]).format(city=city.split(",")[0], last=last,
                                                          first=first)
    pname_local = None
    if country == "TH":
        pname_local = THAI_KIND[kind] + THAI_CITY.get(city, "กรุงเทพ")
    tax_label, tax_value = tax_id(rng, country)
    provider = {"name": pname, "name_local": pname_local, "address": city_addr,
                "phone": ("Tel. " if rng.random() < 0.5 else "Phone: ") + phone(rng, country),
                "tax": f"{tax_label}: {tax_value}"}
    patient = _names(ctx)
    inv_no = _invoice_number(rng, inv_day)
    meta = [(label(rng, "number", lang), inv_no), (label(rng, "date", lang), ctx.day(inv_day))]
    meta.append((label(rng, "patient", lang), patient))
    if rng.random() < 0.5:
        meta.append((label(rng, "patient_id", lang), f"{rng.randint(10000, 999999)}"))
    if rng.random() < 0.2:
        dob = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
        meta.append((label(rng, "dob", lang), ctx.day(dob)))
    if rng.random() < 0.25:
        meta.append((label(rng, "due", lang), ctx.day(inv_day + timedelta(days=rng.choice([14, 30])))))
    if setting != "outpatient":
        meta.append((label(rng, "admission", lang), ctx.day(service_day)))
        meta.append((label(rng, "discharge", lang), ctx.day(date.fromisoformat(extra["discharge_date"]))))
        kindtxt = label(rng, "emergency" if extra["emergency"] else "elective", lang)
        meta.append((label(rng, "adm_type", lang), kindtxt))
        stxt = LABELS["setting"][lang][0 if setting == "inpatient" else 1]
        meta.append(("", stxt + (" - " + label(rng, "nights", lang, n=nights) if nights else "")))
    elif kind == "hospital" and extra["emergency"]:
        meta.append((label(rng, "adm_type", lang), label(rng, "emergency", lang)))

    # table rows
    heads = {c: ("#" if c == "no" else label(rng, c, lang)) for c in cols}
    if cur_mode == "header":
        heads["amount"] = f"{heads['amount']} ({ctx.cur})"
    rows = []
    for i, it in enumerate(items, 1):
        cells = []
        for c in cols:
            cells.append({"no": str(i), "desc": it["desc"], "qty": str(it["qty"]), "unit": ctx.amt(it["unit"]),
                          "amount": ctx.amt(it["amount"]), "svc_date": ctx.day(it["day"]),
                          "code": _code(ctx, it["type"])}[c])
        if "qty" not in cols and it["qty"] > 1:
            cells[cols.index("desc")] = f"{it['qty']} x {it['desc']}"
        rows.append(cells)
    total_txt = _with_cur(ctx.amt(total), cur_mode if cur_mode != "header" else "suf", cur_sym
                          if cur_mode != "header" else ctx.cur)
    trows = [(lab, total_txt if role == "total" else val, role) for lab, val, role in trows]
    page_break = cap1 if multipage and len(rows) > cap1 else None
    carried = None
    if page_break:
        carried = (label(rng, "carried", lang),
                   ctx.amt(sum((it["amount"] for it in items[:page_break]), Decimal(0))))
    footer = [label(rng, "terms", lang)]
    if rng.random() < 0.5 and country not in ("US", "TH", "AE", "SG", "MY", "ID", "MX", "BR"):
        footer.append(f"IBAN {country if country != 'GB' else 'GB'}{rng.randint(10, 99)} "
                      f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
                      f"{rng.randint(10, 99)}")
    title = label(rng, "title", lang)
    line_items = [{"description": r[cols.index("desc")], "amount": str(q2(it["amount"])), "treatment_type": it["type"]}
                  for r, it in zip(rows, items)]
    top = max(items, key=lambda it: it["amount"])
    render = {"provider": provider, "title": title, "meta": meta, "heads": [heads[c] for c in cols], "cols": cols,
              "rows": rows, "totals": trows, "footer": footer, "page_break": page_break, "carried": carried,
              "font_seed": rng.randint(0, 9999), "thai": country == "TH"}
    spec = {
        "layout": layout, "language": lang, "pages": 2 if page_break else 1,
        "fields": {"invoice_date": inv_day.isoformat(), "invoice_number": inv_no, "provider_name": pname,
                   "patient_name": patient, "country": country, "currency": ctx.cur,
                   "total_amount": str(q2(total)), "treatment_type": top["type"], "setting": setting,
                   "line_items": line_items},
        "extra": extra,
        "render": render,
    }
    spec["lines"] = printed_lines(render)
    spec["printed"] = {"invoice_date": ctx.day(inv_day), "total_amount": ctx.amt(total)}
    return spec


def printed_lines(render):
    """The text lines of the invoice in reading order (what a text layer or OCR would give)."""
    p = render["provider"]
    out = [p["name"]] + ([p["name_local"]] if p["name_local"] else []) + p["address"] + [p["phone"], p["tax"]]
    out.append(render["title"])
    out += [f"{k}: {v}" if k else v for k, v in render["meta"]]
    out.append("  ".join(render["heads"]))
    out += ["  ".join(r) for r in render["rows"]]
    out += [f"{lab} {val}" for lab, val, _ in render["totals"]]
    out += render["footer"]
    return out
