"""Boundary cases per program: each test sits on the edge of one rule and checks both sides.

Figures come from /work/shared/reference/temporary-and-provincial.md and federal-rules.md §6-7
(the program files cite the sources): ICT needs 12 months of continuous full-time work with a
related company in the last 3 years; CUSMA needs US or Mexican citizenship; IEC age limits are
per citizenship (Australia 35, Japan 30); GTS Category B floors (22220 $40.87/h); the Quebec pilot
closed 2026-01-01 and the H-1B permit 2023-07-18; STEM lists 2023-24 vs 2025; French NCLC 7.
"""

from __future__ import annotations

from datetime import date

import pytest

from planner.eligibility.predicates import Context
from planner.eligibility.verdicts import evaluate
from planner.facts.profile import parse_profile
from planner.rules.catalogue import catalogue

CAT = catalogue()

IELTS = {"test": "ielts_general", "date": "2025-01-10"}
IELTS_CLB7 = {**IELTS, "listening": 6.0, "reading": 6.0, "writing": 6.0, "speaking": 6.0}
IELTS_CLB6 = {**IELTS, "listening": 5.5, "reading": 5.0, "writing": 5.5, "speaking": 5.5}
IELTS_CLB5 = {**IELTS, "listening": 5.0, "reading": 4.0, "writing": 5.0, "speaking": 5.0}
# TCF Canada NCLC 7: listening 458, reading 453, writing 10, speaking 10; NCLC 6 speaking is 7-9.
TCF_NCLC7 = {
    "test": "tcf_canada",
    "date": "2025-01-10",
    "listening": 458,
    "reading": 453,
    "writing": 10,
    "speaking": 10,
}


def profile(**fields):
    data = {"birth_date": "1990-05-01", "citizenships": ["IN"]}
    data.update(fields)
    return parse_profile(data)


def verdict(program_id: str, person, on: date, requirement: str):
    result = evaluate(CAT.get(program_id), person, on)
    return next(v for v in result.verdicts if v.requirement == requirement)


def met(program_id: str, person, on: date, requirement: str) -> bool:
    return verdict(program_id, person, on, requirement).met


# --- intra-company transfer: 11 vs 12 months with the transferring employer ---------------------


def ict_job(role="managerial", hours=40, start="2024-01-01"):
    return {
        "noc": "20012",
        "country": "US",
        "start": start,
        "hours_per_week": hours,
        "canadian_related_entity": True,
        "role": role,
    }


@pytest.mark.parametrize("on, expected", [(date(2024, 12, 30), False), (date(2024, 12, 31), True)])
def test_ict_needs_12_months_with_the_related_company(on, expected):
    person = profile(work_history=[ict_job()])
    found = verdict("temporary.ict.executive_managerial", person, on, "related_company_employment")
    assert found.met is expected
    assert found.value.startswith("11 months" if not expected else "12 months")


def test_ict_specialized_knowledge_does_not_count_managerial_work_and_part_time_does_not_count():
    on = date(2025, 6, 1)
    assert not met(
        "temporary.ict.specialized_knowledge", profile(work_history=[ict_job()]), on, "related_company_employment"
    )
    assert met(
        "temporary.ict.specialized_knowledge",
        profile(work_history=[ict_job("specialized_knowledge")]),
        on,
        "related_company_employment",
    )
    assert not met(
        "temporary.ict.executive_managerial",
        profile(work_history=[ict_job(hours=20)]),
        on,
        "related_company_employment",
    )


def test_ict_window_is_the_last_3_years():
    """Only the part of the job inside the 3-year window counts: a job that ended 2022-12-31 gives 12 months
    on 2025-01-01 (window from 2022-01-01) and 11 months a day later."""
    old = {**ict_job(start="2019-01-01"), "end": "2022-12-31"}
    assert met(
        "temporary.ict.executive_managerial",
        profile(work_history=[old]),
        date(2025, 1, 1),
        "related_company_employment",
    )
    assert not met(
        "temporary.ict.executive_managerial",
        profile(work_history=[old]),
        date(2025, 1, 2),
        "related_company_employment",
    )


