"""The requirement kinds and program fields that model programs as they stand (issue 14), checked on hand-made rules.

Each test builds the rule's parameters in code, so it checks the predicate itself, not
today's data: intent to reside (IRPR 87(2)(b)), one of several ways to qualify, permanent
offers, transfers to an existing entity or a new office, the PGWP field-of-study rule and
length, IEC participations and lengths by country, work in a province and in one
occupation, fees per person with a family cap, fees only for jobs in a province, and
port-of-entry applications by citizenship.
"""

from __future__ import annotations

from datetime import date

import pytest

from planner.eligibility import predicates
from planner.eligibility.predicates import Context
from planner.eligibility.verdicts import _NEVER_MET, requirement_kinds
from planner.facts import derived as facts
from planner.facts.profile import parse_profile
from planner.facts.timeline import unchanging
from planner.planning.permits import permit_months
from planner.rules.catalogue import Grant, ProgramFile
from planner.rules.fees import Payers, step_fees
from planner.rules.requirements import (
    AnyOfParams,
    FieldOfStudyParams,
    IecParticipationsParams,
    IntendedProvinceParams,
    JobOfferParams,
    RelatedEmploymentParams,
    WorkExperienceParams,
)

ON = date(2026, 12, 3)


def person(**fields):
    data = {"birth_date": "1994-05-01", "citizenships": ["IN"]}
    data.update(fields)
    return parse_profile(data)


def outcome(kind: str, params, profile, on: date = ON):
    return predicates.PREDICATES[kind](params, Context(profile, on))


# --- intent to reside ---------------------------------------------------------------------------

SK_ONLY = IntendedProvinceParams(allowed=["SK"])
OUTSIDE_QC = IntendedProvinceParams(not_in=["QC"])


def test_stated_provinces_are_the_whole_intent_even_against_the_job_offer():
    profile = person(preferences={"provinces": ["QC"]}, job_offer={"noc": "21231", "province": "ON"})
    intent = facts.intended_provinces(profile)
    assert intent.provinces == ("QC",) and intent.source == "preferences.provinces"
    result = outcome("intended_province", SK_ONLY, profile)
    assert not result.met and "QC" in result.value and "preferences.provinces" in result.fix
    assert not outcome("intended_province", OUTSIDE_QC, profile).met


def test_without_preferences_the_job_offer_and_current_province_are_the_intent():
    profile = person(
        job_offer={"noc": "21231", "province": "ON"},
        status_in_canada={"status": "worker", "permit": "pgwp", "province": "BC"},
    )
    intent = facts.intended_provinces(profile)
    assert intent.provinces == ("ON", "BC")
    assert intent.source == "job_offer.province and status_in_canada.province"
    assert not outcome("intended_province", SK_ONLY, profile).met
    assert outcome("intended_province", IntendedProvinceParams(allowed=["BC"]), profile).met


def test_a_profile_naming_no_province_is_assumed_compatible_and_says_what_is_assumed():
    result = outcome("intended_province", SK_ONLY, person())
    assert result.met and "assumed" in result.value and "SK" in result.value


# --- any_of ------------------------------------------------------------------------------------

SK_OFFER_OR_IN_CANADA = AnyOfParams.model_validate(
    {
        "options": [
            {"kind": "job_offer", "label": "a Saskatchewan job offer", "params": {"provinces": ["SK"]}},
            {
                "kind": "status",
                "label": "already a temporary resident in Canada",
                "params": {"statuses": ["worker", "student", "visitor"]},
            },
        ]
    }
)


def test_any_of_is_met_by_one_option_and_explains_every_option():
    abroad, offer = person(), person(job_offer={"noc": "21231", "province": "SK"})
    in_canada = person(status_in_canada={"status": "worker"})
    assert not outcome("any_of", SK_OFFER_OR_IN_CANADA, abroad).met
    for profile in (offer, in_canada):
        result = outcome("any_of", SK_OFFER_OR_IN_CANADA, profile)
        assert result.met and "a Saskatchewan job offer" in result.value and "temporary resident" in result.value
    failed = outcome("any_of", SK_OFFER_OR_IN_CANADA, abroad)
    assert " or " in failed.threshold and failed.fix


