"""Label vocabulary (folded: lowercase, no accents) for totals, dates, numbers and names."""
from __future__ import annotations

import re


def _rx(words: list[str]) -> re.Pattern:
    alts = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![a-z])(?:" + "|".join(alts) + r")(?![a-z])")


# Amount rows that are NOT the grand total.  Checked before the total labels.
SUMMARY_NEGATIVE = {
    "subtotal": _rx([r"sub-? ?total", r"subtotaal", r"zwischensumme", r"summe netto", r"netto ?summe", r"nettobetrag",
                     r"sous-? ?total", r"total ht", r"montant ht", r"base imponible", r"subtotale", r"imponibile",
                     r"total (?:excl|exkl|hors|sin|senza|sem)\w*", r"totaal excl\w*", r"net amount", r"netto",
                     r"รวม\s*/\s*subtotal", r"รวมเป็นเงิน"]),
    "vat_incl": _rx([r"incl\.? (?:vat|tax|btw|gst)", r"tax included", r"vat included", r"waarvan (?:btw|vat)",
                     r"darin enthalten", r"inkl\.? (?:mwst|ust)", r"enthaltene", r"dont tva", r"iva incluido",
                     r"di cui iva", r"iva incluido", r"รวมภาษีมูลค่าเพิ่ม"]),
    "vat": _rx([r"vat", r"tax", r"gst", r"sst", r"btw", r"mwst", r"ust", r"tva", r"iva", r"ภาษี\S*", r"sales tax",
                r"umsatzsteuer", r"mehrwertsteuer"]),
    "discount": _rx([r"discount", r"less: discount", r"korting", r"rabatt", r"nachlass", r"remise", r"descuento",
                     r"sconto", r"desconto", r"ส่วนลด"]),
    "deposit": _rx([r"deposit", r"prepayment", r"prepaid", r"advance payment", r"aanbetaling", r"reeds betaald",
                    r"anzahlung", r"bereits bezahlt", r"acompte", r"deja regle", r"deja paye", r"anticipo",
                    r"deposito", r"acconto", r"adiantamento", r"sinal pago", r"already paid", r"amount paid",
                    r"paid", r"betaald", r"bezahlt", r"mัดจำ", r"มัดจำ", r"หักเงิน"]),
    "balance": _rx([r"balance due", r"balance", r"amount due", r"openstaand saldo", r"nog te betalen", r"saldo",
                    r"restbetrag", r"offener betrag", r"reste a payer", r"solde du", r"solde", r"saldo pendiente",
                    r"saldo da pagare", r"saldo em aberto", r"ยอดค้างชำระ", r"outstanding"]),
    "insurance": _rx([r"insurance", r"insurer", r"verzekeraar", r"verzekering", r"versicherung", r"assurance",
                      r"seguro", r"assicurazione", r"mutuelle", r"ประกัน\S*", r"covered by", r"cubierto"]),
    "share": _rx([r"patient share", r"after insurance", r"eigen bijdrage", r"eigenanteil", r"part patient",
                  r"a cargo del paciente", r"a carico del paziente", r"a cargo do utente", r"ผู้ป่วยชำระ",
                  r"copay\w*", r"co-pay\w*", r"copago", r"franchise", r"selbstbeteiligung", r"eigen risico"]),
    "carried": _rx([r"carried forward", r"brought forward", r"transport", r"ubertrag", r"a reporter",
                    r"suma y sigue", r"a riportare", r"riporto", r"a transportar", r"ยอดยกไป", r"ยอดยกมา",
                    r"continued", r"vervolg", r"fortsetzung", r"suite", r"continua", r"segue"]),
    "page": _rx([r"page \d+", r"pagina \d+", r"seite \d+", r"หน้า \d+"]),
}
TOTAL_STRONG = _rx([r"grand total", r"total amount", r"invoice total", r"total due", r"total to pay",
                    r"totaalbedrag", r"totaal factuur", r"te betalen", r"totaal te betalen", r"gesamtbetrag",
                    r"rechnungsbetrag", r"endbetrag", r"gesamtsumme", r"zu zahlen", r"montant total",
                    r"total ttc", r"total a payer", r"net a payer", r"importe total", r"total a pagar",
                    r"total factura", r"totale fattura", r"totale documento", r"importo totale",
                    r"totale da pagare", r"valor total", r"total geral", r"รวมทั้งสิ้น", r"ยอดรวมสุทธิ",
                    r"จำนวนเงินรวม", r"รวมเงิน", r"ยอดรวม", r"total general", r"total amount due",
                    r"totaal incl\w*", r"total incl\w*", r"summe brutto", r"bruttobetrag"])