def test_ict_grants_and_caps():
    on = date(2026, 1, 1)
    assert CAT.get("c62").grants.at(on).max_months == 84
    assert CAT.get("c63").grants.at(on).max_months == 60
    assert CAT.get("c61").grants.at(on).max_months == 12
    assert CAT.get("c62").grants.at(on).initial_months == 36 and CAT.get("c62").grants.at(on).renewal_months == 24


def test_cusma_ict_needs_citizenship_and_12_months():
    person = profile(citizenships=["US"], work_history=[ict_job("executive")])
    assert met("temporary.cusma.ict_executive", person, date(2024, 12, 31), "related_company_employment")
    assert not met("temporary.cusma.ict_executive", person, date(2024, 12, 30), "related_company_employment")
    assert not met(
        "temporary.cusma.ict_executive", profile(work_history=[ict_job("executive")]), date(2025, 6, 1), "citizenship"
    )


# --- CUSMA professionals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "citizenships, expected",
    [
        (["CA"], False),  # a Canadian-only citizen is not a CUSMA professional
        (["IN"], False),  # a US permanent resident who is not a US citizen
        (["US"], True),
        (["MX"], True),
        (["IN", "MX"], True),  # dual citizen
    ],
)
def test_cusma_professional_needs_us_or_mexican_citizenship(citizenships, expected):
    assert (
        met("temporary.cusma.professional", profile(citizenships=citizenships), date(2025, 6, 1), "citizenship")
        is expected
    )


def cusma_person(education, years_in_profession, offer_noc="21231"):
    jobs = (
        [
            {
                "noc": offer_noc,
                "country": "US",
                "start": f"{2025 - years_in_profession}-01-01",
                "end": "2024-12-31",
                "hours_per_week": 40,
            }
        ]
        if years_in_profession
        else []
    )
    return profile(
        citizenships=["US"],
        education=education,
        work_history=jobs,
        job_offer={"noc": offer_noc, "province": "ON", "annual_salary_cad": 120000},
    )


BACHELOR = [{"level": "bachelor", "country": "US", "completed": "2015-05-31"}]
DIPLOMA = [{"level": "post_secondary", "program_years": 2, "country": "US", "completed": "2015-05-31"}]


def test_cusma_computer_systems_analyst_degree_or_diploma_plus_3_years():
    on = date(2025, 6, 1)
    rid = "profession_and_credentials"
    assert met("temporary.cusma.professional", cusma_person(BACHELOR, 0), on, rid)  # foreign degree, no ECA needed
    assert not met("temporary.cusma.professional", cusma_person(DIPLOMA, 2), on, rid)
    assert met("temporary.cusma.professional", cusma_person(DIPLOMA, 3), on, rid)
    assert not met(
        "temporary.cusma.professional", profile(citizenships=["US"], education=BACHELOR), on, rid
    )  # no offer


def test_cusma_engineer_needs_a_degree_and_unlisted_occupations_fail():
    on = date(2025, 6, 1)
    rid = "profession_and_credentials"
    assert not met("temporary.cusma.professional", cusma_person(DIPLOMA, 3, offer_noc="21310"), on, rid)
    assert met("temporary.cusma.professional", cusma_person(BACHELOR, 0, offer_noc="21310"), on, rid)
    found = verdict("temporary.cusma.professional", cusma_person(BACHELOR, 0, offer_noc="22221"), on, rid)
    assert not found.met and "not mapped" in found.value


def test_cusma_professional_is_decided_at_the_port_of_entry_for_us_citizens_only_since_2024_02_29():
    """Most Mexicans need a visitor visa from 2024-02-29 and apply online (the Global Skills Strategy's 2 weeks)."""
    from planner.planning.process import permit_processing

    program = CAT.get("cusma")
    us, mx = profile(citizenships=["US"]), profile(citizenships=["MX"])
    assert permit_processing(program, us, date(2025, 6, 1)) == (0, 0)
    assert permit_processing(program, mx, date(2024, 2, 28)) == (0, 0)
    assert permit_processing(program, mx, date(2024, 2, 29)) == (1, 1)  # 0.5 months online, a whole plan month
    assert program.port_of_entry.entry(date(2025, 6, 1)).certainty == "uncertain"  # eTA-eligible Mexicans
    assert {"outside_canada", "@temporary"} <= {s for t in program.transitions for s in t.from_statuses}


