"""Insured file and claim file parsing: samples load, every bad input names its field."""
import json
from pathlib import Path

import pytest
import yaml

from coverage.claim import ClaimError, parse_claim
from coverage.insured import InsuredError, load_insured, parse_insured

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "insured"


def test_samples_load_for_both_products():
    people = {p.name: load_insured(p) for p in sorted(SAMPLES.iterdir()) if p.suffix in (".yaml", ".json")}
    assert {"P-1001.yaml", "P-1002.yaml", "P-2001.json"} <= set(people)
    assert (people["P-1001.yaml"].coverage, people["P-1001.yaml"].region) == ("plus", "B")
    assert (people["P-1002.yaml"].coverage, people["P-1002.yaml"].region) == ("top", "A")
    assert people["P-2001.json"].product == "voorlopig_verblijf_nl" and people["P-2001.json"].level == "all"


def base():
    return yaml.safe_load((SAMPLES / "P-1001.yaml").read_text())


@pytest.mark.parametrize("change,field", [
    ({"product": None}, "product"),
    ({"product": "travel"}, "product"),
    ({"coverage": None}, "coverage"),
    ({"coverage": "gold"}, "coverage"),
    ({"region": None}, "region"),
    ({"region": "D"}, "region"),
    ({"deductible_eur": -1}, "deductible_eur"),
    ({"deductible_eur": "abc"}, "deductible_eur"),
    ({"deductible_eur": None}, "deductible_eur"),
    ({"deductible_eur": True}, "deductible_eur"),
    ({"policy_start": None}, "policy_start"),
    ({"policy_end": "2022-12-31"}, "policy_end"),
    ({"policy_start": "01-01-2025"}, "policy_start"),
    ({"insurance_year_start": None}, "insurance_year_start"),
    ({"date_of_birth": None}, "date_of_birth"),
    ({"insured_id": ""}, "insured_id"),
    ({"sex": "x"}, "sex"),
    ({"country_of_origin": "India"}, "country_of_origin"),
    ({"modules": "dental"}, "modules"),
    ({"modules": ["dental_lots"]}, "modules"),
    ({"modules": ["zorgplan_plus"]}, "modules"),
    ({"prior_authorisations": [{"treatment_type": "specialist", "valid_from": "2026-03-02",
                                "valid_to": "2026-03-01"}]}, "prior_authorisations[0].valid_to"),
    ({"dutch_basic_insurance_duty": "yes"}, "dutch_basic_insurance_duty"),
])
def test_bad_insured_file_names_field(tmp_path, change, field):
    data = base()
    data.update(change)
    path = tmp_path / "insured.json"
    path.write_text(json.dumps(data, default=str))
    with pytest.raises(InsuredError) as err:
        load_insured(path)
    assert err.value.field == field


def test_voorlopig_verblijf_needs_no_region():
    p = parse_insured({"insured_id": "V", "product": "voorlopig_verblijf_nl", "deductible_eur": 0,
                       "policy_start": "2026-01-01", "date_of_birth": "1990-01-01"})
    assert p.region is None and p.insurance_year_start == p.policy_start


def test_unreadable_insured_file(tmp_path):
    with pytest.raises(InsuredError) as err:
        load_insured(tmp_path / "missing.yaml")
    assert err.value.field == "file"
    (tmp_path / "bad.yaml").write_text("a: [unclosed")
    with pytest.raises(InsuredError):
        load_insured(tmp_path / "bad.yaml")


FIELDS = {"invoice_date": "2026-05-02", "country": "DE", "currency": "EUR", "total_amount": "10.00",
          "treatment_type": "general_practice", "setting": "outpatient", "line_items": []}


@pytest.mark.parametrize("change,facts,field", [
    ({"invoice_date": None}, None, "invoice_date"),
    ({"invoice_date": "2 May"}, None, "invoice_date"),
    ({"total_amount": "ten"}, None, "total_amount"),
    ({"total_amount": "-5"}, None, "total_amount"),
    ({"currency": "euro"}, None, "currency"),
    ({"country": None}, None, "country"),
    ({"treatment_type": None}, None, "treatment_type"),
    ({"setting": "home"}, None, "setting"),
    ({"line_items": [{"description": "x", "amount": "abc"}]}, None, "line_items[0].amount"),
    ({}, {"sessions": -1}, "facts.sessions"),
    ({}, {"acute": "yes"}, "facts.acute"),
    ({}, {"transport": "horse"}, "facts.transport"),
    ({}, {"colour": "blue"}, "facts.colour"),
])
def test_bad_claim_names_field(change, facts, field):
    with pytest.raises(ClaimError) as err:
        parse_claim({**FIELDS, **change}, facts)
    assert err.value.field == field


def test_claim_reads_extra_as_facts():
    c = parse_claim({**FIELDS, "extra": {"emergency": True, "planned": None}})
    assert c.facts == {"acute": True}


def test_zorgplan_module_only_on_oom_international():
    assert parse_insured({**base(), "modules": ["zorgplan", "dental_500"]}).modules == ("zorgplan", "dental_500")
    vv = {"insured_id": "V-1", "product": "voorlopig_verblijf_nl", "deductible_eur": "0",
          "policy_start": "2026-02-01", "date_of_birth": "1995-01-01", "modules": ["zorgplan"]}
    with pytest.raises(InsuredError) as err:
        parse_insured(vv)
    assert err.value.field == "modules" and "zorgplan" in err.value.message
