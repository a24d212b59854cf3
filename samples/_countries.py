"""Per-country data for the sample generator: language, currency, number/date style, addresses."""

# number style: "dot" 1.234,56 | "comma" 1,234.56 | "space" 1 234,56 | "apos" 1'234.50
# date styles: first entry is the most common numeric style
COUNTRIES = {
    "TH": dict(lang="th", cur="THB", num="comma", dates=["dmy/", "dmy/", "dmon", "iso", "be/"],
               price=0.6, vat=7, phone="+66",
               cities=[("Bangkok", "10110"), ("Bangkok", "10330"), ("Chiang Mai", "50200"),
                       ("Phuket", "83000"), ("Pattaya, Chonburi", "20150"), ("Hua Hin, Prachuap Khiri Khan", "77110")],
               streets=["{n} Sukhumvit Road, Khlong Toei", "{n}/{m} Soi Soonvijai 7, New Petchburi Rd.",
                        "{n} Rama IV Road, Pathum Wan", "{n}/{m} Moo 4, Thepkrasattri Rd.", "{n} Nimmanhaemin Rd."],
               country_name=["Thailand", "ประเทศไทย"]),
    "DE": dict(lang="de", cur="EUR", num="dot", dates=["dmy.", "dmy.", "dmon", "iso"], price=1.0, vat=19,
               phone="+49",
               cities=[("Berlin", "10117"), ("München", "80331"), ("Hamburg", "20095"), ("Köln", "50667"),
                       ("Frankfurt am Main", "60311"), ("Düsseldorf", "40213")],
               streets=["Hauptstraße {n}", "Friedrichstraße {n}", "Schillerstr. {n}", "Bahnhofstraße {n}a",
                        "Goethestraße {n}", "Am Marktplatz {n}"],
               country_name=["Deutschland"]),
    "NL": dict(lang="nl", cur="EUR", num="dot", dates=["dmy-", "dmy-", "dmon", "iso"], price=1.0, vat=21,
               phone="+31",
               cities=[("Amsterdam", "1017 CE"), ("Rotterdam", "3011 AD"), ("Utrecht", "3511 LN"),
                       ("Den Haag", "2511 CV"), ("Eindhoven", "5611 AB"), ("Groningen", "9711 LM")],
               streets=["Keizersgracht {n}", "Kerkstraat {n}", "Stationsplein {n}", "Dorpsstraat {n}",
                        "Laan van Meerdervoort {n}", "Oudegracht {n}"],
               country_name=["Nederland"]),
    "BE": dict(lang="nl", cur="EUR", num="dot", dates=["dmy/", "dmy-", "dmon"], price=1.0, vat=21, phone="+32",
               cities=[("Antwerpen", "2000"), ("Gent", "9000"), ("Brussel", "1000"), ("Leuven", "3000")],
               streets=["Meir {n}", "Veldstraat {n}", "Bondgenotenlaan {n}", "Louizalaan {n}"],
               country_name=["België", "Belgique"]),
    "FR": dict(lang="fr", cur="EUR", num="space", dates=["dmy/", "dmy/", "dmon"], price=1.0, vat=20,
               phone="+33",
               cities=[("Paris", "75008"), ("Lyon", "69002"), ("Marseille", "13001"), ("Nice", "06000"),
                       ("Bordeaux", "33000"), ("Toulouse", "31000")],
               streets=["{n} rue de Rivoli", "{n}, avenue Jean Jaurès", "{n} boulevard Haussmann",
                        "{n} rue Victor Hugo", "{n} place de la République"],
               country_name=["France"]),
    "ES": dict(lang="es", cur="EUR", num="dot", dates=["dmy/", "dmy/", "dmon"], price=0.9, vat=21, phone="+34",
               cities=[("Madrid", "28013"), ("Barcelona", "08007"), ("Valencia", "46002"), ("Málaga", "29005"),
                       ("Sevilla", "41001"), ("Palma", "07001")],
               streets=["Calle Mayor, {n}", "Avenida de la Constitución, {n}", "Calle de Alcalá {n}",
                        "Passeig de Gràcia, {n}", "Calle Larios {n}, 2º"],
               country_name=["España"]),
    "IT": dict(lang="it", cur="EUR", num="dot", dates=["dmy/", "dmy/", "dmon", "dmy."], price=0.9, vat=22,
               phone="+39",
               cities=[("Roma", "00185"), ("Milano", "20121"), ("Firenze", "50123"), ("Napoli", "80132"),
                       ("Torino", "10121"), ("Bologna", "40121")],
               streets=["Via Roma {n}", "Via Garibaldi, {n}", "Corso Vittorio Emanuele II {n}",
                        "Piazza del Duomo {n}", "Via Nazionale {n}"],
               country_name=["Italia"]),
    "PT": dict(lang="pt", cur="EUR", num="space", dates=["dmy/", "dmy-", "dmon"], price=0.8, vat=23,
               phone="+351",
               cities=[("Lisboa", "1100-148"), ("Porto", "4000-322"), ("Faro", "8000-138"), ("Cascais", "2750-310")],
               streets=["Rua Augusta, {n}", "Avenida da Liberdade {n}", "Rua de Santa Catarina, {n}",
                        "Praça do Comércio {n}"],
               country_name=["Portugal"]),
    "BR": dict(lang="pt", cur="BRL", num="dot", dates=["dmy/", "dmy/", "dmon"], price=0.5, vat=0, phone="+55",
               cities=[("São Paulo - SP", "01310-100"), ("Rio de Janeiro - RJ", "22021-001"),
                       ("Belo Horizonte - MG", "30130-010"), ("Florianópolis - SC", "88010-400")],
               streets=["Av. Paulista, {n}", "Rua Oscar Freire, {n}", "Av. Atlântica, {n}", "Rua da Bahia, {n}"],
               country_name=["Brasil"]),
    "MX": dict(lang="es", cur="MXN", num="comma", dates=["dmy/", "dmy/", "dmon"], price=0.5, vat=16, phone="+52",
               cities=[("Ciudad de México, CDMX", "06600"), ("Guadalajara, Jal.", "44100"),
                       ("Cancún, Q. Roo", "77500"), ("Monterrey, N.L.", "64000")],
               streets=["Av. Paseo de la Reforma {n}", "Calle Madero {n}", "Blvd. Kukulcán km {n}",
                        "Av. Insurgentes Sur {n}"],
               country_name=["México"]),
    "US": dict(lang="en", cur="USD", num="comma", dates=["mdy/", "mdy/", "monthd", "mdy-"], price=2.5, vat=0,
               phone="+1",
               cities=[("New York, NY", "10016"), ("Houston, TX", "77030"), ("San Francisco, CA", "94115"),
                       ("Miami, FL", "33136"), ("Boston, MA", "02114"), ("Chicago, IL", "60611")],
               streets=["{n} First Avenue", "{n} Main Street, Suite {m}", "{n} Fannin St", "{n} Park Ave",
                        "{n} N Michigan Ave, Floor {m}"],
               country_name=["USA", "United States"]),
    "GB": dict(lang="en", cur="GBP", num="comma", dates=["dmy/", "dmon", "dmy/"], price=1.1, vat=20, phone="+44",
               cities=[("London", "W1G 9PF"), ("Manchester", "M13 9WL"), ("Edinburgh", "EH3 9EN"),
                       ("Bristol", "BS2 8HW")],
               streets=["{n} Harley Street", "{n} High Street", "{n} Oxford Road", "{n} Queen Street"],
               country_name=["United Kingdom", "UK"]),
    "CH": dict(lang="de", cur="CHF", num="apos", dates=["dmy.", "dmy.", "dmon"], price=1.5, vat=8.1,
               phone="+41",
               cities=[("Zürich", "8001"), ("Basel", "4051"), ("Bern", "3011"), ("Luzern", "6003")],
               streets=["Bahnhofstrasse {n}", "Seestrasse {n}", "Marktgasse {n}", "Freie Strasse {n}"],
               country_name=["Schweiz"]),
    "AE": dict(lang="en", cur="AED", num="comma", dates=["dmy/", "dmon", "dmy-"], price=1.0, vat=5, phone="+971",
               cities=[("Dubai", ""), ("Abu Dhabi", ""), ("Sharjah", "")],
               streets=["Al Wasl Road, Jumeirah {n}", "Building {m}, Dubai Healthcare City",
                        "Sheikh Zayed Road, Tower {m}", "Al Khalidiya, P.O. Box {n}"],
               country_name=["United Arab Emirates", "UAE"]),
    "SG": dict(lang="en", cur="SGD", num="comma", dates=["dmy/", "dmon", "iso"], price=1.0, vat=9, phone="+65",
               cities=[("Singapore", "228510"), ("Singapore", "329563"), ("Singapore", "168753")],
               streets=["{n} Orchard Road, #0{m}-12", "{n} Mount Elizabeth, #0{m}-05", "{n} Novena Terrace",
                        "{n} Outram Road"],
               country_name=["Singapore"]),
    "MY": dict(lang="en", cur="MYR", num="comma", dates=["dmy/", "dmy-", "dmon"], price=0.4, vat=8, phone="+60",
               cities=[("Kuala Lumpur", "50450"), ("Penang", "10450"), ("Johor Bahru", "80000")],
               streets=["No. {n}, Jalan Ampang", "{n} Jalan Pahang", "Lot {n}, Jalan Tun Razak"],
               country_name=["Malaysia"]),
    "ID": dict(lang="en", cur="IDR", num="dot", dates=["dmy/", "dmy-", "dmon"], price=0.35, vat=11, phone="+62",
               cities=[("Denpasar, Bali", "80361"), ("Jakarta Selatan", "12190"), ("Kuta, Bali", "80361"),
                       ("Surabaya", "60271")],
               streets=["Jl. Sunset Road No. {n}", "Jl. Jend. Sudirman Kav. {n}", "Jl. Bypass Ngurah Rai No. {n}",
                        "Jl. Raya Darmo {n}"],
               country_name=["Indonesia"]),
}