# --- IEC: age limit by citizenship ----------------------------------------------------------------


@pytest.mark.parametrize(
    "citizen, birth, on, expected",
    [
        ("AU", "1990-03-10", date(2026, 3, 9), True),  # last day aged 35 (Australia's limit)
        ("AU", "1990-03-10", date(2026, 3, 10), False),  # 36th birthday: one day past the limit
        ("JP", "1995-03-10", date(2026, 3, 9), True),  # last day aged 30 (Japan's limit)
        ("JP", "1995-03-10", date(2026, 3, 10), False),
        ("FR", "2008-03-10", date(2026, 3, 9), False),  # aged 17
        ("FR", "2008-03-10", date(2026, 3, 10), True),  # 18th birthday
    ],
)
def test_iec_age_limit_by_country(citizen, birth, on, expected):
    person = profile(citizenships=[citizen], birth_date=birth)
    assert met("temporary.iec.working_holiday", person, on, "age_by_citizenship") is expected


def test_iec_partner_table_corrected_against_irccs_2025_instructions():
    """The UK (35) is a partner; Switzerland has no Working Holiday; Austria stops at 30, Luxembourg at 35."""
    on = date(2026, 3, 9)
    assert met("iec", profile(citizenships=["GB"], birth_date="1991-01-01"), on, "age_by_citizenship")  # 35
    assert not met("iec", profile(citizenships=["CH"], birth_date="2000-01-01"), on, "age_by_citizenship")
    assert not met("iec", profile(citizenships=["AT"], birth_date="1995-01-01"), on, "age_by_citizenship")  # 31
    assert met("iec", profile(citizenships=["LU"], birth_date="1991-01-01"), on, "age_by_citizenship")


def test_iec_permit_length_is_the_countrys():
    from planner.planning.permits import permit_months

    grant = CAT.get("iec").grants.at(date(2026, 1, 1))
    lengths = {c: permit_months(grant, profile(citizenships=[c]), date(2026, 1, 1)) for c in ("GB", "NZ", "JP", "AU")}
    assert lengths == {"GB": 24, "NZ": 23, "JP": 12, "AU": 24}


def test_iec_highest_limit_among_several_citizenships():
    person = profile(citizenships=["JP", "AU"], birth_date="1992-01-01")  # 34
    assert met("iec", person, date(2026, 3, 1), "age_by_citizenship")


def test_iec_season_closed_between_2025_and_2026_seasons():
    program = CAT.get("iec")
    assert not program.is_open(date(2025, 11, 1))
    assert program.is_open(date(2025, 12, 19))
    assert program.spouse_open_work_permit.at(date(2026, 1, 1)).eligible == "no"


# --- Global Talent Stream ----------------------------------------------------------------------------


def gts_offer(noc, hourly, **extra):
    return profile(job_offer={"noc": noc, "province": "ON", "hourly_wage_cad": hourly, **extra})


@pytest.mark.parametrize("hourly, expected", [(40.86, False), (40.87, True)])
def test_gts_category_b_wage_floor_for_22220(hourly, expected):
    person = gts_offer("22220", hourly)
    on = date(2026, 1, 1)
    assert met("temporary.gts.category_b", person, on, "listed_occupation")
    assert met("temporary.gts.category_b", person, on, "wage_floor") is expected


@pytest.mark.parametrize("noc, floor", [("22310", 41.35), ("22222", 41.03)])
def test_gts_category_b_other_floors(noc, floor):
    on = date(2026, 1, 1)
    assert not met("gts", gts_offer(noc, round(floor - 0.01, 2)), on, "wage_floor")
    assert met("gts", gts_offer(noc, floor), on, "wage_floor")


def test_gts_category_b_list_2022_and_prevailing_wage_occupations():
    on = date(2026, 1, 1)
    assert met("gts", gts_offer("21231", 30.0), on, "wage_floor")  # prevailing wage: not checked by the planner
    assert not met("gts", gts_offer("22221", 50.0), on, "listed_occupation")  # user support technicians: not listed
    assert not met("gts", gts_offer("21231", 60.0), date(2021, 6, 1), "listed_occupation")  # NOC 2016-era list


