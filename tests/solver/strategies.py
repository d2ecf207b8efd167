"""Hypothesis strategies for random but valid profiles (shared by the solver tests)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

AS_OF = date(2026, 11, 25)
PLAN_DATES = [date(2025, 11, 20), date(2026, 3, 1), AS_OF]
"""Plan dates for the solver's laws: the earlier two see fee and success-probability rules change
within the plan (BC PNP 2026-01-22 and 2026-02-04, Alberta 2026-04-07, IRCC PR fees 2026-04-30)."""
TECH_NOCS = ["21231", "21232", "21211", "21220", "20012", "22220", "21311", "21234"]
ABILITIES = ("listening", "reading", "writing", "speaking")
IELTS = [4.0, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0]


@st.composite
def dates_between(draw, start: date, end: date) -> str:
    return (start + timedelta(days=draw(st.integers(0, (end - start).days)))).isoformat()


@st.composite
def language_test(draw, earliest: date = date(2024, 1, 1)):
    kind = draw(st.sampled_from(["ielts_general", "celpip_general", "tef_canada", "pte_core", "tcf_canada"]))
    when = draw(dates_between(earliest, AS_OF - timedelta(days=1)))
    # Three tests in four are strong (most abilities at CLB 7 or more), so that many profiles have routes to check.
    strong = draw(st.integers(0, 3)) > 0
    if kind == "ielts_general":
        scores = {a: draw(st.sampled_from(IELTS[4:] if strong else IELTS)) for a in ABILITIES}
    elif kind == "celpip_general":
        scores = {a: draw(st.integers(7 if strong else 4, 12)) for a in ABILITIES}
    elif kind == "pte_core":
        scores = {a: draw(st.integers(60 if strong else 30, 90)) for a in ABILITIES}
    elif kind == "tcf_canada":  # listening and reading 0-699, writing and speaking 0-20
        scores = {a: draw(st.integers(450 if strong else 250, 699)) for a in ("listening", "reading")}
        scores.update({a: draw(st.integers(10 if strong else 4, 20)) for a in ("writing", "speaking")})
    else:
        scores = {a: draw(st.integers(450 if strong else 250, 699)) for a in ABILITIES}
    return {"test": kind, "date": when, **scores}


@st.composite
def job(draw, country: str, ongoing: bool):
    start = draw(dates_between(date(2012, 1, 1), AS_OF - timedelta(days=400)))
    end = (
        None
        if ongoing
        else draw(dates_between(date.fromisoformat(start) + timedelta(days=30), AS_OF - timedelta(days=1)))
    )
    return {
        "noc": draw(st.sampled_from(TECH_NOCS)),
        "employer": draw(st.sampled_from(["Acme", "Globex", "Initech"])),
        "country": country,
        "start": start,
        "end": end,
        "hours_per_week": draw(st.sampled_from([20, 30, 40, 45])),
        "canadian_related_entity": draw(st.booleans()),
        "role": draw(st.sampled_from([None, "managerial", "specialized_knowledge", "other"])),
    }


PERMITS = ["pgwp", "gts_category_b", "cusma_professional", "c62", "iec", "sowp", None]
"""Permits a worker in Canada may hold (ids or aliases of models/programs/temporary/, None: an unnamed one)."""
PROVINCES = ["ON", "BC", "AB", "SK", "NB", "NS", "QC"]


@st.composite
def profiles(draw):
    where = draw(st.sampled_from(["outside", "worker", "worker", "student"]))
    citizenship = draw(st.sampled_from(["IN", "US", "MX", "FR", "GB", "NG", "AU"]))
    jobs = [draw(job(citizenship if citizenship != "GB" else "GB", ongoing=where == "outside"))]
    status = {"status": "outside"}
    province = draw(st.sampled_from(PROVINCES))
    # Permits ending inside the plan (30 days to about 3 years) as well as after it.
    valid_until = draw(dates_between(AS_OF + timedelta(days=30), AS_OF + timedelta(days=1200)))
    if where == "worker":
        jobs.append({**draw(job("CA", ongoing=True)), "province": province})
        status = {
            "status": "worker",
            "permit": draw(st.sampled_from(PERMITS)),
            "valid_until": valid_until,
            "province": draw(st.sampled_from([province, None])),
        }
    elif where == "student":
        status = {"status": "student", "valid_until": valid_until, "province": province}
    education = [
        {
            "level": draw(st.sampled_from(["bachelor", "master", "post_secondary", "doctoral"])),
            "program_years": draw(st.integers(1, 4)),
            "country": draw(st.sampled_from([citizenship, "CA"])),
            "completed": draw(dates_between(date(2008, 1, 1), date(2024, 6, 1))),
            "eca": draw(st.booleans()),
        }
    ]
    if where == "student":  # a recent graduate: a Canadian program of 8 to 36 months, finished in the last 5 months
        education.append(
            {
                "level": draw(st.sampled_from(["post_secondary", "master", "bachelor"])),
                "program_years": 1,
                "program_months": draw(st.sampled_from([8, 12, 16, 24, 36])),
                "country": "CA",
                "completed": draw(dates_between(AS_OF - timedelta(days=150), AS_OF - timedelta(days=1))),
                "study_permit_applied": draw(dates_between(date(2022, 1, 1), date(2025, 6, 1))),
                "pgwp_eligible_field": draw(st.sampled_from([True, False, None])),
            }
        )
    offer = None
    if draw(st.booleans()):
        permanent = draw(st.booleans())
        offer = {
            "noc": draw(st.sampled_from(TECH_NOCS)),
            "province": draw(st.sampled_from(PROVINCES)),
            "employer": "Acme",
            "annual_salary_cad": draw(st.sampled_from([70000, 90000, 130000, 180000])),
            "permanent": permanent,
            "lmia": draw(st.booleans()),
            "duration_months": None if permanent else draw(st.sampled_from([None, 12, 24, 36])),
        }
    married = draw(st.booleans())
    if draw(st.integers(0, 2)) == 0:  # a strong candidate (master's, CLB 10+, under 33): more routes to check
        education.append(
            {"level": "master", "program_years": 2, "country": citizenship, "completed": "2018-06-30", "eca": True}
        )
        tests = [
            {
                "test": "celpip_general",
                "date": draw(dates_between(date(2024, 6, 1), AS_OF - timedelta(days=1))),
                **{a: draw(st.integers(10, 12)) for a in ABILITIES},
            }
        ]
        birth = draw(dates_between(date(1994, 1, 1), date(2000, 1, 1)))
    else:
        tests = draw(st.lists(language_test(), min_size=0, max_size=2))
        birth = draw(dates_between(date(1970, 1, 1), date(2002, 1, 1)))
    profile = {
        "birth_date": birth,
        "citizenships": [citizenship],
        "marital_status": "married" if married else "single",
        "education": education,
        "language_tests": tests,
        "work_history": jobs,
        "status_in_canada": status,
        "job_offer": offer,
        "settlement_funds_cad": draw(st.sampled_from([5000, 20000, 40000])),
        "sibling_in_canada": draw(st.booleans()),
        "preferences": {"provinces": draw(st.sampled_from([[], [], [province], ["ON", "BC"], ["QC"]]))},
    }
    if married:
        spouse = {
            "accompanying": draw(st.booleans()),
            "birth_date": "1990-01-01",
            "language_tests": draw(st.lists(language_test(), max_size=1)),
        }
        if draw(st.booleans()):  # a spouse working in Canada (the spousal open work permit's principal)
            spouse["work_history"] = [{**draw(job("CA", ongoing=True)), "province": province}]
            spouse["status_in_canada"] = {
                "status": "worker",
                "valid_until": draw(dates_between(AS_OF + timedelta(days=30), AS_OF + timedelta(days=1200))),
            }
        profile["spouse"] = spouse
    if draw(st.integers(0, 5)) == 0:  # a nomination already received
        profile["provincial_nomination"] = {
            "province": draw(st.sampled_from(PROVINCES)),
            "date": draw(dates_between(AS_OF - timedelta(days=200), AS_OF - timedelta(days=1))),
            "express_entry_linked": draw(st.booleans()),
        }
    return profile


def shifted(profile: dict, to: date) -> dict:
    """``profile`` (drawn for :data:`AS_OF`) with every date moved by the same number of days, for a plan on ``to``.

    The person's situation relative to the plan date stays the same; the rules in force differ.
    """
    days = timedelta(days=(to - AS_OF).days)

    def move(value):
        if isinstance(value, dict):
            return {key: move(item) for key, item in value.items()}
        if isinstance(value, list):
            return [move(item) for item in value]
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            return (date.fromisoformat(value) + days).isoformat()
        return value

    return move(profile)
