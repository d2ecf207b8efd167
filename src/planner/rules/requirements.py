"""The vocabulary of requirement kinds a program file may use, as strict schemas.

A program in ``models/programs/`` lists requirement *instances*: a kind, an id, a label,
its sources, and dated parameters.  The Python that evaluates each kind lives in
:mod:`planner.eligibility.predicates`, one pure function per kind.  Adding a kind means adding a
params model here, a union member below, and a function there.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Union

from pydantic import Field, create_model

from planner.rules.schema import Dated, Strict
from planner.rules.vocabulary import Ability, EducationLevel, EducationTier, Province, Role, Where


class WorkExperienceParams(Strict):
    """Paid work of a kind, inside a window: at least ``min_months`` of full-time-equivalent hours.

    ``within_years: null`` means no window (any work ever counts); ``provinces`` limits work in
    Canada to those provinces; ``single_occupation`` counts each occupation on its own (the
    months must all be in one of them, not necessarily continuous); ``continuous_same_occupation``
    also needs them in one unbroken run.
    """

    where: Where
    min_months: int = Field(ge=1)
    within_years: int | None = Field(ge=1)
    teers: list[int] | None = None
    nocs: list[str] | None = None
    noc_prefixes: list[str] | None = None
    provinces: list[Province] | None = None
    single_occupation: bool = False
    continuous_same_occupation: bool = False
    exclude_self_employed: bool = False
    exclude_full_time_student: bool = False


class LanguageParams(Strict):
    """Minimum CLB/NCLC per ability in one valid test (of the given language, or either)."""

    language: Literal["any", "english", "french"] = "any"
    min_clb: dict[Ability, int]


class ExperienceLanguageOption(Strict):
    teers: list[int]
    min_clb: int


class ExperienceLanguageParams(Strict):
    """Experience whose TEER sets the language minimum (CEC: CLB 7 for TEER 0/1, CLB 5 for TEER 2/3)."""

    experience: WorkExperienceParams
    options: list[ExperienceLanguageOption] = Field(min_length=1)


class EducationParams(Strict):
    """A recognised credential (Canadian, or foreign with an ECA) of at least ``min_tier``."""

    min_tier: EducationTier


class FswPointsParams(Strict):
    """At least the pass mark on the FSW selection grid in ``models/federal/fsw_grid.yaml``."""

    grid: Literal["federal/fsw_grid.yaml"] = "federal/fsw_grid.yaml"


class SettlementFundsParams(Strict):
    """Funds for the family size from ``models/federal/proof_of_funds.yaml``, unless exempt."""

    table: Literal["federal/proof_of_funds.yaml"] = "federal/proof_of_funds.yaml"
    exempt_if_authorized_with_offer: bool = True


class IntendedProvinceParams(Strict):
    """The person intends to live in one of ``allowed`` / in none of ``not_in``.

    The provinces a person would live in are read by :func:`planner.facts.derived.intended_provinces`
    (their stated preferences, else their job offer's and current province); a profile that
    names none is assumed compatible, and the plan says which province it assumes.
    """

    not_in: list[Province] = Field(default_factory=list)
    allowed: list[Province] | None = None


class OfferOrCertificateParams(Strict):
    """A full-time job offer of at least ``offer_min_months`` in a listed trade, or a Canadian certificate of qualification."""

    offer_min_months: int = Field(ge=1)
    noc_prefixes: list[str] | None = None


class CitizenshipParams(Strict):
    """Citizenship of at least one listed country (permanent residence there does not count)."""

    any_of: list[str] = Field(min_length=1)


class AgeParams(Strict):
    """Age on the date within limits; ``max_age_by_citizenship`` gives per-country upper limits (IEC)."""

    min_age: int | None = None
    max_age: int | None = None
    max_age_by_citizenship: dict[str, int] | None = None


class JobOfferParams(Strict):
    """A job offer meeting occupation, province, wage and duration conditions."""

    teers: list[int] | None = None
    nocs: list[str] | None = None
    noc_prefixes: list[str] | None = None
    provinces: list[Province] | None = None
    min_hourly_wage_cad: float | None = None
    min_hourly_wage_by_noc: dict[str, float] | None = None
    min_annual_salary_cad: float | None = None
    permanent_or_min_months: int | None = None
    permanent: bool = False
    """The offer must be indeterminate (no end date)."""
    full_time: bool = True
    lmia: bool | None = None
    gts_referral: bool | None = None


class RelatedEmploymentParams(Strict):
    """Continuous full-time work with a related company abroad (intra-company transfer).

    ``canadian_entity`` says which transfers qualify: to an ``existing`` Canadian parent,
    subsidiary, branch or affiliate, or to open a ``new_office`` of a company with none yet.
    """

    min_months: int = Field(ge=1)
    within_years: int = Field(ge=1)
    roles: list[Role] = Field(min_length=1)
    canadian_entity: Literal["existing", "new_office"] = "existing"


class CanadianCredentialParams(Strict):
    """A Canadian post-secondary credential (PGWP and similar)."""

    min_program_months: int = 8
    completed_within_months: int | None = None


class StatusParams(Strict):
    """Current status in Canada (and permit, and the province the person lives in) is one of those listed."""

    statuses: list[str] = Field(min_length=1)
    permits: list[str] | None = None
    provinces: list[Province] | None = None


class CrsMinParams(Strict):
    """A CRS score of at least ``min_points`` on the date."""

    min_points: int


class SpouseWorkerParams(Strict):
    """The spouse holds a work permit in a listed TEER (or a listed NOC or NOC group) with ``min_months_left`` remaining."""

    teers: list[int]
    min_months_left: int
    nocs: list[str] | None = None
    noc_prefixes: list[str] | None = None


class ProfessionOption(Strict):
    """One way to qualify for a profession: a credential of at least ``min_tier`` and/or experience in it."""

    min_tier: EducationTier | None = None
    min_experience_months: int | None = Field(default=None, ge=1)


class Profession(Strict):
    """A listed profession (e.g. a CUSMA Appendix 2 title), the NOC codes taken to fall under it, and its credential rules.

    ``nocs: null`` means any occupation; experience is then counted in the job offer's occupation.
    """

    name: str
    nocs: list[str] | None = Field(default=None, min_length=1)
    options: list[ProfessionOption] = Field(min_length=1)


class ProfessionCredentialsParams(Strict):
    """The job offer's occupation is one of the listed professions and the person meets one of its credential options."""

    professions: list[Profession] = Field(min_length=1)
    foreign_credentials_need_eca: bool = False


class CredentialLanguageOption(Strict):
    levels: list[EducationLevel] = Field(min_length=1)
    min_clb: int


class CredentialLanguageParams(Strict):
    """A language minimum (all four abilities) set by the level of the person's Canadian credential; no options: no rule."""

    options: list[CredentialLanguageOption] = Field(default_factory=list)


class FieldOfStudyParams(Strict):
    """The most recent Canadian credential's field of study is on IRCC's list, where the rule applies to it.

    Credentials of ``exempt_levels`` are exempt, and so are programs whose study permit was
    applied for before ``study_permits_from``.
    """

    exempt_levels: list[EducationLevel] = Field(default_factory=list)
    study_permits_from: date


class IecParticipationsParams(Strict):
    """Fewer past International Experience Canada participations than the country of citizenship allows."""

    max_by_citizenship: dict[str, int] = Field(min_length=1)


class ManualCheckParams(Strict):
    """A condition the profile cannot express; always reported unmet, saying what to check."""

    check: str = Field(min_length=1)


PARAMS_BY_KIND: dict[str, type[Strict]] = {
    "work_experience": WorkExperienceParams,
    "language": LanguageParams,
    "experience_language": ExperienceLanguageParams,
    "education": EducationParams,
    "fsw_points": FswPointsParams,
    "settlement_funds": SettlementFundsParams,
    "intended_province": IntendedProvinceParams,
    "offer_or_certificate": OfferOrCertificateParams,
    "citizenship": CitizenshipParams,
    "age": AgeParams,
    "job_offer": JobOfferParams,
    "related_employment": RelatedEmploymentParams,
    "canadian_credential": CanadianCredentialParams,
    "status": StatusParams,
    "crs_min": CrsMinParams,
    "spouse_worker": SpouseWorkerParams,
    "profession_credentials": ProfessionCredentialsParams,
    "credential_language": CredentialLanguageParams,
    "field_of_study": FieldOfStudyParams,
    "iec_participations": IecParticipationsParams,
    "manual_check": ManualCheckParams,
}
"""Every requirement kind but ``any_of``, with the schema of its parameters."""


class _Option(Strict):
    """One way to meet an ``any_of`` requirement: a kind, a label and that kind's parameters."""

    label: str


def _option_model(kind: str, params: type[Strict]) -> type[_Option]:
    name = "".join(part.title() for part in kind.split("_")) + "Option"
    return create_model(name, __base__=_Option, kind=(Literal[kind], ...), params=(params, ...))


AnyOfOption = Annotated[
    Union[tuple(_option_model(kind, params) for kind, params in PARAMS_BY_KIND.items())],  # noqa: UP007 (built at run time)
    Field(discriminator="kind"),
]


class AnyOfParams(Strict):
    """Met when at least one of ``options`` is met (e.g. a provincial job offer, or being in Canada already)."""

    options: list[AnyOfOption] = Field(min_length=1)


class _Requirement(Strict):
    """A requirement of a program: its values are keyed by date like any rule value.

    A value of ``null`` means the requirement does not apply from that date (it ended, or it
    starts later than the program: key ``null`` at the program's opening, then the value at
    the date it starts). Before its first key a requirement does not apply either.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str


class WorkExperience(_Requirement, Dated[WorkExperienceParams | None]):
    kind: Literal["work_experience"]


class Language(_Requirement, Dated[LanguageParams | None]):
    kind: Literal["language"]


class ExperienceLanguage(_Requirement, Dated[ExperienceLanguageParams | None]):
    kind: Literal["experience_language"]


class Education(_Requirement, Dated[EducationParams | None]):
    kind: Literal["education"]


class FswPoints(_Requirement, Dated[FswPointsParams | None]):
    kind: Literal["fsw_points"]


class SettlementFunds(_Requirement, Dated[SettlementFundsParams | None]):
    kind: Literal["settlement_funds"]


class IntendedProvince(_Requirement, Dated[IntendedProvinceParams | None]):
    kind: Literal["intended_province"]


class OfferOrCertificate(_Requirement, Dated[OfferOrCertificateParams | None]):
    kind: Literal["offer_or_certificate"]


class Citizenship(_Requirement, Dated[CitizenshipParams | None]):
    kind: Literal["citizenship"]


class Age(_Requirement, Dated[AgeParams | None]):
    kind: Literal["age"]


class JobOffer(_Requirement, Dated[JobOfferParams | None]):
    kind: Literal["job_offer"]


class RelatedEmployment(_Requirement, Dated[RelatedEmploymentParams | None]):
    kind: Literal["related_employment"]


class CanadianCredential(_Requirement, Dated[CanadianCredentialParams | None]):
    kind: Literal["canadian_credential"]


class Status(_Requirement, Dated[StatusParams | None]):
    kind: Literal["status"]


class CrsMin(_Requirement, Dated[CrsMinParams | None]):
    kind: Literal["crs_min"]


class SpouseWorker(_Requirement, Dated[SpouseWorkerParams | None]):
    kind: Literal["spouse_worker"]


class ProfessionCredentials(_Requirement, Dated[ProfessionCredentialsParams | None]):
    kind: Literal["profession_credentials"]


class CredentialLanguage(_Requirement, Dated[CredentialLanguageParams | None]):
    kind: Literal["credential_language"]


class FieldOfStudy(_Requirement, Dated[FieldOfStudyParams | None]):
    kind: Literal["field_of_study"]


class IecParticipations(_Requirement, Dated[IecParticipationsParams | None]):
    kind: Literal["iec_participations"]


class ManualCheck(_Requirement, Dated[ManualCheckParams | None]):
    kind: Literal["manual_check"]


class AnyOf(_Requirement, Dated[AnyOfParams | None]):
    kind: Literal["any_of"]


Requirement = Annotated[
    (
        WorkExperience
        | Language
        | ExperienceLanguage
        | Education
        | FswPoints
        | SettlementFunds
        | IntendedProvince
        | OfferOrCertificate
        | Citizenship
        | Age
        | JobOffer
        | RelatedEmployment
        | CanadianCredential
        | Status
        | CrsMin
        | SpouseWorker
        | ProfessionCredentials
        | CredentialLanguage
        | FieldOfStudy
        | IecParticipations
        | ManualCheck
        | AnyOf
    ),
    Field(discriminator="kind"),
]