def test_any_of_is_static_only_when_every_option_is():
    from planner.planning.graph import STATIC_KINDS
    from planner.rules.requirements import AnyOf

    requirement = AnyOf.model_validate(
        {
            "id": "x",
            "label": "x",
            "kind": "any_of",
            "description": "x",
            "references": [{"title": "t", "href": "https://example.org"}],
            "values": {ON: {"value": SK_OFFER_OR_IN_CANADA.model_dump()}},
        }
    )
    assert requirement_kinds(requirement) == {"job_offer", "status"}
    assert not requirement_kinds(requirement) <= STATIC_KINDS  # status changes when a route moves the person


def test_any_of_never_met_only_when_no_option_can_ever_be_met():
    no_offer = unchanging(person(), ON, date(2031, 12, 3))
    only_offers = AnyOfParams.model_validate(
        {
            "options": [
                {"kind": "job_offer", "label": "SK offer", "params": {"provinces": ["SK"]}},
                {"kind": "citizenship", "label": "US citizen", "params": {"any_of": ["US"]}},
            ]
        }
    )
    assert _NEVER_MET["any_of"](only_offers, no_offer)
    assert not _NEVER_MET["any_of"](SK_OFFER_OR_IN_CANADA, no_offer)  # a status option can be met later


# --- job offers and transfers ------------------------------------------------------------------


def test_a_permanent_offer_is_required_when_the_rule_says_so():
    rule = JobOfferParams(provinces=["ON"], permanent=True)
    temporary = person(job_offer={"noc": "21231", "province": "ON", "duration_months": 24})
    permanent = person(job_offer={"noc": "21231", "province": "ON", "permanent": True})
    result = outcome("job_offer", rule, temporary)
    assert not result.met and "indeterminate" in result.fix
    assert outcome("job_offer", rule, permanent).met


def manager(**job):
    base = {"noc": "20012", "country": "IN", "start": "2020-01-01", "hours_per_week": 40, "role": "managerial"}
    return person(work_history=[{**base, **job}])


def test_a_transfer_to_an_existing_affiliate_does_not_qualify_for_opening_a_new_office():
    new_office = RelatedEmploymentParams(
        min_months=12, within_years=3, roles=["managerial"], canadian_entity="new_office"
    )
    existing = RelatedEmploymentParams(min_months=12, within_years=3, roles=["managerial"])
    affiliate, opening = manager(canadian_related_entity=True), manager(opening_canadian_office=True)
    assert outcome("related_employment", existing, affiliate).met
    assert not outcome("related_employment", new_office, affiliate).met
    assert outcome("related_employment", new_office, opening).met
    assert not outcome("related_employment", existing, opening).met


def test_a_job_cannot_both_have_a_canadian_affiliate_and_open_the_first_office():
    from planner.errors import ProfileError

    with pytest.raises(ProfileError, match="opening"):
        manager(canadian_related_entity=True, opening_canadian_office=True)


# --- work in a province, in one occupation -----------------------------------------------------


def job(noc, start, end, province=None, country="CA"):
    return {"noc": noc, "country": country, "province": province, "start": start, "end": end, "hours_per_week": 40}


def test_work_counts_only_in_the_provinces_a_rule_names():
    rule = WorkExperienceParams(where="canada", min_months=12, within_years=3, provinces=["NB"])
    in_ontario = person(work_history=[job("21231", "2024-01-01", "2025-12-31", "ON")])
    in_nb = person(work_history=[job("21231", "2024-01-01", "2025-12-31", "NB")])
    assert not outcome("work_experience", rule, in_ontario).met
    assert outcome("work_experience", rule, in_nb).met