@pytest.mark.parametrize(
    "hourly, referral, expected_wage, expected_referral",
    [(38.45, True, False, True), (38.46, True, True, True), (50.0, False, True, False)],
)
def test_gts_category_a_referral_and_wage(hourly, referral, expected_wage, expected_referral):
    person = gts_offer("21231", hourly, gts_referral=referral)
    on = date(2026, 1, 1)
    assert met("gts_a", person, on, "wage_floor") is expected_wage
    assert met("gts_a", person, on, "referral") is expected_referral


def test_gts_category_a_needs_advanced_degree_or_5_years_in_the_field():
    on = date(2026, 1, 1)
    master = [{"level": "master", "country": "IN", "completed": "2015-05-31"}]
    assert met(
        "gts_a", profile(education=master, job_offer={"noc": "21231", "hourly_wage_cad": 60}), on, "specialized_talent"
    )
    four_years = [{"noc": "21231", "country": "IN", "start": "2021-01-01", "end": "2024-12-31", "hours_per_week": 40}]
    five_years = [{"noc": "21231", "country": "IN", "start": "2020-01-01", "end": "2024-12-31", "hours_per_week": 40}]
    offer = {"noc": "21231", "hourly_wage_cad": 60}
    assert not met("gts_a", profile(work_history=four_years, job_offer=offer), on, "specialized_talent")
    assert met("gts_a", profile(work_history=five_years, job_offer=offer), on, "specialized_talent")


# --- closed programs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program_id, on, expected",
    [
        ("quebec.ai_it_vfx_pilot", date(2025, 6, 1), True),
        ("quebec.ai_it_vfx_pilot", date(2025, 12, 31), True),
        ("quebec.ai_it_vfx_pilot", date(2026, 1, 1), False),
        ("quebec.ai_it_vfx_pilot", date(2026, 6, 1), False),
        ("temporary.h1b_open_work_permit_2023", date(2023, 7, 15), False),
        ("temporary.h1b_open_work_permit_2023", date(2023, 7, 16), True),
        ("temporary.h1b_open_work_permit_2023", date(2023, 7, 17), True),
        ("temporary.h1b_open_work_permit_2023", date(2023, 7, 18), False),
        ("temporary.h1b_open_work_permit_2023", date(2024, 1, 1), False),
        ("provincial.on.hcp_tech", date(2024, 3, 21), True),
        ("provincial.on.hcp_tech", date(2026, 6, 1), False),
        ("federal.express_entry.category.agriculture", date(2026, 3, 1), False),
        ("federal.express_entry.category.transport", date(2025, 6, 1), False),
        ("federal.express_entry.category.transport", date(2026, 3, 1), True),
    ],
)
def test_program_open_on_date(program_id, on, expected):
    found = verdict(program_id, profile(), on, "program_open")
    assert found.met is expected


def test_closed_programs_explain_their_doubt():
    found = verdict("temporary.h1b_open_work_permit_2023", profile(), date(2024, 1, 1), "program_open")
    assert "closed since 2023-07-18" in found.value and "2023-07-17" in found.doubt
    found = verdict("quebec.ai_it_vfx_pilot", profile(), date(2026, 6, 1), "program_open")
    assert not found.met and found.certainty == "confirmed" and "closed since 2026-01-01" in found.value


def test_h1b_status_is_a_manual_check():
    found = verdict("temporary.h1b_open_work_permit_2023", profile(), date(2023, 7, 16), "us_h1b_status")
    assert not found.met and "H-1B" in found.threshold


# --- Express Entry categories ----------------------------------------------------------------------


def worker_in(noc, start="2022-01-01", end="2024-06-30", country="IN"):
    return profile(work_history=[{"noc": noc, "country": country, "start": start, "end": end, "hours_per_week": 40}])


@pytest.mark.parametrize("on, expected", [(date(2024, 7, 1), True), (date(2025, 3, 1), False)])
def test_stem_category_membership_of_21231_in_2024_vs_2025(on, expected):
    assert met("federal.express_entry.category.stem", worker_in("21231"), on, "stem_experience") is expected