TOTAL_WEAK = _rx([r"total", r"totaal", r"summe", r"gesamt", r"totale", r"importe", r"montant", r"รวม", r"sum",
                  r"amount"])

DATE_INVOICE = _rx([r"invoice date", r"date of invoice", r"date of issue", r"issue date", r"issued",
                    r"billing date", r"bill date", r"receipt date", r"factuurdatum", r"notadatum",
                    r"rechnungsdatum", r"ausstellungsdatum", r"belegdatum", r"rechnungs-datum",
                    r"date de (?:la )?facture", r"date d'emission", r"date de facturation", r"fecha de factura",
                    r"fecha de emision", r"fecha factura", r"data (?:della )?fattura", r"data di emissione",
                    r"data da fatura", r"data de emissao", r"data fatura", r"วันที่ออกใบแจ้งหนี้",
                    r"วันที่ออกใบเสร็จ", r"วันที่ออกใบกำกับ"])
DATE_GENERIC = _rx([r"date", r"datum", r"fecha", r"data", r"วันที่", r"dated"])
DATE_OTHER = _rx([r"admission", r"admitted", r"admit", r"discharge\w*", r"opname\w*", r"ontslag\w*",
                  r"aufnahme\w*", r"entlassung\w*", r"entree", r"sortie", r"ingreso", r"alta", r"ricovero",
                  r"dimissione", r"internamento", r"due", r"vervaldatum", r"faellig", r"fallig\w*",
                  r"echeance", r"vencimiento", r"scadenza", r"vencimento", r"birth", r"dob", r"d\.o\.b\.",
                  r"geboren", r"geburtsdatum", r"geb\.", r"geboortedatum", r"naissance", r"ne le", r"nee le",
                  r"nacimiento", r"nascita", r"nascimento", r"เกิด", r"print\w*", r"gedruckt", r"druckdatum",
                  r"afgedrukt", r"imprime", r"impreso", r"stampato", r"impresso", r"service date",
                  r"treatment date", r"behandeldatum", r"leistungsdatum", r"visit", r"period", r"from",
                  r"until", r"valid", r"เข้ารักษา", r"จำหน่าย", r"ครบกำหนด", r"payment", r"zahlbar",
                  r"paid on", r"betaald op", r"accident", r"injury", r"onset", r"appointment"])

NUMBER_LABEL = _rx([r"invoice (?:no|nr|number|num|#)\.?", r"invoice#", r"inv\.? ?(?:no|#)\.?", r"receipt (?:no|number|#)\.?",
                    r"bill (?:no|number)\.?", r"statement (?:no|number)\.?", r"document (?:no|number)\.?",
                    r"factuurnummer", r"factuurnr\.?", r"factuur nr\.?", r"notanummer", r"nota nr\.?",
                    r"rechnungsnummer", r"rechnungs-nr\.?", r"rechnung nr\.?", r"beleg-nr\.?", r"belegnummer",
                    r"n[°o] de facture", r"facture n[°o]", r"numero de facture", r"n\.?[°ºo] ?factura",
                    r"factura n\.?[^\s\w]?[°ºo2]?", r"numero de factura", r"fattura n\.?", r"numero fattura",
                    r"fattura n[°o]", r"fatura n\.?[^\s\w]?[°ºo2]?", r"n\.?[^\s\w]?[°ºo2]? ?documento", r"numero da fatura",
                    r"เลขที่ใบแจ้งหนี้", r"เลขที่ใบเสร็จ", r"เลขที่ใบกำกับภาษี", r"เลขที่", r"numero", r"no\.",
                    r"nr\.", r"n[°º]"])
NUMBER_NEGATIVE = _rx([r"patient", r"patienten", r"patientnummer", r"dossier\w*", r"mrn", r"account", r"hn",
                       r"fall", r"processo", r"utente", r"historia", r"pratica", r"paziente", r"paciente",
                       r"tax", r"vat", r"btw", r"kvk", r"ust", r"phone", r"tel", r"fax", r"policy", r"member",
                       r"insured", r"iban", r"bic", r"swift", r"ผู้ป่วย", r"order", r"customer", r"client"])
PATIENT_LABEL = _rx([r"patient name", r"name of patient", r"patient", r"bill to", r"naam patient", r"patient",
                     r"patient/in", r"patientin", r"name des patienten", r"nom du patient", r"patiente",
                     r"nombre del paciente", r"paciente", r"paziente", r"assistito", r"nome do paciente",
                     r"utente", r"ชื่อผู้ป่วย", r"ผู้ป่วย", r"versicherte\w*", r"insured", r"patient\(e\)"])