def test_single_occupation_needs_the_months_in_one_listed_occupation():
    rule = WorkExperienceParams(
        where="any", min_months=12, within_years=3, nocs=["21231", "21232"], single_occupation=True
    )
    split = person(
        work_history=[
            job("21231", "2025-01-01", "2025-06-30", country="IN"),
            job("21232", "2025-07-01", "2025-12-31", country="IN"),
        ]
    )
    one = person(
        work_history=[
            job("21231", "2024-06-01", "2024-12-31", country="IN"),
            job("21231", "2025-03-01", "2025-08-31", country="IN"),
        ]
    )  # not continuous
    assert not outcome("work_experience", rule, split).met
    assert outcome("work_experience", rule.model_copy(update={"single_occupation": False}), split).met
    result = outcome("work_experience", rule, one)
    assert result.met and "21231" in result.value


def test_experience_without_a_window_counts_work_of_any_age():
    rule = WorkExperienceParams(where="any", min_months=24, within_years=None)
    old = person(work_history=[job("21231", "2001-01-01", "2003-12-31", country="IN")])
    assert outcome("work_experience", rule, old).met
    assert not outcome("work_experience", rule.model_copy(update={"within_years": 10}), old).met


# --- PGWP: field of study and length -----------------------------------------------------------

FIELD_RULE = FieldOfStudyParams(
    exempt_levels=["bachelor", "master", "professional", "doctoral"], study_permits_from=date(2024, 11, 1)
)