def test_stem_cybersecurity_stays_in_2025_and_the_2026_rule_needs_12_months():
    assert met("stem_category", worker_in("21220"), date(2025, 3, 1), "stem_experience")
    seven_months = worker_in("21220", start="2025-06-01", end="2025-12-31")
    assert met("stem_category", seven_months, date(2026, 1, 15), "stem_experience")  # 6-month rule
    found = verdict("stem_category", seven_months, date(2026, 3, 1), "stem_experience")
    assert not found.met and found.certainty == "confirmed"  # 12-month rule; 2026 list kept from 2025 (2 sources)
    assert met(
        "stem_category", worker_in("21220", start="2024-06-01", end="2025-12-31"), date(2026, 3, 1), "stem_experience"
    )


def test_stem_6_months_must_be_continuous_in_one_occupation():
    two_jobs = profile(
        work_history=[
            {"noc": "21231", "country": "IN", "start": "2024-01-01", "end": "2024-03-31", "hours_per_week": 40},
            {"noc": "21232", "country": "IN", "start": "2024-04-01", "end": "2024-06-30", "hours_per_week": 40},
        ]
    )
    assert not met("stem_category", two_jobs, date(2024, 7, 1), "stem_experience")


@pytest.mark.parametrize("speaking, expected", [(10, True), (9, False)])
def test_french_category_at_nclc_7_vs_6(speaking, expected):
    person = profile(language_tests=[{**TCF_NCLC7, "speaking": speaking}])
    assert met("federal.express_entry.category.french", person, date(2025, 6, 1), "french_language") is expected


def test_french_category_ignores_english_results():
    person = profile(language_tests=[{**IELTS, "listening": 8.0, "reading": 7.0, "writing": 7.0, "speaking": 7.0}])
    assert not met("french_category", person, date(2025, 6, 1), "french_language")


def test_senior_managers_need_canadian_experience_from_2026():
    abroad = worker_in("00012", start="2024-01-01", end="2025-12-31", country="IN")
    in_canada = worker_in("00012", start="2024-01-01", end="2025-12-31", country="CA")
    on = date(2026, 3, 1)
    assert not met("senior_managers_category", abroad, on, "canadian_occupation_experience")
    assert met("senior_managers_category", in_canada, on, "canadian_occupation_experience")
    assert not CAT.get("senior_managers_category").is_open(date(2025, 6, 1))


def test_categories_without_a_list_never_claim_membership():
    nurse = worker_in("31102")
    found = verdict("healthcare_category", nurse, date(2024, 7, 1), "occupation_experience")
    assert not found.met and found.certainty == "uncertain"


# --- PGWP, spousal permit -------------------------------------------------------------------------


def graduate(level, test, completed="2025-04-30", years=None):
    credential = {"level": level, "country": "CA", "completed": completed}
    if years:
        credential["program_years"] = years
    return profile(education=[credential], language_tests=[test])


@pytest.mark.parametrize(
    "level, years, test, on, expected",
    [
        ("bachelor", None, IELTS_CLB6, date(2024, 10, 31), True),  # before the language rule
        ("bachelor", None, IELTS_CLB6, date(2025, 6, 1), False),  # degree graduates need CLB 7
        ("bachelor", None, IELTS_CLB7, date(2025, 6, 1), True),
        ("post_secondary", 2, IELTS_CLB5, date(2025, 6, 1), True),  # college graduates need CLB 5
    ],
)
def test_pgwp_language_by_credential(level, years, test, on, expected):
    person = graduate(
        level, {**test, "date": "2024-09-01"}, completed="2024-09-30" if on.year == 2024 else "2025-04-30", years=years
    )
    assert met("pgwp", person, on, "language") is expected


def test_pgwp_credential_must_be_recent():
    person = graduate("master", IELTS_CLB7, completed="2024-12-01")
    assert met("pgwp", person, date(2025, 6, 1), "canadian_credential")
    assert not met("pgwp", person, date(2025, 7, 2), "canadian_credential")


def married_to(noc, valid_until, country="CA"):
    return parse_profile(
        {
            "birth_date": "1990-05-01",
            "citizenships": ["IN"],
            "marital_status": "married",
            "spouse": {
                "work_history": [{"noc": noc, "country": country, "start": "2024-01-01", "hours_per_week": 40}],
                "status_in_canada": {"status": "worker", "valid_until": valid_until},
            },
        }
    )


