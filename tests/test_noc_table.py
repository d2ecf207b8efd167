"""Facts about the NOC 2021 table in ``models/noc/noc2021.yaml``.

The expected unit groups of major groups 20, 21 and 22 come from Statistics Canada's
NOC 2021 Version 1.0 (checked against StatCan/ESDC pages; see the file's references).
"""

from __future__ import annotations

import pytest

from planner.errors import ProfileError
from planner.rules.noc import close_matches, noc_table, occupation, require_known

# Every unit group of major groups 20 (3), 21 (36) and 22 (27) in NOC 2021 Version 1.0.
MAJOR_GROUP_20 = ["20010", "20011", "20012"]
MAJOR_GROUP_21 = [
    "21100",
    "21101",
    "21102",
    "21103",
    "21109",
    "21110",
    "21111",
    "21112",
    "21120",
    "21200",
    "21201",
    "21202",
    "21203",
    "21210",
    "21211",
    "21220",
    "21221",
    "21222",
    "21223",
    "21230",
    "21231",
    "21232",
    "21233",
    "21234",
    "21300",
    "21301",
    "21310",
    "21311",
    "21320",
    "21321",
    "21322",
    "21330",
    "21331",
    "21332",
    "21390",
    "21399",
]
MAJOR_GROUP_22 = [
    "22100",
    "22101",
    "22110",
    "22111",
    "22112",
    "22113",
    "22114",
    "22210",
    "22211",
    "22212",
    "22213",
    "22214",
    "22220",
    "22221",
    "22222",
    "22230",
    "22231",
    "22232",
    "22233",
    "22300",
    "22301",
    "22302",
    "22303",
    "22310",
    "22311",
    "22312",
    "22313",
]
UNIT_GROUPS_20_TO_22 = MAJOR_GROUP_20 + MAJOR_GROUP_21 + MAJOR_GROUP_22


def test_table_loads_with_references():
    table = noc_table()
    assert table.version == "NOC 2021 Version 1.0"
    assert table.references
    assert all(ref.href.startswith("https://") for ref in table.references)


def test_codes_are_five_digit_strings_with_teer_from_second_digit():
    for code, found in noc_table().occupations.items():
        assert isinstance(code, str) and len(code) == 5 and code.isdigit()
        assert found.teer == int(code[1])


def test_software_engineers_and_designers():
    found = occupation("21231")
    assert found is not None
    assert found.title == "Software engineers and designers"
    assert found.teer == 1


@pytest.mark.parametrize(
    ("code", "title", "teer"),
    [
        ("20012", "Computer and information systems managers", 0),
        ("21211", "Data scientists", 1),
        ("21220", "Cybersecurity specialists", 1),
        ("21232", "Software developers and programmers", 1),
        ("21233", "Web designers", 1),
        ("21311", "Computer engineers (except software engineers and designers)", 1),
        ("22220", "Computer network and web technicians", 2),
        ("22222", "Information systems testing technicians", 2),
        ("22313", "Aircraft instrument, electrical and avionics mechanics, technicians and inspectors", 2),
        ("31102", "General practitioners and family physicians", 1),
        ("41400", "Natural and applied science policy researchers, consultants and program officers", 1),
        ("72410", "Automotive service technicians, truck and bus mechanics and mechanical repairers", 2),
        ("72600", "Air pilots, flight engineers and flying instructors", 2),
    ],
)
def test_known_titles_and_teers(code, title, teer):
    found = occupation(code)
    assert found is not None, code
    assert found.title == title
    assert found.teer == teer


def test_teer_of_managers_and_technicians():
    assert occupation("20012").teer == 0
    assert occupation("22220").teer == 2


def test_every_unit_group_of_major_groups_20_to_22_is_present():
    assert len(UNIT_GROUPS_20_TO_22) == 66
    assert len(set(UNIT_GROUPS_20_TO_22)) == 66
    codes = noc_table().occupations
    missing = [code for code in UNIT_GROUPS_20_TO_22 if code not in codes]
    assert missing == []
    in_20_to_22 = sorted(code for code in codes if code[:2] in {"20", "21", "22"})
    assert in_20_to_22 == sorted(UNIT_GROUPS_20_TO_22)


def test_codes_named_in_rule_facts_are_present():
    for code in [
        "00011",
        "00012",
        "00013",
        "00014",
        "00015",
        "10030",
        "11100",
        "13100",
        "31100",
        "31101",
        "31102",
        "40042",
        "41200",
        "41201",
        "41400",
        "42102",
        "43204",
        "51120",
        "52120",
        "63100",
        "72404",
        "72410",
        "72600",
        "22310",
    ]:
        assert occupation(code) is not None, code


def test_unknown_code_is_a_profile_error_naming_close_matches():
    assert occupation("21239") is None
    with pytest.raises(ProfileError) as caught:
        require_known("21239", "profile.json", "work_history[0].noc")
    error = caught.value
    assert "21239" in error.message
    assert error.file == "profile.json"
    assert error.field == "work_history[0].noc"
    suggestions = close_matches("21239")
    assert suggestions
    assert all(code in noc_table().occupations for code in suggestions)
    for code in suggestions:
        assert code in error.hint
        assert noc_table().occupations[code].title in error.hint
    assert any(code.startswith("2123") for code in suggestions)


def test_close_matches_of_a_typo_are_real_codes():
    suggestions = close_matches("21213")
    assert suggestions
    assert len(suggestions) <= 3
    assert all(code in noc_table().occupations for code in suggestions)


def test_close_matches_of_a_typo_include_a_real_212xx_code():
    suggestions = close_matches("21213")
    assert any(code.startswith("212") and code in noc_table().occupations for code in suggestions)