# rough units of currency per EUR, only to make amounts plausible
CUR_RATE = {"EUR": 1, "USD": 1.08, "GBP": 0.86, "CHF": 0.95, "THB": 38, "AED": 4.0, "SGD": 1.46,
            "MYR": 5.0, "IDR": 17000, "MXN": 19, "BRL": 5.6}
CUR_SYMBOL = {"EUR": ["€", "EUR"], "USD": ["$", "USD"], "GBP": ["£", "GBP"], "CHF": ["CHF", "Fr."],
              "THB": ["THB", "฿", "Baht"], "AED": ["AED", "Dhs"], "SGD": ["S$", "SGD"], "MYR": ["RM", "MYR"],
              "IDR": ["Rp", "IDR"], "MXN": ["$", "MXN"], "BRL": ["R$", "BRL"]}

LOCAL_NAMES = {
    "th": (["Somchai", "Siriporn", "Nattapong", "Kanokwan", "Apinya", "Thanawat"],
           ["Srisuk", "Wongsawat", "Chaiyaporn", "Rattanakul", "Boonmee", "Saetang"]),
    "de": (["Lukas", "Anna", "Jonas", "Sophie", "Matthias", "Katharina"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"]),
    "nl": (["Daan", "Sanne", "Bram", "Lotte", "Joost", "Femke"],
           ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit"]),
    "fr": (["Camille", "Julien", "Léa", "Nicolas", "Chloé", "Étienne"],
           ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard"]),
    "es": (["Lucía", "Javier", "Carmen", "Alejandro", "María José", "Pablo"],
           ["García López", "Fernández", "Martínez Ruiz", "Sánchez", "Romero", "Navarro"]),
    "it": (["Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Luca"],
           ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci"]),
    "pt": (["João", "Ana", "Pedro", "Mariana", "Tiago", "Beatriz"],
           ["Silva", "Santos", "Ferreira", "Oliveira", "Costa", "Rodrigues"]),
    "en": (["James", "Emily", "Michael", "Sarah", "David", "Olivia", "Wei Ling", "Ahmad", "Priya", "Fatima"],
           ["Smith", "Johnson", "Tan", "Williams", "Brown", "Lim", "Rahman", "Patel", "Al Mansouri", "Wilson"]),
}
EXPAT_NAMES = (["Jeroen", "Marieke", "Pieter", "Eva", "Rohan", "Sofia", "Thomas", "Anouk", "Mei", "Kwame"],
               ["van Dijk", "Hendriks", "de Boer", "Mulder", "Sharma", "Kowalski", "Peeters", "Meijer",
                "Chen", "Mensah"])

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"],
}


def _digits(rng, n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def tax_id(rng, country):
    """A (label, value) pair in the country's usual tax/registration id format."""
    d = lambda n: _digits(rng, n)  # noqa: E731
    options = {
        "DE": [("USt-IdNr.", "DE" + d(9)), ("Steuernummer", f"{d(2)}/{d(3)}/{d(5)}")],
        "NL": [("BTW-nr.", f"NL{d(9)}B01"), ("KvK", d(8))],
        "BE": [("BTW", f"BE0{d(3)}.{d(3)}.{d(3)}"), ("RIZIV", f"1-{d(5)}-{d(2)}-{d(3)}")],
        "FR": [("SIRET", f"{d(3)} {d(3)} {d(3)} {d(5)}"), ("N° TVA", "FR" + d(11))],
        "ES": [("CIF", "B" + d(8)), ("NIF", d(8) + rng.choice("TRWAGMYFPDXBNJZSQVHLCKE"))],
        "IT": [("P.IVA", "IT" + d(11)), ("C.F.", d(11))],
        "PT": [("NIF", d(9)), ("NIPC", "PT" + d(9))],
        "BR": [("CNPJ", f"{d(2)}.{d(3)}.{d(3)}/0001-{d(2)}")],
        "MX": [("RFC", "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)) + d(6) + "A" + d(2))],
        "US": [("EIN", f"{d(2)}-{d(7)}"), ("NPI", d(10))],
        "GB": [("VAT Reg No", f"GB{d(3)} {d(4)} {d(2)}"), ("Company No", d(8))],
        "CH": [("UID", f"CHE-{d(3)}.{d(3)}.{d(3)} MWST"), ("ZSR-Nr.", "K" + d(6))],
        "AE": [("TRN", "100" + d(12))],
        "SG": [("GST Reg No", f"M{d(1)}-{d(7)}-{d(1)}"), ("UEN", "20" + d(7) + "K")],
        "MY": [("SST No", f"W10-{d(4)}-{d(8)}"), ("Co. Reg. No", d(6) + "-K")],
        "ID": [("NPWP", f"{d(2)}.{d(3)}.{d(3)}.{d(1)}-{d(3)}.000")],
        "TH": [("เลขประจำตัวผู้เสียภาษี / Tax ID", "0" + d(12)), ("Tax ID", "0" + d(12))],
    }
    return rng.choice(options[country])


def phone(rng, country):
    d = lambda n: _digits(rng, n)  # noqa: E731
    fmt = {
        "TH": f"+66 2 {d(3)} {d(4)}", "DE": f"+49 {rng.choice(['30', '89', '40', '221'])} {d(7)}",
        "NL": f"+31 {rng.choice(['20', '10', '30'])} {d(3)} {d(4)}", "BE": f"+32 {rng.choice(['2', '3', '9'])} {d(3)} {d(2)} {d(2)}",
        "FR": f"+33 {rng.randint(1, 5)} {d(2)} {d(2)} {d(2)} {d(2)}", "ES": f"+34 9{d(2)} {d(3)} {d(3)}",
        "IT": f"+39 0{d(1)} {d(4)} {d(4)}", "PT": f"+351 21 {d(3)} {d(4)}", "BR": f"+55 11 {d(4)}-{d(4)}",
        "MX": f"+52 55 {d(4)} {d(4)}", "US": f"+1 ({d(3)}) 555-{d(4)}", "GB": f"+44 20 {d(4)} {d(4)}",
        "CH": f"+41 44 {d(3)} {d(2)} {d(2)}", "AE": f"+971 4 {d(3)} {d(4)}", "SG": f"+65 6{d(3)} {d(4)}",
        "MY": f"+60 3-{d(4)} {d(4)}", "ID": f"+62 361 {d(6)}",
    }
    return fmt[country]


def address_lines(rng, country, with_country=True):
    c = COUNTRIES[country]
    street = rng.choice(c["streets"]).format(n=rng.randint(1, 250), m=rng.randint(2, 9))
    city, pc = rng.choice(c["cities"])
    if country in ("NL", "DE", "FR", "ES", "IT", "PT", "BE", "CH", "MX"):
        line2 = f"{pc} {city}"
    elif country in ("US",):
        line2 = f"{city} {pc}"
    elif country == "BR":
        line2 = f"{city}, CEP {pc}"
    elif country == "GB":
        line2 = f"{city} {pc}"
    else:
        line2 = f"{city} {pc}".strip()
    lines = [street, line2]
    if with_country:
        lines.append(rng.choice(c["country_name"]))
    return lines, city