@pytest.mark.parametrize(
    "noc, valid_until, on, expected",
    [
        ("21231", "2026-09-01", date(2025, 5, 1), True),  # TEER 1, 16 months left
        ("21231", "2026-08-31", date(2025, 5, 1), False),  # 15 months left
        ("22220", "2027-01-01", date(2025, 5, 1), True),  # TEER 2 in NOC group 22 (natural and applied sciences)
        ("52120", "2027-01-01", date(2025, 5, 1), False),  # TEER 2 outside the listed groups
        ("22310", "2027-01-01", date(2025, 5, 1), True),
        ("22220", "2025-01-01", date(2024, 6, 1), True),  # 2023-2025 rule: any TEER, 6 months
        ("13100", "2025-01-01", date(2024, 6, 1), True),  # TEER 3 office work under the 2023-2025 rule
    ],
)
def test_spousal_open_work_permit_2025_rule(noc, valid_until, on, expected):
    assert met("sowp", married_to(noc, valid_until), on, "principal_worker") is expected


# --- provincial -----------------------------------------------------------------------------------


def test_alberta_tech_pathway_crs_300_is_the_profiles_crs():
    person = profile(
        birth_date="1995-01-01",
        language_tests=[IELTS_CLB7],
        education=[{"level": "bachelor", "country": "IN", "completed": "2017-05-31", "eca": True}],
    )
    on = date(2025, 6, 1)
    found = verdict("provincial.ab.accelerated_tech_pathway", person, on, "crs_minimum")
    assert found.met is (Context(person, on).crs.total >= 300)


def test_alberta_tech_pathway_needs_an_alberta_tech_offer():
    on = date(2025, 6, 1)
    rid = "alberta_tech_job"
    assert met("aaip_tech", profile(job_offer={"noc": "21231", "province": "AB", "permanent": True}), on, rid)
    assert not met("aaip_tech", profile(job_offer={"noc": "21231", "province": "BC", "permanent": True}), on, rid)
    assert not met("aaip_tech", profile(job_offer={"noc": "21231", "province": "AB", "duration_months": 11}), on, rid)


def test_ontario_hcp_tech_list_grew_in_2024():
    person = worker_in("22220", start="2021-01-01", end="2023-12-31")
    assert not met("oinp_hcp_tech", person, date(2024, 1, 15), "tech_occupation_experience")
    assert met("oinp_hcp_tech", person, date(2024, 2, 8), "tech_occupation_experience")


def test_quebec_pilot_salary_floor():
    on = date(2025, 6, 1)
    assert met(
        "quebec.ai_it_vfx_pilot",
        profile(job_offer={"noc": "21211", "province": "QC", "annual_salary_cad": 75000}),
        on,
        "quebec_job",
    )
    assert not met(
        "quebec.ai_it_vfx_pilot",
        profile(job_offer={"noc": "21211", "province": "QC", "annual_salary_cad": 74999}),
        on,
        "quebec_job",
    )


def test_manual_checks_are_never_met():
    assert not met("provincial.nb.express_entry", profile(), date(2025, 6, 1), "nb_selection_criteria")


# --- Express Entry invitation and application ----------------------------------------------------


def test_pr_application_fees_2024_and_2026_with_biometrics():
    fees = CAT.get("federal.express_entry.pr_application").fees
    assert [(f.amount_cad, f.per, f.max_cad) for f in fees.at(date(2025, 6, 1))] == [
        (1525, "adult", None),
        (260, "child", None),
        (85, "person", 170),
    ]
    assert fees.entry(date(2025, 6, 1)).certainty == "confirmed"
    later = fees.entry(date(2026, 5, 1))
    assert [f.amount_cad for f in later.value] == [1590, 260, 85] and later.certainty == "single_source"
    assert fees.get(date(2024, 1, 1)) is None


def test_invitation_has_no_processing_and_pr_application_uses_published_times():
    on = date(2026, 6, 1)
    assert CAT.get("ita").processing.at(on).p80_months == 0
    processing = CAT.get("federal.express_entry.pr_application").processing
    assert processing.at(date(2024, 1, 1)).p80_months == 6
    assert processing.at(on).p80_months == 7
