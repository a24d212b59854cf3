"""Apply a product's policy table to one claim. Pure: usage comes in, usage entries go out.

Fixed order (each step may end the evaluation with not_covered or pending_information):
 1. policy period and claim deadline     5. treatment limits (variant, facts, approval, counts, caps)
 2. exclusions (per line item)           6. percentage reductions (out of region 50%)
 3. region and the US rule / area        7. annual maximum
 4. prior authorisation (art. 3 matrix)  8. deductible
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from coverage.claim import Claim
from coverage.insured import InsuredPerson, dental_module_amount
from coverage.tables import Benefit, PolicyTable, ReviewLine, Spec, Variant, get_table

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
Usage = Mapping[tuple[str, str], tuple[int, Decimal]]  # (category, period) -> (count, amount EUR)

UNIT_QUESTIONS = {
    "sessions": "How many treatments/sessions does this invoice cover (facts.sessions)?",
    "hours": "How many hours of therapy does this invoice cover (facts.hours)?",
    "days": "How many days (nights) does this invoice cover (facts.days)?",
    "km": "How many kilometres were driven (facts.km)?",
}
UNIT_PATTERNS = {
    "sessions": re.compile(r"(\d+)\s*(?:x\b|×|sessions?\b|treatments?\b|behandelingen\b|behandeling\b|"
                           r"sitzungen\b|séances?\b|sesiones\b|sedute\b|consults?\b|consultations?\b|"
                           r"lessons?\b|lessen\b|lektionen\b|leçons?\b)"
                           r"|\b(?:x|×)\s*(\d+)\b"),
    "days": re.compile(r"(\d+)\s*(?:nights?|days?|nachten|dagen|nächte|tage|nuits|jours|noches|días|notti|giorni)\b"),
    "hours": re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:h\b|hours?\b|uur\b|stunden\b|heures?\b|horas?\b|ore\b)"),
    "km": re.compile(r"(\d+(?:[.,]\d+)?)\s*km\b"),
}
REVIEW_ANSWER = (" Answer with facts.review_lines (covered / not_covered) after splitting the lines if only some "
                 "qualify: covered pays these lines in full.")
ART_8 = re.compile(r"\bart\. 8\b")
ART_9 = re.compile(r"\bart\. 9\b")  # OOM International art. 9 is the Zorgplan module


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Reason:
    code: str
    article: str
    message: str
    needs_review: bool = False

    def as_dict(self) -> dict:
        out = {"code": self.code, "article": self.article, "message": self.message}
        if self.needs_review:
            out["needs_review"] = True
        return out


@dataclass
class Evaluation:
    decision: str
    reimbursed: Decimal = ZERO
    deductible_applied: Decimal = ZERO
    reasons: list[Reason] = field(default_factory=list)
    entries: dict = field(default_factory=dict)  # (category, period) -> [count, amount]

    def as_contract(self) -> dict:
        return {"decision": self.decision, "reimbursed_eur": f"{money(self.reimbursed)}",
                "deductible_applied_eur": f"{money(self.deductible_applied)}",
                "reasons": [r.as_dict() for r in self.reasons]}


class _Stop(Exception):
    """Ends the evaluation early with a decision (not_covered or pending_information)."""


@dataclass
class _Part:
    treatment_type: str
    text: str
    claimed: Decimal          # EUR of this part's lines
    eligible: Decimal         # EUR after exclusions
    amount: Decimal = ZERO    # EUR payable so far
    spec: Spec | None = None
    variant: Variant | None = None
    region_factor: Decimal = Decimal(1)
    entries: list = field(default_factory=list)
    review: ReviewLine | None = None  # lines naming a benefit a reviewer must decide (table review_lines)
    no_deductible: bool = False  # a review part paid under Zorgplan (art. 7)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _anniversary(start: date, year: int) -> date:
    day = 28 if (start.month, start.day) == (2, 29) else start.day
    return date(year, start.month, day)


def insurance_year_start(person: InsuredPerson, day: date) -> date:
    return _year_start(person.insurance_year_start, day)


@lru_cache(maxsize=65536)
def period_key(kind: str, unit: str, year_start: date, policy_start: date, day: date) -> str:
    """Usage period key: insurance-year start, `2y`/`5y` block start, `p<policy_start>`, lifetime."""
    if kind == "lifetime":
        return "lifetime"
    if unit == "policy_period":
        return f"p{policy_start.isoformat()}"
    start = _year_start(year_start, day)
    if kind == "insurance_year":
        return start.isoformat()
    span = 2 if kind == "two_years" else 5
    first = _year_start(year_start, policy_start).year
    block = first + (start.year - first) // span * span
    return f"{span}y{_anniversary(year_start, block).isoformat()}"


def _year_start(anchor: date, day: date) -> date:
    start = _anniversary(anchor, day.year)
    return start if start <= day else _anniversary(anchor, day.year - 1)


class Evaluator:
    def __init__(self, person: InsuredPerson, claim: Claim, eur_total: Decimal, usage: Usage,
                 today: date, table: PolicyTable | None = None):
        self.p, self.c, self.usage = person, claim, usage
        self.t = table or get_table(person.product)
        self.level = person.level
        self.eur = money(eur_total)
        self.today = today
        self.day = claim.treatment_date
        self.facts = claim.facts
        self.reasons: list[Reason] = []
        self.pending: list[Reason] = []
        self.used: dict = {}  # usage added by this claim so far (several parts may share a category)
        self.decision: str | None = None
        self.stay_factor = Decimal(1)  # share of a hospital stay inside the cover (stay_after_end)

    # --- helpers -------------------------------------------------------------------------
    def art(self, key: str) -> str:
        return self.t.articles[key]

    def reason(self, code: str, article: str, message: str, needs_review: bool = False) -> None:
        self.reasons.append(Reason(code, article, message, needs_review))

    def ask(self, code: str, article: str, question: str) -> None:
        if all(r.code != code for r in self.pending):
            self.pending.append(Reason(code, article, question, True))

    def stop(self, code: str, article: str, message: str) -> None:
        self.reason(code, article, message)
        self.decision = "not_covered"
        raise _Stop

    def stop_if_pending(self) -> None:
        if self.pending:
            self.decision = "pending_information"
            raise _Stop

    def period(self, kind: str) -> str | None:
        if kind == "event":
            ref = self.facts.get("event_ref")
            return None if ref is None else "ev:" + hashlib.sha1(ref.encode()).hexdigest()[:16]
        return period_key(kind, self.t.period_unit, self.p.insurance_year_start, self.p.policy_start, self.day)

    def current(self, category: str, period: str) -> tuple[int, Decimal]:
        count, amount = self.usage.get((category, period), (0, ZERO))
        extra = self.used.get((category, period))
        if extra:
            count, amount = count + extra[0], amount + extra[1]
        return count, amount

    def add_use(self, key: tuple[str, str], count: int, amount: Decimal) -> None:
        entry = self.used.setdefault(key, [0, ZERO])
        entry[0] += count
        entry[1] += amount

    def authorisation(self, types: set[str], country: str | None):
        for a in self.p.prior_authorisations:
            if a.treatment_type in types and a.valid_from <= self.day <= a.valid_to \
                    and (country is None or a.country is None or a.country == country):
                return a
        return None

    # --- the steps -----------------------------------------------------------------------
    def run(self) -> Evaluation:
        try:
            self.step_period()
            parts = self.step_exclusions()
            self.step_region(parts)
            self.step_prior_authorisation(parts)
            self.step_limits(parts)
            self.step_percentages(parts)
            self.step_tariff(parts)
            total = self.step_maximum(parts)
            return self.step_deductible(parts, total)
        except _Stop:
            if self.decision == "pending_information":
                return Evaluation("pending_information", reasons=self.reasons + self.pending)
            return Evaluation(self.decision or "not_covered", reasons=self.reasons)

    def step_period(self) -> None:
        check = self.day
        admission = self.c.treatment_type == "hospital_admission"
        start = self.facts.get("admission_date") if admission else None
        if start:
            check = start  # an admission that began while insured counts (see stay_after_end)
        end = self.p.policy_end
        after_end = end is not None and (check > end if self.t.policy_end_inclusive else check >= end)
        if check < self.p.policy_start or after_end and not (admission and start is None):
            self.stop("outside_policy_period", self.art("period"),
                      f"The care on {check} falls outside the policy period "
                      f"({self.p.policy_start} to {end or 'open'}).")
        if after_end:  # a hospital invoice after the end: the stay may have begun while insured
            self.ask("admission_date_unknown", self.art("period"),
                     f"This hospital invoice is dated {check}, after the policy end ({end}). When did the "
                     "admission begin (facts.admission_date) and how many nights does the invoice cover "
                     "(facts.days)? Only a stay that began during the policy period is covered.")
        elif start is not None and end is not None:
            self.stay_after_end(start, end)
        self.stay_limit()
        submitted = self.facts.get("submitted_on") or self.today
        years = self.t.claim_deadline_years
        try:
            limit = self.day.replace(year=self.day.year + years)
        except ValueError:  # 29 February
            limit = self.day.replace(year=self.day.year + years, day=28)
        if submitted > limit:
            self.stop("claim_deadline_passed", self.art("deadline"),
                      f"Submitted on {submitted}, more than {years} years after the treatment on {self.day}.")
        if self.p.premium_arrears:
            self.reason("premium_arrears", self.art("premium"),
                        "Premium arrears: payment waits until the outstanding premium is paid.", True)
        self.stop_if_pending()

    def stay_after_end(self, start: date, end: date) -> None:
        """A stay that began in the period and may run past its end: the table's days after the end."""
        rule = self.t.admission_after_end
        first_out = end + timedelta(days=1 if self.t.policy_end_inclusive else 0)  # first day without cover
        days = self.facts.get("days")  # nights from the admission date: start .. start + days - 1
        runs_past = self.day >= first_out or bool(days) and start + timedelta(days=days) > first_out
        if rule is None or not runs_past:
            return
        home = self.t.home_country is not None and self.c.country == self.t.home_country
        extra = rule.home_days if home else rule.abroad_days
        if extra is None:
            self.reason("admission_after_end_covered", rule.article,
                        f"The admission began on {start}, during the policy period: the whole stay is "
                        f"covered, also after the end date {end}.")
            return
        cutoff = first_out + timedelta(days=extra)  # nights from this day on are not covered
        last = cutoff - timedelta(days=1)
        what = (f"costs made after the policy end ({end}) are not covered" if extra == 0 else
                f"a stay outside {self.t.home_country} is covered up to {extra} days after the end date ({end})")
        if not days:
            if self.day >= cutoff:
                self.ask("admission_days_unknown", rule.article,
                         f"The admission began on {start} and the invoice is dated {self.day}: how many nights "
                         f"from the admission date does it cover (facts.days)? Only nights up to {last} are "
                         f"paid: {what}.")
            else:
                self.reason("admission_after_end_covered", rule.article,
                            f"The admission began on {start}; {what}, and this invoice ends by {self.day}.")
            return
        inside = max(0, min(days, (cutoff - start).days))
        if inside < days:
            self.stay_factor = Decimal(inside) / Decimal(days)
            self.reason("admission_after_end_limited", rule.article,
                        f"The admission began on {start} and the invoice covers {days} nights; {what}: "
                        f"{inside} of {days} nights (up to {last}) are paid.")
        else:
            self.reason("admission_after_end_covered", rule.article,
                        f"The admission began on {start}; {what}, and all {days} nights fall within it.")

    def stay_limit(self) -> None:
        """One continuous hospital stay (also a psychiatric admission) is paid for at most
        `admission_max_days` days; nights counted from facts.admission_date (or the invoice's nights)."""
        limit = self.t.admission_max_days
        ttype = self.c.treatment_type
        if limit is None or not (ttype == "hospital_admission" or ttype == "mental_health"
                                 and self.c.setting == "inpatient"):
            return
        article = self.t.benefits["hospital_admission"].article
        start = self.facts.get("admission_date")
        self._text = self.c.text()
        days = self.stay_days()
        if days is None:
            if start is not None and self.day >= start + timedelta(days=limit):
                self.ask("stay_limit_days_unknown", article,
                         f"The admission began on {start} and the invoice is dated {self.day}: a stay is paid "
                         f"for at most {limit} continuous days (a break of more than 30 days starts a new "
                         "period). How many nights from the admission date does the invoice cover (facts.days)? "
                         "If the stay was interrupted for more than 30 days, give the start of the current "
                         "period as facts.admission_date.")
            return
        if days > limit:
            self.stay_factor = min(self.stay_factor, Decimal(limit) / days)
            self.reason("stay_limit_reached", article,
                        f"A hospital stay is paid for at most {limit} continuous days: {limit} of {days} "
                        "nights are paid.")

    def _line_shares(self) -> list[tuple[str, str, Decimal]]:
        """(treatment_type, description, EUR share) per line; shares add up to the EUR total."""
        lines = [ln for ln in self.c.lines if ln.amount > 0]
        base = sum((ln.amount for ln in lines), ZERO)
        if not lines or base <= 0:
            return [(self.c.treatment_type, "", self.eur)]
        out, cum, prev = [], ZERO, ZERO
        for ln in lines:
            cum += ln.amount
            upto = money(self.eur * cum / base)
            out.append((ln.treatment_type or self.c.treatment_type, ln.description.lower(), upto - prev))
            prev = upto
        return out

    def step_exclusions(self) -> list[_Part]:
        parts: dict[str, _Part] = {}
        hits: dict[str, Decimal] = {}
        for ttype, text, share in self._line_shares():
            ttype = ttype if ttype in self.t.benefits else "other"
            review = next((r for r in self.t.review_lines if text and ttype not in r.except_types
                           and r.pattern.search(text)), None)
            split = next((f"{ttype}:{v.name}" for v in self.t.benefits[ttype].variants if v.split and text
                          and any(c.keywords and c.keywords.search(text) for c in v.when)), ttype)
            key = f"review:{review.code}" if review else split
            part = parts.setdefault(key, _Part(ttype, "", ZERO, ZERO, review=review))
            part.text = f"{part.text} | {text}" if part.text else text
            part.claimed += share
            excluded = next((ex for ex in self.t.exclusions if text and ex.pattern.search(text)), None)
            if excluded is None:
                part.eligible += share
            else:
                hits[excluded.code] = hits.get(excluded.code, ZERO) + share
        for ex in self.t.exclusions:
            if ex.code in hits:
                self.reason(ex.code, self.art("exclusions"),
                            f"Not covered: {ex.label} (EUR {money(hits[ex.code])}).")
        result = list(parts.values())
        if self.stay_factor != 1:
            for p in result:
                p.eligible = money(p.eligible * self.stay_factor)
        if hits and all(p.eligible <= 0 for p in result):
            self.decision = "not_covered"
            raise _Stop
        return result

    def step_region(self, parts: list[_Part]) -> None:
        country = self.c.country
        if self.t.regions:
            if country == self.t.home_country_duty:
                duty = self.facts.get("dutch_basic_insurance_duty")
                duty = self.p.dutch_basic_insurance_duty if duty is None else duty
                if duty is None:
                    self.ask("dutch_basic_insurance_duty", self.art("region"),
                             "The care was given in the Netherlands: is the insured obliged to hold Dutch "
                             "basic health insurance (facts.dutch_basic_insurance_duty)? If so, there is no cover.")
                    self.stop_if_pending()
                if duty:
                    self.stop("dutch_basic_insurance_duty", self.art("region"),
                              "No cover in the Netherlands for someone obliged to hold Dutch basic insurance.")
            if country in self.t.regions[self.p.region]:
                worldwide = [p for p in parts if self.spec_worldwide(p)]
                if country in self.t.no_cover_countries:
                    for p in parts:
                        if p not in worldwide:
                            p.region_factor = ZERO
                    self.reason("us_not_covered", self.art("region"),
                                f"Care in {country} is not covered on a region {self.p.region} policy.")
                    if not worldwide:
                        self.decision = "not_covered"
                        raise _Stop
                else:
                    pct = self.t.out_of_region_pct
                    for p in parts:
                        if p not in worldwide:
                            p.region_factor = pct / HUNDRED
                    self.reason("out_of_region_50pct", self.art("region"),
                                f"Care in {country} is outside region {self.p.region}: "
                                f"{pct}% of what would be covered.")
            return
        # single-area products (Voorlopig Verblijf): area, country of origin, days abroad
        if country not in self.t.area:
            self.stop("outside_area", self.art("region"), f"{country} is outside the area of cover.")
        if country != self.t.home_country:
            origin = self.p.country_of_origin
            if origin is None:
                self.ask("country_of_origin_unknown", self.art("region"),
                         "What is the insured's country of origin? Care there is not covered unless "
                         "the insured is Dutch.")
                self.stop_if_pending()
            if country == origin and self.p.nationality != "NL":
                self.stop("country_of_origin", self.art("region"),
                          f"No cover in the country of origin ({country}) for a non-Dutch national.")
            days = self.facts.get("days_abroad")
            if days is None:  # counted as 1 day, and the reviewer is asked for the real number
                days = 1
                self.reason("days_abroad_unknown", self.art("region"),
                            f"How many days was the insured outside the Netherlands for this care "
                            f"(facts.days_abroad)? Counted as 1 day; cover abroad is limited to "
                            f"{self.t.outside_home_days} days per insured period.", True)
            used, _ = self.current("days_abroad", self.period("insurance_year"))
            if used + days > self.t.outside_home_days:
                self.stop("outside_home_days_exceeded", self.art("region"),
                          f"Cover outside the Netherlands is limited to {self.t.outside_home_days} days; "
                          f"{used} already used, this claim adds {days}.")
            self.add_use(("days_abroad", self.period("insurance_year")), days, ZERO)

    def spec_worldwide(self, part: _Part) -> bool:
        variant = self.select(part, self.t.benefits[part.treatment_type])
        spec = variant.levels.get(self.level) if variant else None
        return bool(spec and spec.worldwide)

    def step_prior_authorisation(self, parts: list[_Part]) -> None:
        rules = [s for countries, s in self.t.prior_authorisation if self.c.country in countries]
        if not rules:
            return
        settings = set().union(*rules)
        for p in parts:
            if p.region_factor == 0 or self.spec_worldwide(p):
                continue
            if self.c.setting is None:
                self.ask("setting_unknown", self.art("prior_authorisation"),
                         f"Was the care in {self.c.country} inpatient, daycare or outpatient (setting)? "
                         "Prior authorisation depends on it.")
                continue
            if self.c.setting not in settings:
                continue
            found = self.authorisation({p.treatment_type, self.c.treatment_type}, self.c.country)
            if found:
                self.reason("prior_authorisation_found", self.art("prior_authorisation"),
                            f"Prior authorisation {found.reference} covers this {self.c.setting} care.")
            elif self.facts.get("acute") is True:
                self.reason("acute_care", self.art("prior_authorisation"),
                            "Acute care: no prior authorisation needed.")
            elif self.facts.get("planned") is True or self.facts.get("acute") is False:
                p.region_factor = ZERO
                self.reason("prior_authorisation_missing", self.art("prior_authorisation"),
                            f"Planned {self.c.setting} care in {self.c.country} without prior authorisation "
                            "from the OOM assistance centre is not covered.")
            else:
                self.ask("prior_authorisation_unknown_acute", self.art("prior_authorisation"),
                         f"{self.c.setting.capitalize()} care in {self.c.country} needs prior authorisation "
                         "unless it was acute, and none is on file: was the care acute (facts.acute)?")
        self.stop_if_pending()
        if all(p.region_factor == 0 for p in parts):
            self.decision = "not_covered"
            raise _Stop

    # --- treatment limits ----------------------------------------------------------------
    def matches(self, cond) -> bool:
        f = self.facts
        if cond.keywords is not None and not cond.keywords.search(self._text):
            return False
        if cond.invoice_keywords is not None and not cond.invoice_keywords.search(self.c.text()):
            return False
        if cond.fact is not None and f.get(cond.fact) is not True:
            return False
        if any(f.get(k) != v for k, v in cond.fact_equals):
            return False
        age = age_on(self.p.date_of_birth, self.day)
        if cond.age_below is not None and not age < cond.age_below:
            return False
        if cond.age_from is not None and not age >= cond.age_from:
            return False
        if cond.module is not None and not any(m.startswith(cond.module) for m in self.p.modules):
            return False
        if cond.setting and self.c.setting not in cond.setting:
            return False
        if cond.sex is not None and self.p.sex != cond.sex:
            if self.p.sex is None:
                self.ask("sex_unknown", self._article, f"{self._label}: the cover depends on the insured's sex, "
                         "which the insured file does not give: is the insured female or male (insured `sex`)?")
            return False
        if cond.country and self.c.country not in cond.country:
            return False
        if cond.days_at_most is not None or cond.days_from is not None:
            days = self.stay_days()
            if days is None:
                self.ask("days_unknown", self._article, f"{self._label}: the benefit depends on the length of "
                         "the stay: how many days did it last (facts.days)?")
                return False
            if cond.days_at_most is not None and days > cond.days_at_most:
                return False
            if cond.days_from is not None and days < cond.days_from:
                return False
        return True

    def stay_days(self) -> Decimal | None:
        if self.facts.get("days"):
            return Decimal(self.facts["days"])
        found = [Decimal(m.group(1)) for m in UNIT_PATTERNS["days"].finditer(self._text)]
        return sum(found, ZERO) or None

    def select(self, part: _Part, benefit: Benefit) -> Variant | None:
        self._text = part.text
        for v in benefit.variants:
            self._article, self._label = v.article, v.name.replace("_", " ").capitalize()
            if not v.when or any(self.matches(c) for c in v.when):
                return v
        return None

    def units(self, part: _Part, unit: str) -> Decimal | None:
        if unit == "claims":
            return Decimal(1)
        if self.facts.get(unit) is not None:
            value = Decimal(self.facts[unit])
        else:
            found = [m.group(1) or m.group(m.lastindex) for m in UNIT_PATTERNS[unit].finditer(part.text)]
            value = sum((Decimal(x.replace(",", ".")) for x in found if x), ZERO)
        return value if value > 0 else None  # none (or zero) found: ask

    def step_limits(self, parts: list[_Part]) -> None:
        for p in parts:
            if p.eligible <= 0 or p.region_factor == 0:
                continue
            self.limit_part(p)
        self.stop_if_pending()

    def limit_part(self, p: _Part) -> None:
        if p.review is not None:
            module = any(m == "zorgplan" for m in self.p.modules)
            self.review_part(p, p.review.code, p.review.article, p.review.question + (
                " The insured has the Zorgplan module." if module else " The insured does not have the "
                "Zorgplan module (art. 9): Zorgplan benefits are not covered; only art. 8 can apply."))
            return
        benefit = self.t.benefits[p.treatment_type]
        asked = len(self.pending)
        variant = self.select(p, benefit)
        if len(self.pending) > asked:  # a condition needs a fact first (days, sex)
            return
        if variant is None:
            o = benefit.otherwise
            unknown = [f for f in o.ask if self.facts.get(f) is None]
            if o.ask and unknown or not o.ask and not o.not_covered:
                self.ask(o.code, benefit.article, o.question)
            elif o.ask:
                given = ", ".join(f"{f}={str(self.facts.get(f)).lower()}" for f in o.ask)
                self.reason(o.not_covered or f"{p.treatment_type}_not_covered", benefit.article,
                            f"Not covered: the facts given ({given}) meet none of the conditions.")
            else:
                self.reason(o.not_covered, benefit.article, o.question)
            return
        p.variant, spec = variant, variant.levels[self.level]
        label = variant.name.replace("_", " ")
        if spec is None:
            self.reason(f"{variant.name}_not_covered", variant.article,
                        f"{label.capitalize()} is not covered on {self.t.title} {self.level}.")
            return
        p.spec = spec
        if spec.review:
            self.review_part(p, f"{variant.name}_review", variant.article, spec.review)
            return
        for fact in spec.requires:
            value = self.facts.get(fact)
            if value is None:
                code = "accident_unknown" if fact == "accident" else f"{fact}_unknown"
                self.ask(code, variant.article, f"{label.capitalize()} is covered only if {fact.replace('_', ' ')}: "
                         f"is that so (facts.{fact} true/false)?")
            elif value is False:
                self.reason(f"{fact}_required", variant.article,
                            f"{label.capitalize()} is covered only if {fact.replace('_', ' ')}.")
                return
        if spec.approval and not self.authorisation({p.treatment_type}, None):
            self.reason("insurer_approval_missing", variant.article,
                        f"{label.capitalize()} needs the insurer's prior approval; none is on file.")
            return
        share, window_unknown = (Decimal(1), False) if spec.window is None else self.window_share(p, spec, variant)
        if share == 0:
            return
        amount = p.eligible * share
        units = None
        if spec.needs_units:
            units = self.units(p, spec.unit)
            if units is None:
                self.ask(f"{spec.unit}_unknown", variant.article, UNIT_QUESTIONS[spec.unit])
                return
        periods = {}
        if spec.period:
            key = self.period(spec.period)
            if key is None:
                self.ask("event_ref_unknown", variant.article,
                         f"{label.capitalize()} is limited per illness/accident/event: which one does this "
                         "invoice belong to (facts.event_ref, e.g. the first treatment date or a case number)?")
                return
            periods[spec.category] = key
        if self.pending:
            return
        counted = 0
        if spec.max_count is not None:
            scale = 60 if spec.unit == "hours" else 1  # hours are counted in minutes
            want = int(units * scale)
            used, _ = self.current(spec.category, periods[spec.category])
            allowed = max(0, spec.max_count * scale - used)
            counted = min(want, allowed)
            if counted < want:
                unit = spec.unit if scale == 1 else "minutes"
                self.reason(f"{spec.category}_count_exhausted", variant.article,
                            f"At most {spec.max_count} {spec.unit} per period; {used} {unit} already used, "
                            f"{counted} of {want} reimbursed.")
                amount = amount * counted / want if want else ZERO
            units = Decimal(counted) / scale
        if spec.per_unit is not None:
            limit = spec.per_unit * units
            if amount > limit:
                self.reason(f"{variant.name}_per_{spec.unit}_limit", variant.article,
                            f"At most EUR {spec.per_unit} per {spec.unit.rstrip('s')} ({units} {spec.unit}).")
                amount = limit
        pct = spec.pct
        if spec.approval_else_pct is not None and not self.authorisation({p.treatment_type}, None):
            pct = spec.approval_else_pct
            self.reason(f"{variant.name}_not_approved_{pct}pct", variant.article,
                        f"Hospital not approved by the OOM assistance centre: {pct}% reimbursed.")
        if pct is not None and pct < 100:
            amount = amount * pct / HUNDRED
            if spec.approval_else_pct is None:
                self.reason(f"{variant.name}_{pct}pct", variant.article, f"{pct}% of the cost is reimbursed.")
        cap = spec.cap
        if spec.module_cap == "dental":
            cap = dental_module_amount(self.p)
        unreduced = None
        if spec.cap_reduction is not None and cap is not None:
            r = spec.cap_reduction
            n = self.facts.get(r.fact)
            if n is None:
                unreduced = cap  # paid up to the full cap, and a reviewer is asked
            elif n > 0:
                cap = max(ZERO, cap - r.per * n)
                self.reason(f"{variant.name}_cap_reduced", variant.article,
                            f"The maximum of EUR {spec.cap} is reduced by EUR {r.per} x {n} "
                            f"({r.fact.replace('_', ' ')}): EUR {money(cap)}.")
        if cap is not None:
            _, used_amount = self.current(spec.category, periods[spec.category])
            left = max(ZERO, cap - used_amount)
            if amount > left:
                self.reason(f"{spec.category}_cap_reached", variant.article,
                            f"At most EUR {cap} per {spec.period.replace('_', ' ')}; EUR {money(used_amount)} "
                            f"already used, EUR {money(left)} left.")
                amount = left
        amount = money(amount)
        p.amount = amount
        if unreduced is not None and amount > 0:
            self.reason(f"{spec.cap_reduction.fact}_unknown", variant.article,
                        f"{spec.cap_reduction.question} Paid up to the unreduced maximum of EUR {unreduced}: "
                        f"check it (EUR {spec.cap_reduction.per} less per day).", True)
        if window_unknown and amount > 0:
            w = spec.window
            self.reason(f"{w.fact}_unknown", variant.article,
                        f"{w.question} Paid without that check: confirm the care dated {self.day} falls within "
                        f"{w.days} days from it.", True)
        if spec.category:
            key = (spec.category, periods[spec.category])
            self.add_use(key, counted, amount)
            p.entries.append((key, counted, amount))
        if amount > 0:
            self.reason("covered", variant.article, f"{label.capitalize()}: EUR {amount} of EUR "
                        f"{money(p.eligible)} within the limits.")

    def window_share(self, p: _Part, spec: Spec, variant: Variant) -> tuple[Decimal, bool]:
        """(share of the part's care inside spec.window, whether its date fact is unknown). The window is
        `days` days from facts.<fact> (that day is day 1); the care runs `N` days (facts.days or "N dagen" in
        the lines) from the treatment date. Unknown date: only N > days is paid pro rata (and asked)."""
        w, label = spec.window, variant.name.replace("_", " ").capitalize()
        start = self.facts.get(w.fact)
        n = self.units(p, "days")
        offset = 0
        if start is not None:
            offset = (self.day - start).days
            last = start + timedelta(days=w.days - 1)
            if offset < 0:
                self.reason(f"{w.fact}_after_care", variant.article,
                            f"The care is dated {self.day}, before facts.{w.fact} ({start}): check both dates. "
                            "Counted from that date.", True)
                offset = 0
            elif offset >= w.days:
                self.reason(f"{variant.name}_outside_window", variant.article,
                            f"Not covered: {label.lower()} is paid only within {w.days} days from {start} "
                            f"(facts.{w.fact}, up to {last}); this care is dated {self.day}.")
                return ZERO, False
        if n is None:
            return Decimal(1), start is None
        inside = min(n, Decimal(w.days - offset))
        if inside < n:
            where = f"from {start} (facts.{w.fact}, up to {last})" if start is not None else "from the delivery"
            self.reason(f"{variant.name}_window_limited", variant.article,
                        f"{label} is paid only for care within {w.days} days {where}: {inside} of the {n} "
                        f"days from {self.day} are paid, pro rata.")
        return inside / n, start is None

    def review_part(self, p: _Part, code: str, article: str, question: str) -> None:
        """A part a reviewer decides: asked until facts.review_lines answers it. `covered` pays it in full;
        under Zorgplan (art. 9, the insured has the module) without deductible; an art. 9-only benefit
        without the module stays unpaid."""
        answer = self.facts.get("review_lines")
        if answer is None:
            self.ask(code, article, question + REVIEW_ANSWER)
            return
        if answer == "not_covered":
            self.reason(f"{code}_not_covered", article, f"Not covered: the reviewer decided these lines "
                        f"(EUR {money(p.eligible)}) are not covered (facts.review_lines).")
            return
        module = any(m == "zorgplan" for m in self.p.modules)
        zorgplan = bool(ART_9.search(article))
        if zorgplan and not module and not ART_8.search(article):
            self.reason(f"{code}_zorgplan_missing", article, f"Not covered: the reviewer answered covered, but "
                        f"this is a Zorgplan benefit (art. 9) and the Zorgplan module is not in the policy "
                        f"(EUR {money(p.eligible)}).")
            return
        row = None if module else self.art8_row_refusing(p)
        if row is not None:
            levels = "/".join(lv.capitalize() for lv, spec in row.levels.items() if spec is not None) or "no level"
            countries = sorted({c for cond in row.when for c in (cond.country or ())})
            where = f", in {', '.join(countries)}" if countries else ""
            self.reason(f"{code}_zorgplan_missing", article, f"Not covered: without the Zorgplan module these "
                        f"lines are paid only under {row.article} ({levels}{where}); this claim is "
                        f"{self.level.capitalize()}, in {self.c.country} (EUR {money(p.eligible)}).")
            return
        p.amount = money(p.eligible)
        p.no_deductible = zorgplan and module
        how = "under Zorgplan (art. 9), without deductible" if p.no_deductible else \
            "not under Zorgplan, so the deductible applies"
        self.reason(f"{code}_covered", article, f"The reviewer confirmed these lines are covered "
                    f"(facts.review_lines): EUR {p.amount} paid in full, {how}.")

    def art8_row_refusing(self, p: _Part):
        """The art. 8 row a review line names (review_lines `art8_row`) when its conditions or the
        policy level exclude this claim; None when it can pay or no row is named."""
        if p.review is None or p.review.art8_row is None:
            return None
        ttype, name = p.review.art8_row
        row = next(v for v in self.t.benefits[ttype].variants if v.name == name)
        self._text, self._article, self._label = p.text, row.article, name.replace("_", " ").capitalize()
        applies = row.levels.get(self.level) is not None and (not row.when or any(self.matches(c) for c in row.when))
        return None if applies else row

    def step_percentages(self, parts: list[_Part]) -> None:
        for p in parts:
            if p.region_factor != 1:
                p.amount = money(p.amount * p.region_factor)
            if p.region_factor == 0:  # no cover there: the care did not use any limit
                for key, count, amount in p.entries:
                    self.used[key][0] -= count
                    self.used[key][1] -= amount

    def step_tariff(self, parts: list[_Part]) -> None:
        """Voorlopig Verblijf art. 11: care abroad at most `tariff_factor_abroad` x the Dutch tariff."""
        factor = self.t.tariff_factor_abroad
        total = sum((p.amount for p in parts), ZERO)
        if factor is None or self.c.country == self.t.home_country or total <= 0:
            return
        tariff = self.facts.get("dutch_tariff_eur")
        if tariff is None:
            self.reason("tariff_cap_abroad", self.art("maximum"),
                        f"Care abroad is reimbursed at most {factor} x the Dutch (NZa) tariff. Does EUR "
                        f"{money(total)} stay within {factor} x the Dutch tariff for this care? If not, give "
                        f"the Dutch tariff (facts.dutch_tariff_eur) and the amount is capped.", True)
            return
        cap = money(tariff * factor)
        if total <= cap:
            self.reason("tariff_cap_abroad_checked", self.art("maximum"),
                        f"EUR {money(total)} is within {factor} x the Dutch tariff (EUR {money(tariff)}).")
            return
        self.reason("tariff_cap_abroad_applied", self.art("maximum"),
                    f"Care abroad is reimbursed at most {factor} x the Dutch tariff of EUR {money(tariff)}: "
                    f"EUR {cap} instead of EUR {money(total)}.")
        for p in parts:
            new = money(p.amount * cap / total)
            for key, _, amount in p.entries:  # the category limits used shrink with it
                self.used[key][1] -= amount - money(amount * cap / total)
            p.amount = new
        over = sum((p.amount for p in parts), ZERO) - cap
        if over > 0:  # rounding up by a cent
            max(parts, key=lambda p: p.amount).amount -= over

    def step_maximum(self, parts: list[_Part]) -> Decimal:
        total = sum((p.amount for p in parts), ZERO)
        key = ("annual_maximum", self.period("insurance_year"))
        _, used = self.current(*key)
        left = max(ZERO, self.t.annual_maximum[self.level] - used)
        if total > left:
            self.reason("annual_maximum_reached", self.art("maximum"),
                        f"The maximum of EUR {self.t.annual_maximum[self.level]} per period is reached; "
                        f"EUR {money(left)} left.")
            ratio = left / total
            for p in parts:
                p.amount = money(p.amount * ratio)
            total = sum((p.amount for p in parts), ZERO)
            if total > left:  # rounding up by a cent
                parts[-1].amount -= total - left
                total = left
        return total

    def step_deductible(self, parts: list[_Part], total: Decimal) -> Evaluation:
        exempt = sum((p.amount for p in parts if p.treatment_type in self.t.deductible_exempt or p.no_deductible
                      or (p.spec is not None and p.spec.no_deductible)), ZERO)
        base = total - exempt
        day = self.day
        if self.c.treatment_type == "hospital_admission" and self.facts.get("admission_date"):
            day = min(day, self.facts["admission_date"])  # a stay across years pays it once
        saved, self.day = self.day, day
        dkey = ("deductible", self.period("insurance_year"))
        self.day = saved
        _, used = self.current(*dkey)
        applied = max(ZERO, min(base, self.p.deductible_eur - used))
        reimbursed = total - applied
        if applied > 0:
            self.reason("deductible", self.art("deductible"),
                        f"Deductible: EUR {money(applied)} applied (EUR {money(used + applied)} of "
                        f"EUR {self.p.deductible_eur} used this period).")
            self.add_use(dkey, 0, applied)
        if reimbursed > 0:
            self.add_use(("annual_maximum", self.period("insurance_year")), 0, reimbursed)
        covered = reimbursed + applied
        if self.eur == 0 or covered == self.eur:
            decision = "covered"
        elif covered <= 0:
            decision = "not_covered"
        else:
            decision = "partially_covered"
        entries = {k: v for k, v in self.used.items() if v[0] or v[1]}
        return Evaluation(decision, money(reimbursed), money(applied), self.reasons, entries)


def usage_periods(person: InsuredPerson, claim: Claim, table: PolicyTable | None = None) -> set[str]:
    """The period keys an evaluation of `claim` can read (besides `ev:` event keys)."""
    unit = (table or get_table(person.product)).period_unit
    days = {claim.treatment_date}
    if claim.facts.get("admission_date"):
        days.add(claim.facts["admission_date"])
    return {period_key(kind, unit, person.insurance_year_start, person.policy_start, day)
            for day in days for kind in ("insurance_year", "two_years", "five_years", "lifetime")}


def evaluate(person: InsuredPerson, claim: Claim, eur_total: Decimal, usage: Usage, *,
             today: date | None = None, table: PolicyTable | None = None) -> Evaluation:
    """Evaluate one claim of `person` whose total is `eur_total` EUR, given usage of other claims."""
    return Evaluator(person, claim, eur_total, usage, today or date.today(), table).run()