PATIENT_NEGATIVE = _rx([r"id", r"no", r"nr", r"nummer", r"number", r"share", r"eigenanteil", r"bijdrage",
                        r"part patient", r"cargo", r"carico", r"n[°º.]", r"hn", r"mrn", r"dob", r"birth",
                        r"type", r"address", r"adresse", r"adres"])
HEADER_WORDS = _rx([r"description", r"service", r"item", r"omschrijving", r"behandeling", r"leistung",
                    r"bezeichnung", r"beschreibung", r"designation", r"prestation", r"concepto", r"descripcion",
                    r"descrizione", r"prestazione", r"descricao", r"servico", r"รายการ", r"qty", r"units",
                    r"aantal", r"anz\.", r"menge", r"qte", r"cant\.", r"q\.ta", r"qtd\.", r"จำนวน",
                    r"unit price", r"rate", r"prijs", r"tarief", r"einzelpreis", r"preis", r"prix unit\.?",
                    r"p\.u\.", r"precio unit\.?", r"prezzo unit\.?", r"preco unit\.?", r"ราคา", r"amount",
                    r"charges", r"bedrag", r"betrag", r"montant", r"importe", r"importo", r"valor",
                    r"code", r"cpt", r"ziffer", r"goa-nr\.", r"acte", r"codigo", r"codice", r"รหัส", r"total", r"gesamt",
                    r"date", r"datum", r"fecha", r"data", r"วันที่", r"#", r"no\.?", r"nr\.?", r"pos\.?"])
TITLE_WORDS = _rx([r"invoice", r"tax invoice", r"statement of account", r"receipt", r"factuur", r"nota",
                   r"rechnung", r"arztrechnung", r"quittung", r"facture", r"note d'honoraires", r"factura",
                   r"factura simplificada", r"fattura", r"ricevuta sanitaria", r"fatura", r"fatura-recibo",
                   r"recibo", r"ใบแจ้งหนี้", r"ใบเสร็จรับเงิน", r"ใบกำกับภาษี", r"bill", r"original", r"copy"])
FIELD_LINE = _rx([r"tel", r"phone", r"fax", r"e-?mail", r"www", r"http", r"iban", r"bic", r"swift", r"kvk",
                  r"vat (?:no|id|reg)", r"tax id", r"ust-?id\w*", r"steuer\w*", r"siret", r"nif", r"cif",
                  r"p\.? ?iva", r"partita", r"nipc", r"trn", r"uen", r"gst reg\w*", r"npwp", r"cnpj", r"rfc",
                  r"ein", r"npi", r"เลขประจำตัวผู้เสียภาษี", r"โทร", r"account", r"policy", r"member",
                  r"bank", r"bsn", r"agb"])
ORG_WORDS = _rx([r"hospital", r"clinic", r"klinik", r"klinikum", r"praxis", r"ziekenhuis", r"kliniek",
                 r"huisarts\w*", r"hopital", r"clinique", r"cabinet", r"centre", r"center", r"centro", r"clinica",
                 r"ospedale", r"policlinico", r"poliklinik", r"medical", r"medisch", r"medizin\w*", r"dental",
                 r"tandarts\w*", r"zahnarzt\w*", r"pharmacy", r"apotheek", r"apotheke", r"pharmacie", r"farmacia",
                 r"laboratory", r"labor", r"laboratoire", r"laboratorio", r"healthcare", r"health", r"physio\w*",
                 r"fysio\w*", r"dr\.", r"drs\.", r"gmbh", r"b\.v\.", r"ltd", r"inc", r"llc", r"s\.a\.", r"s\.l\.",
                 r"s\.r\.l\.", r"sdn bhd", r"pte", r"โรงพยาบาล", r"คลินิก", r"rumah sakit", r"ambulance",
                 r"arztpraxis", r"gemeinschaftspraxis", r"mvz", r"group", r"institut\w*", r"hospitalar",
                 r"saude", r"salud", r"sanitari\w*"])
HEADER_STRONG = _rx([r"description", r"service", r"item", r"omschrijving", r"behandeling", r"leistung",
                     r"bezeichnung", r"beschreibung", r"designation", r"prestation", r"concepto", r"descripcion",
                     r"descrizione", r"prestazione", r"descricao", r"servico", r"รายการ", r"qty", r"aantal",
                     r"menge", r"unit price", r"einzelpreis", r"amount", r"charges", r"bedrag", r"betrag",
                     r"montant", r"importe", r"importo", r"valor", r"จำนวนเงิน"])
