"""Synthetic multilingual invoice texts for training and evaluating the classifiers.

`make_invoice(rng, template)` returns {"text", "lines", "template", "fields": {...}, "mixed"}.
Templates 0-7 are for training, 8-9 for calibration, 10-11 are held out for evaluation, so the
scores are not memorised layout.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from models.vocab import TYPES, phrases

TRAIN_TEMPLATES = tuple(range(8))
CALIB_TEMPLATES = (8, 9)
TEST_TEMPLATES = (10, 11)
N_TEMPLATES = 12

# code: (languages, currency, number style, date style, phone, cities, streets, names, tax id)
COUNTRIES: dict[str, tuple] = {
    "NL": (["nl"], "EUR", "dot", "dmy-", "+31", ["1012 AB Amsterdam", "3012 CL Rotterdam", "3581 KP Utrecht", "2514 EA Den Haag", "6511 LK Nijmegen"], ["Herengracht {n}", "Stationsweg {n}", "Molenstraat {n}"], ["Nederland"], "BTW NL{d9}B01"),
    "BE": (["nl", "fr"], "EUR", "dot", "dmy/", "+32", ["2018 Antwerpen", "9000 Gent", "1050 Bruxelles", "4000 Liège", "8000 Brugge"], ["Lange Kievitstraat {n}", "Rue Royale {n}", "Kortrijksesteenweg {n}"], ["België", "Belgique", "Belgium"], "BTW BE0{d3}.{d3}.{d3}"),
    "DE": (["de"], "EUR", "dot", "dmy.", "+49", ["10115 Berlin", "80331 München", "20095 Hamburg", "50667 Köln", "70173 Stuttgart"], ["Lindenstraße {n}", "Bergstraße {n}", "Kaiserallee {n}"], ["Deutschland", "Germany"], "USt-IdNr. DE{d9}"),
    "AT": (["de"], "EUR", "dot", "dmy.", "+43", ["1010 Wien", "8010 Graz", "5020 Salzburg", "6020 Innsbruck", "4020 Linz"], ["Mariahilfer Straße {n}", "Herrengasse {n}", "Landstraße {n}"], ["Österreich", "Austria"], "UID ATU{d8}"),
    "CH": (["de", "fr", "it"], "CHF", "apos", "dmy.", "+41", ["8001 Zürich", "1204 Genève", "6900 Lugano", "4051 Basel", "3011 Bern"], ["Seefeldstrasse {n}", "Rue du Rhône {n}", "Via Nassa {n}"], ["Schweiz", "Suisse", "Svizzera", "Switzerland"], "CHE-{d3}.{d3}.{d3} MWST"),
    "FR": (["fr"], "EUR", "space", "dmy/", "+33", ["75015 Paris", "69003 Lyon", "13008 Marseille", "06000 Nice", "67000 Strasbourg"], ["{n} rue de la Paix", "{n} avenue Foch", "{n} boulevard Voltaire"], ["France"], "SIRET {d3} {d3} {d3} {d5}"),
    "ES": (["es"], "EUR", "dot", "dmy/", "+34", ["28010 Madrid", "08036 Barcelona", "46010 Valencia", "29016 Málaga", "03001 Alicante"], ["Calle de Serrano, {n}", "Avenida Diagonal {n}", "Calle Real {n}"], ["España", "Spain"], "CIF B{d8}"),
    "IT": (["it"], "EUR", "dot", "dmy/", "+39", ["00161 Roma", "20122 Milano", "50134 Firenze", "80131 Napoli", "30121 Venezia"], ["Via Appia Nuova {n}", "Viale Monza {n}", "Via dei Mille {n}"], ["Italia", "Italy"], "P.IVA {d11}"),
    "PT": (["pt"], "EUR", "space", "dmy-", "+351", ["1050-099 Lisboa", "4050-345 Porto", "8000-312 Faro", "3000-075 Coimbra", "9000-018 Funchal"], ["Rua do Ouro, {n}", "Avenida da República {n}", "Rua Direita {n}"], ["Portugal"], "NIF {d9}"),
    "BR": (["pt"], "BRL", "dot", "dmy/", "+55", ["São Paulo - SP 04038-001", "Rio de Janeiro - RJ 22290-030", "Curitiba - PR 80010-010", "Salvador - BA 40020-000"], ["Rua Augusta, {n}", "Av. Brasil, {n}", "Rua XV de Novembro, {n}"], ["Brasil", "Brazil"], "CNPJ {d2}.{d3}.{d3}/0001-{d2}"),
    "MX": (["es"], "MXN", "comma", "dmy/", "+52", ["Ciudad de México, CDMX 03100", "Guadalajara, Jal. 44600", "Cancún, Q. Roo 77500", "Puebla, Pue. 72000"], ["Av. Revolución {n}", "Calle Hidalgo {n}", "Av. Juárez {n}"], ["México", "Mexico"], "RFC {A3}{d6}{A2}{d1}"),
    "PA": (["es"], "USD", "comma", "dmy/", "+507", ["Ciudad de Panamá", "David, Chiriquí", "Colón"], ["Vía España {n}", "Calle 50, Edificio {n}", "Av. Balboa {n}"], ["Panamá", "Panama"], "RUC {d7}-{d1}-{d6} DV {d2}"),
    "US": (["en"], "USD", "comma", "mdy/", "+1", ["Seattle, WA 98104", "Denver, CO 80203", "Orlando, FL 32801", "Phoenix, AZ 85004", "Atlanta, GA 30303"], ["{n} Pine Street", "{n} Broadway, Suite {m}", "{n} Elm Avenue"], ["USA", "United States"], "EIN {d2}-{d7}"),
    "GB": (["en"], "GBP", "comma", "dmy/", "+44", ["London SE1 7EH", "Leeds LS1 3EX", "Glasgow G12 8QQ", "Oxford OX3 9DU", "Cardiff CF14 4XW"], ["{n} Great Portland Street", "{n} Station Road", "{n} Church Lane"], ["United Kingdom", "UK"], "VAT Reg No GB {d3} {d4} {d2}"),
    "IE": (["en"], "EUR", "comma", "dmy/", "+353", ["Dublin 4 D04 T6F4", "Cork T12 X70A", "Galway H91 YR71", "Limerick V94 F858"], ["{n} Merrion Square", "{n} Patrick Street", "{n} Eyre Square"], ["Ireland"], "VAT IE{d7}{A1}"),
    "AE": (["en"], "AED", "comma", "dmy/", "+971", ["Dubai", "Abu Dhabi", "Sharjah", "Al Ain"], ["Jumeirah Beach Road, Villa {n}", "Oud Metha Road, Building {m}", "Corniche Road, P.O. Box {n}"], ["United Arab Emirates", "UAE"], "TRN {d15}"),
    "SG": (["en"], "SGD", "comma", "dmy/", "+65", ["Singapore 238859", "Singapore 308433", "Singapore 169608"], ["{n} Paterson Road, #0{m}-10", "{n} Irrawaddy Road", "{n} Bukit Timah Road"], ["Singapore"], "GST Reg No. {d9}{A1}"),
    "MY": (["en"], "MYR", "comma", "dmy/", "+60", ["50400 Kuala Lumpur", "10050 George Town, Penang", "88000 Kota Kinabalu"], ["No. {n}, Jalan Bukit Bintang", "Lot {n}, Jalan Sultan Ismail", "{n} Jalan Tun Sambanthan"], ["Malaysia"], "SST No. W10-{d4}-{d8}"),
    "ID": (["en"], "IDR", "dot", "dmy/", "+62", ["Badung, Bali 80361", "Jakarta Pusat 10310", "Bandung 40115", "Yogyakarta 55281"], ["Jl. Raya Kuta No. {n}", "Jl. MH Thamrin No. {n}", "Jl. Malioboro {n}"], ["Indonesia"], "NPWP {d2}.{d3}.{d3}.{d1}-{d3}.000"),
    "TH": (["th"], "THB", "comma", "dmy/", "+66", ["Bangkok 10110", "Bangkok 10330", "Chiang Mai 50000", "Phuket 83100", "Pattaya, Chonburi 20150", "Koh Samui, Surat Thani 84320"], ["{n} Sukhumvit Soi {m}, Watthana", "{n}/{m} Ratchadamri Road", "{n} Moo {m}, Chaweng Beach Road"], ["Thailand", "ประเทศไทย"], "Tax ID {d13}"),
}
COUNTRY_CODES = tuple(COUNTRIES)
CURRENCY_RATE = {"EUR": 1, "USD": 1.1, "GBP": 0.86, "CHF": 0.95, "THB": 38, "AED": 4, "SGD": 1.45,
                 "MYR": 5, "IDR": 17000, "MXN": 19, "BRL": 5.5}
CURRENCY_SIGN = {"EUR": ["€", "EUR"], "USD": ["$", "USD", "US$"], "GBP": ["£", "GBP"], "CHF": ["CHF", "Fr."],
                 "THB": ["THB", "฿", "Baht", "บาท"], "AED": ["AED", "Dhs"], "SGD": ["S$", "SGD"],
                 "MYR": ["RM", "MYR"], "IDR": ["Rp", "IDR"], "MXN": ["$", "MXN", "M.N."], "BRL": ["R$", "BRL"]}

SURNAMES = {
    "en": ["Smith", "Johnson", "O'Brien", "Patel", "Walker", "Murphy", "Taylor", "Lee", "Tan", "Rahman", "Wijaya"],
    "nl": ["Jansen", "de Boer", "Mulder", "van Dijk", "Peeters", "Willems", "Hendriks"],
    "de": ["Hoffmann", "Wagner", "Schäfer", "Koch", "Huber", "Gruber", "Keller"],
    "fr": ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Dupont"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Herrera"],
    "it": ["Rossi", "Bianchi", "Esposito", "Colombo", "Ricci", "Marino", "Greco"],
    "pt": ["Silva", "Santos", "Ferreira", "Oliveira", "Costa", "Pereira", "Almeida"],
    "th": ["Sukhumvit", "Charoenrat", "Phromma", "Kittisak", "Thongchai", "Wattanakul"],
}
FIRST = ["Anna", "Pieter", "Marie", "Jan", "Sofia", "Thomas", "Emma", "Lucas", "Eva", "Mark", "Sara", "Kim"]

# Field labels per language; "th" labels are bilingual Thai / English.
LABELS = {
    "en": dict(inv="INVOICE|Invoice|Statement of Account|Receipt|Tax Invoice|Medical Bill", date="Invoice date|Date|Date of issue", no="Invoice No.|Invoice #|Bill no.|Ref", pat="Patient|Patient name|Name", tot="Total|Amount due|TOTAL|Balance due|Grand total", adm="Admission date|Date admitted|Admitted", dis="Discharge date|Date discharged|Discharged", nig="Nights|Length of stay (nights)|No. of nights", desc="Description|Service|Item", amt="Amount|Charge|Price", qty="Qty|Units", svc="Date of service|Service date", tel="Tel|Phone", thanks="Thank you for your payment|Payment due within 30 days|Please quote the invoice number", vat="VAT|Tax"),
    "nl": dict(inv="FACTUUR|Factuur|Nota|Declaratie", date="Factuurdatum|Datum|Datum factuur", no="Factuurnummer|Factuurnr.|Notanummer", pat="Patiënt|Naam patiënt|Cliënt", tot="Totaal|Te betalen|Totaalbedrag|Totaal te voldoen", adm="Opnamedatum|Datum opname|Opgenomen op", dis="Ontslagdatum|Datum ontslag|Ontslagen op", nig="Aantal nachten|Nachten|Verpleegduur (nachten)", desc="Omschrijving|Prestatie|Behandeling", amt="Bedrag|Tarief", qty="Aantal", svc="Behandeldatum|Datum behandeling", tel="Tel.|Telefoon", thanks="Gelieve binnen 14 dagen te betalen|Met vriendelijke groet|Betaling o.v.v. factuurnummer", vat="BTW"),
    "de": dict(inv="RECHNUNG|Rechnung|Liquidation|Privatrechnung|Quittung", date="Rechnungsdatum|Datum|Ausstellungsdatum", no="Rechnungsnummer|Rechnung Nr.|Beleg-Nr.", pat="Patient|Patientin|Behandelte Person|Name", tot="Gesamtbetrag|Summe|Rechnungsbetrag|Zu zahlen|Endbetrag", adm="Aufnahmedatum|Aufnahme am|Aufnahmetag", dis="Entlassungsdatum|Entlassung am|Entlassungstag", nig="Nächte|Anzahl Nächte|Pflegetage", desc="Leistung|Bezeichnung|Leistungsbeschreibung", amt="Betrag|Preis|Euro", qty="Anzahl|Menge", svc="Behandlungsdatum|Leistungsdatum", tel="Tel.|Telefon", thanks="Zahlbar innerhalb von 14 Tagen|Mit freundlichen Grüßen|Bitte überweisen Sie den Betrag", vat="MwSt.|USt."),
    "fr": dict(inv="FACTURE|Facture|Note d'honoraires|Reçu", date="Date de facture|Date|Date d'émission", no="N° de facture|Facture n°|Référence", pat="Patient|Nom du patient|Patiente", tot="Total|Montant total|Net à payer|Total TTC|Montant dû", adm="Date d'entrée|Date d'admission|Entrée le", dis="Date de sortie|Sortie le", nig="Nuits|Nombre de nuits|Durée du séjour (nuits)", desc="Désignation|Libellé|Prestation", amt="Montant|Prix", qty="Qté|Quantité", svc="Date des soins|Date de l'acte", tel="Tél.|Téléphone", thanks="Paiement à réception|Merci de votre confiance|Règlement sous 30 jours", vat="TVA"),
    "es": dict(inv="FACTURA|Factura|Recibo|Factura simplificada", date="Fecha de factura|Fecha|Fecha de emisión", no="N.º de factura|Factura n.º|Número", pat="Paciente|Nombre del paciente", tot="Total|Importe total|Total a pagar|TOTAL", adm="Fecha de ingreso|Ingreso", dis="Fecha de alta|Alta", nig="Noches|Número de noches|Estancia (noches)", desc="Concepto|Descripción", amt="Importe|Precio", qty="Cant.|Cantidad", svc="Fecha de servicio|Fecha de atención", tel="Tel.|Teléfono", thanks="Gracias por su confianza|Pago a 30 días|Forma de pago: tarjeta", vat="IVA"),
    "it": dict(inv="FATTURA|Fattura|Ricevuta|Ricevuta sanitaria", date="Data fattura|Data|Data emissione", no="Fattura n.|Numero fattura|N. documento", pat="Paziente|Nome paziente|Sig./Sig.ra", tot="Totale|Totale da pagare|Importo totale|TOTALE", adm="Data di ricovero|Data ammissione|Ricoverato il", dis="Data di dimissione|Dimesso il", nig="Notti|Numero notti|Giorni di degenza (notti)", desc="Descrizione|Prestazione", amt="Importo|Prezzo", qty="Q.tà|Quantità", svc="Data prestazione", tel="Tel.|Telefono", thanks="Pagamento alla consegna|Grazie|Marca da bollo assolta", vat="IVA"),
    "pt": dict(inv="FATURA|Fatura|Fatura-Recibo|Nota Fiscal|Recibo", date="Data da fatura|Data|Data de emissão", no="Fatura n.º|N.º|Número do documento", pat="Utente|Paciente|Nome", tot="Total|Total a pagar|Valor total|TOTAL", adm="Data de admissão|Data de internamento|Internado em", dis="Data de alta|Alta em", nig="Noites|Número de noites|Diárias (noites)", desc="Descrição|Serviço", amt="Valor|Montante", qty="Qtd.|Quantidade", svc="Data do serviço|Data do atendimento", tel="Tel.|Telefone", thanks="Obrigado pela preferência|Pagamento a pronto|Processado por programa certificado", vat="IVA"),
    "th": dict(inv="ใบแจ้งหนี้ / INVOICE|ใบเสร็จรับเงิน / RECEIPT|ใบกำกับภาษี / TAX INVOICE|ใบแจ้งค่ารักษาพยาบาล / MEDICAL BILL", date="วันที่ / Date|วันที่ออกใบเสร็จ / Date", no="เลขที่ / No.|เลขที่ใบเสร็จ / Receipt No.", pat="ชื่อผู้ป่วย / Patient name|ผู้ป่วย / Patient|HN / Patient", tot="รวมทั้งสิ้น / Grand Total|ยอดรวม / Total|จำนวนเงินรวม / Total Amount", adm="วันที่เข้ารับการรักษา / Admission date|วันที่รับไว้ / Admit date", dis="วันที่จำหน่าย / Discharge date|วันที่ออกจากโรงพยาบาล / Discharge", nig="จำนวนคืน / Nights|จำนวนวันนอน / Length of stay", desc="รายการ / Description|รายการค่าใช้จ่าย / Items", amt="จำนวนเงิน / Amount|ราคา / Price", qty="จำนวน / Qty", svc="วันที่รับบริการ / Visit date", tel="โทร / Tel", thanks="ขอบคุณที่ใช้บริการ / Thank you|กรุณาชำระเงินที่แคชเชียร์ / Please pay at cashier", vat="ภาษีมูลค่าเพิ่ม / VAT"),
}

SETTING_WORDS = {
    "inpatient": {"en": "Inpatient|IPD|Admitted to ward", "nl": "Klinische opname|Opname", "de": "Stationär|Stationäre Behandlung", "fr": "Hospitalisation complète|Séjour hospitalier", "es": "Hospitalización|Paciente ingresado", "it": "Ricovero ordinario|Degenza", "pt": "Internamento|Paciente internado", "th": "ผู้ป่วยใน / Inpatient (IPD)|ผู้ป่วยใน / IPD"},
    "daycare": {"en": "Day case|Day surgery|Day-care admission", "nl": "Dagopname|Dagbehandeling", "de": "Tagesklinik|Tagesstationär|Teilstationäre Behandlung", "fr": "Hôpital de jour|Hospitalisation de jour|Ambulatoire (admission de jour)", "es": "Hospital de día|Ingreso de día|Cirugía mayor ambulatoria", "it": "Day hospital|Day surgery", "pt": "Hospital de dia|Cirurgia de ambulatório (dia)", "th": "รับไว้แบบไม่ค้างคืน / Day case|Day surgery / ผ่าตัดไม่ค้างคืน"},
    "outpatient": {"en": "Outpatient|OPD|Clinic visit", "nl": "Poliklinisch|Spreekuur", "de": "Ambulant|Sprechstunde", "fr": "Consultation externe|Soins externes", "es": "Consulta externa|Ambulatorio", "it": "Ambulatoriale|Visita ambulatoriale", "pt": "Consulta externa|Ambulatório", "th": "ผู้ป่วยนอก / Outpatient (OPD)|ผู้ป่วยนอก / OPD"},
}

PROVIDER = {
    "en": ["{city} Medical Centre", "St. {name}'s Hospital", "Dr. {name} Practice", "{name} Healthcare", "{city} General Hospital", "International Clinic {city}"],
    "nl": ["Ziekenhuis {city}", "Praktijk {name}", "Medisch Centrum {city}", "Gezondheidscentrum {city}", "{name} Zorg"],
    "de": ["Klinikum {city}", "Praxis Dr. {name}", "Gemeinschaftspraxis {name}", "Krankenhaus {city}", "Medizinisches Zentrum {city}"],
    "fr": ["Clinique {city}", "Cabinet du Dr {name}", "Centre Hospitalier de {city}", "Centre médical {name}", "Polyclinique {city}"],
    "es": ["Clínica {city}", "Hospital {name}", "Centro Médico {city}", "Consulta Dr. {name}", "Hospital Universitario {city}"],
    "it": ["Clinica {city}", "Studio Medico {name}", "Ospedale {city}", "Poliambulatorio {name}", "Casa di Cura {city}"],
    "pt": ["Clínica {city}", "Hospital {name}", "Centro Médico {city}", "Consultório Dr. {name}", "Hospital Particular {city}"],
    "th": ["โรงพยาบาล{name} / {name} Hospital", "{city} International Hospital", "คลินิก{name} / {name} Clinic", "{name} Medical Center"],
}
PROVIDER_KIND = {
    "medication": {"en": "{name} Pharmacy", "nl": "Apotheek {name}", "de": "{name}-Apotheke", "fr": "Pharmacie {name}", "es": "Farmacia {name}", "it": "Farmacia {name}", "pt": "Farmácia {name}", "th": "ร้านขายยา{name} / {name} Pharmacy"},
    "dental": {"en": "{name} Dental Clinic", "nl": "Tandartspraktijk {name}", "de": "Zahnarztpraxis {name}", "fr": "Cabinet dentaire {name}", "es": "Clínica Dental {name}", "it": "Studio Dentistico {name}", "pt": "Clínica Dentária {name}", "th": "คลินิกทันตกรรม / {name} Dental"},
    "optical": {"en": "{name} Opticians", "nl": "Opticien {name}", "de": "Optik {name}", "fr": "Optique {name}", "es": "Óptica {name}", "it": "Ottica {name}", "pt": "Óptica {name}", "th": "ร้านแว่น{name} / {name} Optical"},
    "physiotherapy": {"en": "{name} Physio", "nl": "Fysiotherapie {name}", "de": "Physiotherapie {name}", "fr": "Cabinet de kinésithérapie {name}", "es": "Fisioterapia {name}", "it": "Centro Fisioterapia {name}", "pt": "Clínica de Fisioterapia {name}", "th": "คลินิกกายภาพ / {name} Physio"},
    "laboratory": {"en": "{name} Diagnostics Lab", "nl": "Laboratorium {city}", "de": "Labor {name}", "fr": "Laboratoire {name}", "es": "Laboratorio {name}", "it": "Laboratorio Analisi {name}", "pt": "Laboratório {name}", "th": "แล็บ{name} / {name} Lab"},
}

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", "nl": "jan feb mrt apr mei jun jul aug sep okt nov dec",
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.", "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "es": "ene feb mar abr may jun jul ago sep oct nov dic", "it": "gen feb mar apr mag giu lug ago set ott nov dic",
    "pt": "jan fev mar abr mai jun jul ago set out nov dez", "th": "ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.",
}

# Which settings a treatment type occurs in, with weights.
SETTINGS = {
    "hospital_admission": {"inpatient": 0.75, "daycare": 0.25},
    "transplant": {"inpatient": 0.9, "daycare": 0.1},
    "maternity": {"inpatient": 0.45, "outpatient": 0.5, "daycare": 0.05},
    "plastic_surgery": {"daycare": 0.45, "inpatient": 0.3, "outpatient": 0.25},
    "dialysis": {"daycare": 0.5, "outpatient": 0.5},
    "rehabilitation": {"daycare": 0.7, "inpatient": 0.2, "outpatient": 0.1},
    "specialist": {"outpatient": 0.8, "daycare": 0.15, "inpatient": 0.05},
    "repatriation": {"outpatient": 0.9, "inpatient": 0.1},
    "fertility": {"outpatient": 0.7, "daycare": 0.3},
    "reproductive_health": {"outpatient": 0.8, "daycare": 0.2},
    "dental": {"outpatient": 0.95, "daycare": 0.05},
}
PRICE = {"hospital_admission": 600, "transplant": 20000, "maternity": 1500, "plastic_surgery": 2500, "dialysis": 300,
         "rehabilitation": 250, "repatriation": 8000, "fertility": 2500, "specialist": 180, "medication": 35,
         "laboratory": 60, "patient_transport": 350, "accommodation": 90, "dental": 150, "medical_aids": 120}


def _pick(s: str, rng: random.Random) -> str:
    return rng.choice(s.split("|"))


def _digits(spec: str, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(spec):
        if spec[i] == "{":
            j = spec.index("}", i)
            tok = spec[i + 1:j]
            n = int(tok[1:])
            chars = "0123456789" if tok[0] == "d" else "ABCDEFGHJKLMNPRSTUVWXYZ"
            out.append("".join(rng.choice(chars) for _ in range(n)))
            i = j + 1
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


def fmt_amount(v: Decimal, style: str) -> str:
    s = f"{v:,.2f}"  # 1,234.56
    if style == "dot":
        return s.replace(",", "X").replace(".", ",").replace("X", ".")
    if style == "space":
        return s.replace(",", " ").replace(".", ",")
    if style == "apos":
        return s.replace(",", "'")
    return s


def fmt_date(d: date, style: str, lang: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return d.isoformat()
    if r < 0.3:
        mon = MONTHS[lang].split()[d.month - 1]
        return f"{d.day} {mon} {d.year + 543 if lang == 'th' and rng.random() < 0.5 else d.year}"
    sep = style[-1]
    if style.startswith("mdy"):
        return f"{d.month:02d}{sep}{d.day:02d}{sep}{d.year}"
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"


def _noise(text: str, rng: random.Random, rate: float) -> str:
    """OCR-like damage: swapped look-alike characters, lost accents, dropped characters."""
    swaps = {"l": "1", "O": "0", "o": "0", "e": "c", "rn": "m", "i": "l", "S": "5", "ü": "u", "é": "e",
             "è": "e", "ä": "a", "ö": "o", "ç": "c", "ã": "a", "í": "i", "ó": "o", "à": "a", "B": "8"}
    out = []
    for ch in text:
        r = rng.random()
        if r < rate and ch in swaps:
            out.append(swaps[ch])
        elif r < rate * 1.3 and ch.isalpha():
            continue
        else:
            out.append(ch)
    return "".join(out)


def line_text(code: str, lang: str, rng: random.Random, n: int = 1) -> str:
    """One printed line-item description of a treatment type."""
    if lang == "th":
        th, en = rng.choice(phrases(code, "th")), rng.choice(phrases(code, "en"))
        r = rng.random()
        desc = f"{th} / {en}" if r < 0.5 else (f"{th} ({en})" if r < 0.65 else (en if r < 0.85 else th))
    else:
        desc = rng.choice(phrases(code, lang))
        if rng.random() < 0.08:  # English wording on a local invoice
            desc = rng.choice(phrases(code, "en"))
    r = rng.random()
    if n > 1 and r < 0.5:
        desc = f"{n} x {desc}" if rng.random() < 0.5 else f"{desc} ({n}x)"
    elif r < 0.12:
        desc = f"{rng.randint(1, 9999):04d} {desc}"
    elif r < 0.2:
        desc = desc.upper()
    elif r < 0.26:
        desc = desc.lower()
    return desc


def _setting_for(code: str, rng: random.Random) -> str:
    w = SETTINGS.get(code, {"outpatient": 1.0})
    return rng.choices(list(w), weights=list(w.values()))[0]


def _amount(code: str, cur: str, rng: random.Random, scale: float = 1.0) -> Decimal:
    base = PRICE.get(code, 90) * CURRENCY_RATE[cur] * scale * rng.uniform(0.4, 1.8)
    q = Decimal("1") if cur == "IDR" else Decimal("0.01")
    return Decimal(str(base)).quantize(q)


def make_items(code: str, setting: str, lang: str, cur: str, nights: int, rng: random.Random,
               mixed: bool = False) -> list[dict]:
    """Line items: main treatment lines plus smaller ancillary lines."""
    items = []
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        n = rng.choice([1, 1, 1, 2, 3, 6, 9]) if code in ("physiotherapy", "dialysis", "speech_therapy", "mental_health") else 1
        items.append(dict(description=line_text(code, lang, rng, n), amount=_amount(code, cur, rng, n ** 0.5), treatment_type=code))
    main = max(i["amount"] for i in items)
    extras: list[str] = []
    if setting == "inpatient" and code != "hospital_admission":
        extras.append("hospital_admission")
    if setting in ("inpatient", "daycare"):
        extras += rng.sample(["laboratory", "medication", "specialist"], rng.randint(0, 3))
    elif rng.random() < 0.35:
        extras += rng.sample(["medication", "laboratory", "other"], rng.randint(1, 2))
    for ex in extras:
        if ex == code:
            continue
        amt = min(_amount(ex, cur, rng, max(nights, 1) ** 0.5), main * Decimal(str(rng.uniform(0.15, 0.8))))
        amt = max(amt.quantize(Decimal("0.01")), Decimal("1.00"))
        items.append(dict(description=line_text(ex, lang, rng, nights if ex == "hospital_admission" and nights > 1 else 1), amount=amt, treatment_type=ex))
    if mixed:
        other = rng.choice([t for t in TYPES if t != code])
        items.append(dict(description=line_text(other, lang, rng), amount=(main * Decimal(str(rng.uniform(0.7, 1.3)))).quantize(Decimal("0.01")), treatment_type=other))
    rng.shuffle(items)
    return items


def make_invoice(rng: random.Random, template: int | None = None, code: str | None = None) -> dict:
    template = rng.randrange(N_TEMPLATES) if template is None else template
    country = rng.choice(COUNTRY_CODES)
    langs, cur, num, dstyle, phone, cities, streets, cnames, taxfmt = COUNTRIES[country]
    lang = rng.choice(langs)
    code = code or rng.choice(TYPES)
    setting = _setting_for(code, rng)
    inv_date = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
    nights = rng.choice([1, 1, 2, 2, 3, 4, 5, 7, 10, 14]) if setting == "inpatient" else 0
    adm = inv_date - timedelta(days=nights + rng.randrange(0, 10))
    dis = adm + timedelta(days=nights)
    mixed = rng.random() < 0.04
    no_items = rng.random() < 0.08
    items = make_items(code, setting, lang, cur, nights, rng, mixed)
    if no_items:
        items = [dict(description=line_text(code, lang, rng), amount=_amount(code, cur, rng), treatment_type=code)]
    truth_type = max(items, key=lambda i: i["amount"])["treatment_type"]
    city = rng.choice(cities)
    surname = rng.choice(SURNAMES[lang])
    kind = PROVIDER_KIND.get(code, {}).get(lang) if rng.random() < 0.7 else None
    provider = (kind or rng.choice(PROVIDER[lang])).format(name=surname, city=city.split()[-1] if country not in ("TH",) else city.split()[0])
    ctx = dict(
        L={k: _pick(v, rng) if False else v for k, v in LABELS[lang].items()},
        lang=lang, rng=rng, num=num, cur=cur, sign=rng.choice(CURRENCY_SIGN[cur]),
        provider=provider,
        street=rng.choice(streets).format(n=rng.randint(1, 250), m=rng.randint(1, 40)),
        city=city, cname=rng.choice(cnames) if rng.random() < 0.6 else "",
        phone=f"{phone} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.75 else "",
        tax=_digits(taxfmt, rng) if rng.random() < 0.6 else "",
        patient=f"{rng.choice(FIRST)} {rng.choice(SURNAMES[rng.choice(['nl', 'en', 'de'])])}",
        number=f"{rng.choice(['', 'INV', 'RE', 'F', 'HN'])}{rng.randint(1000, 999999)}",
        date=fmt_date(inv_date, dstyle, lang, rng),
        adm=fmt_date(adm, dstyle, lang, rng) if setting != "outpatient" else "",
        dis=fmt_date(dis, dstyle, lang, rng) if setting != "outpatient" else "",
        nights=nights, setting=setting,
        show_dates=setting != "outpatient" and rng.random() < 0.7,
        show_setting=rng.random() < 0.5,
        items=items, no_items=no_items,
        total=sum((i["amount"] for i in items), Decimal("0")),
    )
    lines = [ln for ln in TEMPLATES[template](ctx) if ln is not None]
    noise = rng.choice([0, 0, 0, 0.01, 0.02, 0.04])
    if noise:
        lines = [_noise(ln, rng, noise) for ln in lines]
    return {
        "text": "\n".join(lines), "lines": lines, "template": template, "mixed": mixed,
        "fields": {"country": country, "currency": cur, "treatment_type": truth_type, "setting": setting,
                   "language": lang,
                   "line_items": [] if no_items else [
                       {"description": _noise(i["description"], rng, noise) if noise else i["description"],
                        "amount": str(i["amount"]), "treatment_type": i["treatment_type"]} for i in items]},
    }


# ---- layout templates: each takes the context and returns printed lines ----

def _lab(c, key):
    return _pick(c["L"][key], c["rng"])


def _money(c, v):
    a = fmt_amount(v, c["num"])
    return f"{c['sign']} {a}" if c["rng"].random() < 0.5 else f"{a} {c['sign']}"


def _addr(c):
    return [c["provider"], c["street"], c["city"] + (f", {c['cname']}" if c["cname"] else "")]


def _contact(c):
    out = []
    if c["phone"]:
        out.append(f"{_lab(c, 'tel')}: {c['phone']}")
    if c["tax"]:
        out.append(c["tax"])
    return out


def _stay(c, sep=": "):
    out = []
    if c["show_setting"] or (c["setting"] == "daycare" and not c["show_dates"]):
        out.append(_pick(SETTING_WORDS[c["setting"]][c["lang"]], c["rng"]))
    if c["show_dates"]:
        out.append(f"{_lab(c, 'adm')}{sep}{c['adm']}")
        out.append(f"{_lab(c, 'dis')}{sep}{c['dis']}")
        if c["setting"] == "inpatient" and c["rng"].random() < 0.5:
            out.append(f"{_lab(c, 'nig')}{sep}{c['nights']}")
    return out


def _narrative(c):
    i = c["items"][0]
    return [f"{_lab(c, 'desc')}: {i['description']}", f"{_lab(c, 'tot')}: {_money(c, c['total'])}"]


def t0(c):
    head = _addr(c) + _contact(c) + ["", _lab(c, "inv"), f"{_lab(c, 'no')}: {c['number']}", f"{_lab(c, 'date')}: {c['date']}", f"{_lab(c, 'pat')}: {c['patient']}"] + _stay(c)
    if c["no_items"]:
        return head + _narrative(c)
    body = [f"{_lab(c, 'desc')}    {_lab(c, 'amt')}"] + [f"{i['description']}    {_money(c, i['amount'])}" for i in c["items"]]
    return head + body + [f"{_lab(c, 'tot')}    {_money(c, c['total'])}"]


def t1(c):
    head = [_lab(c, "inv") + f" {c['number']}", f"{_lab(c, 'pat')}: {c['patient']}", f"{_lab(c, 'date')}: {c['date']}"] + _stay(c)
    body = _narrative(c) if c["no_items"] else [f"{i['description']} {fmt_amount(i['amount'], c['num'])}" for i in c["items"]] + [f"{_lab(c, 'tot')} {c['cur']} {fmt_amount(c['total'], c['num'])}"]
    return head + body + ["", " | ".join(_addr(c) + _contact(c))]


def t2(c):
    out = _addr(c) + [_lab(c, "inv"), f"{_lab(c, 'no')} {c['number']}   {_lab(c, 'date')} {c['date']}", f"{_lab(c, 'pat')} {c['patient']}"] + _stay(c)
    if c["no_items"]:
        return out + _narrative(c) + _contact(c)
    out.append(f"{_lab(c, 'svc')}  {_lab(c, 'desc')}  {_lab(c, 'qty')}  {_lab(c, 'amt')}")
    for i in c["items"]:
        out.append(f"{c['date']}  {i['description']}  1  {fmt_amount(i['amount'], c['num'])}")
    return out + [f"{_lab(c, 'tot')} ({c['cur']})  {fmt_amount(c['total'], c['num'])}"] + _contact(c)


def t3(c):  # till receipt
    out = [c["provider"].upper(), c["city"]] + _contact(c)[:1] + [c["date"], "-" * 24]
    if c["no_items"]:
        return out + _narrative(c)
    out += [f"{i['description'][:38]:<38} {fmt_amount(i['amount'], c['num'])}" for i in c["items"]]
    return out + ["-" * 24, f"{_lab(c, 'tot').upper()} {c['sign']} {fmt_amount(c['total'], c['num'])}", _pick(c["L"]["thanks"], c["rng"])]


def t4(c):  # hospital statement
    out = [c["provider"], c["street"] + ", " + c["city"], _lab(c, "inv"), f"{_lab(c, 'pat')}: {c['patient']}   {_lab(c, 'no')}: {c['number']}"]
    out += _stay(c) + [f"{_lab(c, 'date')}: {c['date']}"]
    if c["no_items"]:
        return out + _narrative(c)
    for n, i in enumerate(c["items"], 1):
        out.append(f"{n}. {i['description']} ........ {fmt_amount(i['amount'], c['num'])}")
    return out + [f"{_lab(c, 'tot')}: {c['cur']} {fmt_amount(c['total'], c['num'])}"] + _contact(c)


def t5(c):  # bilingual-ish header, english title added
    out = [f"{_lab(c, 'inv')} / INVOICE", c["provider"]] + _contact(c) + [f"{_lab(c, 'date')} {c['date']}", f"{_lab(c, 'pat')} {c['patient']}"] + _stay(c, " ")
    if c["no_items"]:
        return out + _narrative(c)
    return out + [f"- {i['description']}: {_money(c, i['amount'])}" for i in c["items"]] + [f"{_lab(c, 'tot')}: {_money(c, c['total'])}", _addr(c)[1] + ", " + _addr(c)[2]]


def t6(c):  # letter style
    out = [c["provider"], c["street"], c["city"], "", c["patient"], f"{c['city'].split()[-1]}, {c['date']}", "", _lab(c, "inv") + f" {c['number']}"]
    out += _stay(c)
    if c["no_items"]:
        out += _narrative(c)
    else:
        for i in c["items"]:
            out.append(f"{i['description']}")
            out.append(f"    {_money(c, i['amount'])}")
        out.append(f"{_lab(c, 'tot')} {_money(c, c['total'])}")
    return out + [_pick(c["L"]["thanks"], c["rng"])] + _contact(c)


def t7(c):  # key: value
    out = [f"{_lab(c, 'inv')}", f"Provider: {c['provider']}", f"{c['street']}, {c['city']} {c['cname']}"] + _contact(c)
    out += [f"{_lab(c, 'no')}: {c['number']}", f"{_lab(c, 'date')}: {c['date']}", f"{_lab(c, 'pat')}: {c['patient']}"] + _stay(c)
    if c["no_items"]:
        return out + _narrative(c)
    for n, i in enumerate(c["items"], 1):
        out.append(f"Item {n}: {i['description']} = {fmt_amount(i['amount'], c['num'])}")
    return out + [f"{_lab(c, 'tot')} = {fmt_amount(c['total'], c['num'])} {c['cur']}"]


def t8(c):  # provider and patient on one row, VAT row
    out = [f"{c['provider']}          {_lab(c, 'pat')}: {c['patient']}", f"{c['street']}          {_lab(c, 'no')}: {c['number']}", f"{c['city']} {c['cname']}          {_lab(c, 'date')}: {c['date']}"]
    out += _contact(c) + [_lab(c, "inv")] + _stay(c)
    if c["no_items"]:
        return out + _narrative(c)
    out += [f"{_lab(c, 'qty')}  {_lab(c, 'desc')}  {_lab(c, 'amt')}"]
    out += [f"1  {i['description']}  {fmt_amount(i['amount'], c['num'])}" for i in c["items"]]
    return out + [f"{_lab(c, 'vat')} 0,00", f"{_lab(c, 'tot')}  {_money(c, c['total'])}"]


def t9(c):  # codes and per-line dates
    out = [_lab(c, "inv").upper()] + _addr(c) + [f"{_lab(c, 'pat')}: {c['patient']} / {_lab(c, 'no')} {c['number']}"] + _stay(c)
    if c["no_items"]:
        return out + _narrative(c) + _contact(c)
    for i in c["items"]:
        out.append(f"{c['date']} | {c['rng'].randint(100, 99999)} | {i['description']} | {fmt_amount(i['amount'], c['num'])}")
    return out + [f"{_lab(c, 'tot')} | {c['cur']} | {fmt_amount(c['total'], c['num'])}", f"{_lab(c, 'date')}: {c['date']}"] + _contact(c)


def t10(c):  # amounts before descriptions, footer address (held out)
    out = [f"{_lab(c, 'inv')} {c['number']} - {c['date']}", f"{_lab(c, 'pat')}: {c['patient']}"] + _stay(c, " - ")
    if c["no_items"]:
        out += _narrative(c)
    else:
        out += [f"{c['cur']} {fmt_amount(i['amount'], c['num']):>12}   {i['description']}" for i in c["items"]]
        out.append(f"{c['cur']} {fmt_amount(c['total'], c['num']):>12}   {_lab(c, 'tot')}")
    return out + ["", f"{c['provider']} - {c['street']} - {c['city']} {c['cname']}"] + _contact(c)


def t11(c):  # block with IBAN, items in brackets (held out)
    out = [c["provider"], f"{c['city']}", "", f"[{_lab(c, 'inv')}]  #{c['number']}", f"{_lab(c, 'date')} -> {c['date']}", f"{_lab(c, 'pat')} -> {c['patient']}"] + _stay(c, " -> ")
    if c["no_items"]:
        out += _narrative(c)
    else:
        out += [f"[{i['description']}] {_money(c, i['amount'])}" for i in c["items"]]
        out.append(f"[{_lab(c, 'tot')}] {_money(c, c['total'])}")
    return out + [c["street"], c["cname"], f"IBAN XX{c['rng'].randint(10, 99)} BANK 0{c['rng'].randint(10**8, 10**9)}"] + _contact(c)


TEMPLATES = [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11]


def build(n: int, templates: tuple[int, ...], seed: int) -> list[dict]:
    """n invoices spread over the given templates, every treatment type equally often."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        out.append(make_invoice(rng, templates[k % len(templates)], TYPES[k % len(TYPES)]))
    return out


def extra_lines(n: int, seed: int) -> list[tuple[str, str]]:
    """Standalone line descriptions (text, type) in every language, for the line classifier."""
    from models.vocab import LANGS
    rng = random.Random(seed)
    out = []
    for k in range(n):
        code = TYPES[k % len(TYPES)]
        lang = rng.choice(LANGS)
        d = line_text(code, lang, rng, rng.choice([1, 1, 2, 4]))
        if rng.random() < 0.3:
            d = _noise(d, rng, rng.choice([0.02, 0.05]))
        out.append((d, code))
    return out
