"""Policy tables load and validate; a malformed table is an error naming the file and key."""
import shutil

import pytest
import yaml

from coverage import tables as T


def test_both_products_load_with_every_taxonomy_code():
    loaded = T.tables()
    assert set(loaded) == {"oom_international", "voorlopig_verblijf_nl"}
    for table in loaded.values():
        assert set(table.benefits) == set(T.TREATMENT_TYPES)
    assert T.rules_version().startswith("oom_international=")


def _broken(tmp_path, mutate, name="oom_international.yaml"):
    folder = tmp_path / "policies"
    shutil.copytree(T.POLICY_DIR, folder)
    path = folder / name
    data = yaml.safe_load(path.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    T.tables.cache_clear()
    try:
        with pytest.raises(T.TableError) as err:
            T.tables(str(folder))
    finally:
        T.tables.cache_clear()
    return err.value


@pytest.mark.parametrize("mutate,key", [
    (lambda d: d["benefits"].pop("optical"), "benefits.optical"),
    (lambda d: d["benefits"]["physiotherapy"]["variants"][0]["plus"].update(max_count="lots"),
     "benefits.physiotherapy.variants[0].plus.max_count"),
    (lambda d: d["benefits"]["optical"]["variants"][0]["top"].update(cap="-5"),
     "benefits.optical.variants[0].top.cap"),
    (lambda d: d["benefits"]["optical"]["variants"][0]["top"].update(period="decade"),
     "benefits.optical.variants[0].top.period"),
    (lambda d: d["benefits"]["optical"]["variants"][0]["top"].pop("category"),
     "benefits.optical.variants[0].top.category"),
    (lambda d: d["benefits"]["optical"]["variants"][0].pop("top"), "benefits.optical.variants[0].top"),
    (lambda d: d["benefits"]["dental"]["variants"][0]["when"][0].update(colour="red"),
     "benefits.dental.variants[0].when[0].colour"),
    (lambda d: d["annual_maximum"].pop("top"), "annual_maximum.top"),
    (lambda d: d["regions"].update(C="everything"), "regions.C"),
    (lambda d: d["articles"].pop("deductible"), "articles.deductible"),
    (lambda d: d["benefits"].update(massage={"article": "x", "variants": []}), "benefits.massage"),
    (lambda d: d["exclusions"][0].update(keywords=[]), "exclusions[0].keywords"),
])
def test_malformed_table_names_file_and_key(tmp_path, mutate, key):
    err = _broken(tmp_path, mutate)
    assert err.file == "oom_international.yaml" and err.key == key
    assert "oom_international.yaml" in str(err) and key in str(err)


VV = "voorlopig_verblijf_nl.yaml"


@pytest.mark.parametrize("name,mutate,key", [
    (VV, lambda d: d.update(tariff_factor_abroad=0), "tariff_factor_abroad"),
    (VV, lambda d: d.update(tariff_factor_abroad="2x"), "tariff_factor_abroad"),
    (VV, lambda d: d["admission_after_end"].update(abroad_days=-1), "admission_after_end.abroad_days"),
    (VV, lambda d: d["admission_after_end"].update(home_days="forever"), "admission_after_end.home_days"),
    (VV, lambda d: d["admission_after_end"].pop("article"), "admission_after_end.article"),
    ("oom_international.yaml", lambda d: d["admission_after_end"].update(nights=3), "admission_after_end.nights"),
    ("oom_international.yaml", lambda d: d["benefits"]["hospital_admission"]["variants"][0]["when"][0].update(
        country=["Netherlands"]), "benefits.hospital_admission.variants[0].when[0].country"),
    ("oom_international.yaml", lambda d: d["benefits"]["hospital_admission"]["variants"][0]["when"][0].update(
        days_at_most="five"), "benefits.hospital_admission.variants[0].when[0].days_at_most"),
    ("oom_international.yaml", lambda d: d["benefits"]["hospital_admission"]["variants"][0].update(split="yes"),
     "benefits.hospital_admission.variants[0].split"),
    ("oom_international.yaml", lambda d: d["benefits"]["general_practice"]["variants"][0].update(split=True),
     "benefits.general_practice.variants[0].split"),
    ("oom_international.yaml", lambda d: d["review_lines"][3].update(art8_row="accommodation.zorghotel"),
     "review_lines[3].art8_row"),
    ("oom_international.yaml", lambda d: d["review_lines"][3].update(art8_row="zorghotel_nl"),
     "review_lines[3].art8_row"),
])
def test_malformed_new_keys_name_file_and_key(tmp_path, name, mutate, key):
    err = _broken(tmp_path, mutate, name)
    assert err.file == name and err.key == key


def test_new_keys_loaded():
    vv, oom = T.tables()["voorlopig_verblijf_nl"], T.tables()["oom_international"]
    assert vv.tariff_factor_abroad == 2 and oom.tariff_factor_abroad is None
    assert (vv.admission_after_end.home_days, vv.admission_after_end.abroad_days) == (None, 30)
    assert (oom.admission_after_end.home_days, oom.admission_after_end.abroad_days) == (0, 0)
    rows = {rl.code: rl.art8_row for rl in oom.review_lines}
    assert rows["zorgplan_zorghotel"] == ("accommodation", "zorghotel_nl") and rows["zorgplan_hospice"] is None