def graduate(level="post_secondary", months=12, **extra):
    credential = {"level": level, "country": "CA", "completed": "2026-11-01", "program_months": months, **extra}
    if level == "post_secondary":
        credential["program_years"] = max(1, months // 12)
    return person(education=[credential])


def test_field_of_study_exempts_degrees_and_older_study_permits():
    assert outcome("field_of_study", FIELD_RULE, graduate("master", 16)).met
    assert outcome("field_of_study", FIELD_RULE, graduate(study_permit_applied="2024-09-01")).met
    unknown = outcome("field_of_study", FIELD_RULE, graduate(study_permit_applied="2025-01-10"))
    assert not unknown.met and "pgwp_eligible_field" in unknown.fix
    assert outcome(
        "field_of_study", FIELD_RULE, graduate(study_permit_applied="2025-01-10", pgwp_eligible_field=True)
    ).met
    assert not outcome("field_of_study", FIELD_RULE, graduate(pgwp_eligible_field=False)).met


PGWP_GRANT = Grant.model_validate(
    {
        "status": "pgwp_holder",
        "open_permit": True,
        "length_from_program": {
            "min_program_months": 8,
            "full_from_program_months": 24,
            "full_months": 36,
            "full_for_levels": ["master"],
        },
    }
)


@pytest.mark.parametrize(
    "level, months, expected",
    [
        ("post_secondary", 12, 12),  # a 1-year college program: a 12-month permit, not 36
        ("post_secondary", 16, 16),
        ("post_secondary", 24, 36),  # 2 years or more: 3 years
        ("master", 12, 36),  # any master's of 8+ months: 3 years
        ("post_secondary", 6, None),  # under 8 months: no permit length (the program gives none)
    ],
)
def test_a_pgwp_is_as_long_as_the_program_up_to_three_years(level, months, expected):
    assert permit_months(PGWP_GRANT, graduate(level, months), ON) == expected


def test_an_iec_permit_is_as_long_as_the_longest_of_the_persons_countries():
    grant = Grant(status="iec_worker", open_permit=True, months_by_citizenship={"GB": 24, "NL": 12})
    assert permit_months(grant, person(citizenships=["NL"]), ON) == 12
    assert permit_months(grant, person(citizenships=["NL", "GB"]), ON) == 24


def test_iec_participations_are_counted_against_the_country_limit():
    rule = IecParticipationsParams(max_by_citizenship={"AU": 2, "GB": 1})
    assert outcome("iec_participations", rule, person(citizenships=["AU"], iec_participations=1)).met
    assert not outcome("iec_participations", rule, person(citizenships=["GB"], iec_participations=1)).met
    assert not outcome("iec_participations", rule, person(citizenships=["IN"])).met


# --- fees and where a permit is applied for ------------------------------------------------------


def program_with(**fields) -> ProgramFile:
    base = {
        "description": "test",
        "last_verified": ON,
        "id": "temporary.test",
        "label": "Test permit",
        "kind": "temporary",
        "jurisdiction": "federal",
        "references": [{"title": "t", "href": "https://example.org"}],
        "open": {
            "description": "open",
            "references": [{"title": "t", "href": "https://example.org"}],
            "values": {date(2020, 1, 1): {"value": True}},
        },
    }
    dated = {
        key: {
            "description": key,
            "references": [{"title": "t", "href": "https://example.org"}],
            "values": {date(2020, 1, 1): {"value": value}},
        }
        for key, value in fields.items()
    }
    return ProgramFile.model_validate({**base, **dated})


def test_biometrics_are_charged_per_person_up_to_the_family_cap():
    program = program_with(fees=[{"label": "Biometrics", "amount_cad": 85, "per": "person", "max_cad": 170}])
    assert step_fees(program, ON, Payers(adults=1, children=0)) == 85
    assert step_fees(program, ON, Payers(adults=2, children=2)) == 170


def test_a_fee_for_jobs_in_quebec_is_charged_only_for_an_offer_there():
    program = program_with(
        fees=[{"label": "Permit", "amount_cad": 155}, {"label": "CAQ", "amount_cad": 233, "only_if_offer_in": ["QC"]}]
    )
    assert step_fees(program, ON, Payers(1, 0, "QC")) == 155 + 233
    assert step_fees(program, ON, Payers(1, 0, "ON")) == 155


def test_dependant_fees_are_charged_for_everyone_but_the_principal():
    program = program_with(
        fees=[{"label": "CSQ", "amount_cad": 940}, {"label": "CSQ dependant", "amount_cad": 201, "per": "dependant"}]
    )
    assert step_fees(program, ON, Payers(1, 0)) == 940
    assert step_fees(program, ON, Payers(2, 1)) == 940 + 2 * 201


def test_only_the_listed_citizens_apply_at_the_port_of_entry():
    from planner.planning.process import at_port_of_entry, permit_processing

    program = program_with(port_of_entry={"citizenships": ["US"]}, processing={"median_months": 0.5, "p80_months": 0.5})
    assert at_port_of_entry(program, person(citizenships=["US"]), ON)
    assert permit_processing(program, person(citizenships=["US"]), ON) == (0, 0)
    assert permit_processing(program, person(citizenships=["MX"]), ON) == (1, 1)


def test_a_fee_some_citizens_are_exempt_from_is_not_charged_to_them():
    program = program_with(
        fees=[
            {"label": "Permit", "amount_cad": 155},
            {"label": "Biometrics", "amount_cad": 85, "exempt_citizenships": ["US"]},
        ]
    )
    assert step_fees(program, ON, Payers(1, 0, citizenships=("MX",))) == 155 + 85
    assert step_fees(program, ON, Payers(1, 0, citizenships=("MX", "US"))) == 155


def test_a_requirement_keyed_null_does_not_apply_from_that_date():
    from planner.eligibility.verdicts import evaluate
    from planner.rules.requirements import Status

    program = program_with()
    status = Status.model_validate(
        {
            "id": "in_canada",
            "label": "In Canada",
            "kind": "status",
            "description": "x",
            "references": [{"title": "t", "href": "https://example.org"}],
            "values": {
                date(2020, 1, 1): {"value": None},
                date(2025, 3, 27): {"value": {"statuses": ["worker"]}},
                date(2026, 1, 1): {"value": None},
            },
        }
    )
    program = program.model_copy(update={"requirements": [status]})
    from planner.rules.catalogue import Catalogue

    abroad = person()
    cat = Catalogue({program.id: (program, "programs/test.yaml")}, type("S", (), {"statuses": {}})())
    assert evaluate(program, abroad, date(2024, 6, 1), cat=cat).eligible
    assert not evaluate(program, abroad, date(2025, 6, 1), cat=cat).eligible
    assert evaluate(program, abroad, date(2026, 6, 1), cat=cat).eligible
