"""Plain keyword baseline: the taxonomy word column and the article 8 headings, nothing learned."""
from __future__ import annotations

import re
from decimal import Decimal

from models.rules import fold, stay
from models.vocab import HEADINGS

# taxonomy.md "typical invoice words" plus the policy heading of each code
WORDS = {
    "general_practice": "GP, huisarts, Hausarzt, Allgemeinmedizin, médecin généraliste, consulta medicina general",
    "medication": "pharmacy, apotheek, Apotheke, pharmacie, farmacia, prescription, Rx",
    "specialist": "cardiologist, dermatologist, orthopedic consult, Facharzt, spécialiste, X-ray, MRI, anaesthesia",
    "laboratory": "lab, blood test, Labor, laboratoire, análisis clínicos",
    "hospital_admission": "admission, inpatient, ward, room & board, Krankenhausaufenthalt, hospitalisation",
    "patient_transport": "ambulance, Krankentransport, taxi to hospital",
    "transplant": "transplant, donor",
    "dialysis": "dialysis, haemodialysis",
    "plastic_surgery": "plastic surgery, reconstructive",
    "rehabilitation": "rehabilitation clinic, Reha",
    "accommodation": "hotel near hospital, family house",
    "vaccination": "vaccine, Impfung, rabies, tetanus",
    "physiotherapy": "physiotherapy, Krankengymnastik, kinésithérapie, chiropractic",
    "occupational_therapy": "occupational therapy, Ergotherapie",
    "speech_therapy": "speech therapy, Logopädie, orthophonie",
    "dietetics": "dietitian, Ernährungsberatung",
    "dental": "dentist, Zahnarzt, dentiste, filling, crown, orthodontic",
    "maternity": "delivery, prenatal, midwife, Hebamme, sage-femme",
    "fertility": "IVF, ICSI, insemination",
    "reproductive_health": "contraception, IUD, vasectomy",
    "mental_health": "psychotherapy, psychologist, psychiatrist consult",
    "preventive_care": "screening, check-up, mammography, PSA test",
    "medical_aids": "crutches, wheelchair, prosthesis, orthosis, insoles",
    "optical": "glasses, contact lenses, optician",
    "alternative_medicine": "osteopathy, acupuncture, homeopathy",
    "dermatology": "acne treatment, laser epilation",
    "foot_care": "podiatry, pedicure",
    "repatriation": "air ambulance, evacuation, repatriation",
}
_PATTERNS = {code: [re.compile(r"\b" + re.escape(fold(w.strip())) + r"\b") for w in
                    (words.split(",") + HEADINGS[code].split("|")) if w.strip()]
             for code, words in WORDS.items()}
CURRENCY_COUNTRY = {"THB": "TH", "CHF": "CH", "GBP": "GB", "AED": "AE", "SGD": "SG", "MYR": "MY", "IDR": "ID",
                    "MXN": "MX", "BRL": "BR", "EUR": "DE", "USD": "US"}
INPATIENT_WORDS = re.compile(r"(inpatient|room|ward|night|nacht|nuit|noche|nott|noite|stationar|opname|hospitali|ricovero|internamento)")


def keyword_type(text: str) -> tuple[str, float]:
    """Code with the most keyword hits; "other" with no hit. Score is the hit share."""
    t = fold(text)
    hits = {code: sum(len(p.findall(t)) for p in pats) for code, pats in _PATTERNS.items()}
    best = max(hits, key=hits.get)
    total = sum(hits.values())
    if total == 0:
        return "other", 0.0
    return best, hits[best] / total


def classify(text: str, line_items: list[tuple[str, Decimal]], country_hints: dict[str, float],
             currency: str | None) -> dict:
    lines = [(keyword_type(d), a) for d, a in line_items]
    if lines:
        (ttype, tconf), _ = max(lines, key=lambda x: Decimal(str(x[1] or 0)))
    else:
        ttype, tconf = keyword_type(text)
    nights, _ = stay(text)
    if nights is not None:
        setting = "inpatient" if nights >= 1 else "daycare"
    else:
        setting = "inpatient" if INPATIENT_WORDS.search(fold(text)) else "outpatient"
    if country_hints:
        country = max(country_hints, key=country_hints.get)
    else:
        country = CURRENCY_COUNTRY.get((currency or "").upper())
    return {"treatment_type": ttype, "treatment_conf": tconf, "setting": setting, "country": country,
            "line_types": [lt[0] for lt, _ in lines]}
