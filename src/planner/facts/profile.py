"""The profile: a person's situation as they write it by hand or an advisory tool sends it.

This is the project's input contract.  It holds only facts the person knows (dates,
raw test scores, jobs); everything derived from them (age, CLB levels, years of skilled
experience, CRS) is computed in :mod:`planner.facts.derived`, never typed by the user.
Unknown keys are errors with a did-you-mean hint, so a typo is never silently ignored.
"""

from __future__ import annotations

import difflib
import json
import stat
import sys
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from planner.errors import ProfileError
from planner.rules.loader import format_loc
from planner.rules.vocabulary import Ability, EducationLevel, Province, Role

TestName = Literal["ielts_general", "celpip_general", "pte_core", "tef_canada", "tcf_canada"]


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
"""Dates a profile may hold: anything else is a typo (9999-12-31, year 1), never a fact about a person."""

MAX_ITEMS = 50
"""The most credentials, tests or jobs one list may hold (more is not a person's history but a runaway file)."""

MAX_TEXT = 300
"""The longest text a profile field may hold."""


def _sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"{value} is outside the dates a profile can hold ({EARLIEST_DATE} to {LATEST_DATE})")
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]
"""A date between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False, str_max_length=MAX_TEXT
    )


def _country(value: str) -> str:
    value = value.upper()
    if len(value) != 2 or not value.isalpha():
        raise ValueError("must be a two-letter ISO 3166 country code such as 'IN', 'US' or 'CA'")
    return value


class Education(_Strict):
    """A completed (or expected) credential."""

    level: EducationLevel
    program_years: int | None = Field(
        default=None,
        ge=1,
        le=10,
        strict=True,
        description="Length of the program in years (needed for post_secondary: 1, 2, or 3+).",
    )
    program_months: int | None = Field(
        default=None,
        ge=1,
        le=120,
        strict=True,
        description="Length of the program in months, when it is not a whole number of years (e.g. 8 or 16); "
        "a post-graduation work permit lasts as long as a program of under two years.",
    )
    country: str = Field(description="Where the credential was earned (ISO code); 'CA' for Canadian credentials.")
    completed: SaneDate
    eca: StrictBool = Field(default=False, description="A foreign credential has an Educational Credential Assessment.")
    full_time: StrictBool = True
    months_studied_in_canada: int | None = Field(
        default=None,
        ge=0,
        le=240,
        strict=True,
        description="Months physically in Canada while studying; when absent for a Canadian credential, "
        "the planner assumes the in-Canada study condition is met and says so.",
    )
    study_permit_applied: SaneDate | None = Field(
        default=None,
        description="When the study permit for this Canadian program was applied for (the "
        "post-graduation work permit's field-of-study rule depends on it).",
    )
    pgwp_eligible_field: StrictBool | None = Field(
        default=None,
        description="The program's field of study (CIP code) is on IRCC's list of fields eligible "
        "for a post-graduation work permit; leave out if you have not checked.",
    )

    _country = field_validator("country")(classmethod(lambda cls, v: _country(v)))

    @model_validator(mode="after")
    def _post_secondary_needs_years(self):
        if self.level == "post_secondary" and self.program_years is None:
            raise ValueError("program_years is required for a post_secondary credential (1, 2, or 3 for 3+ years)")
        return self

    @property
    def canadian(self) -> bool:
        """True for a credential from a Canadian institution."""
        return self.country == "CA"

    @property
    def length_months(self) -> int:
        """The program's length in months: ``program_months``, else ``program_years`` (one year if neither is given)."""
        return self.program_months or 12 * (self.program_years or 1)


class LanguageTest(_Strict):
    """Raw results of one approved language test; CLB/NCLC levels are derived from them."""

    test: TestName
    date: SaneDate
    listening: float
    reading: float
    writing: float
    speaking: float

    def score(self, ability: Ability) -> float:
        """Return the raw score for one ability."""
        return getattr(self, ability)


class Work(_Strict):
    """One job, past or current (``end: null``)."""

    noc: str = Field(description="NOC 2021 five-digit code, e.g. '21231'.")
    employer: str | None = None
    country: str
    province: Province | None = Field(default=None, description="For work in Canada: the province or territory.")
    start: SaneDate
    end: SaneDate | None = None
    hours_per_week: float = Field(gt=0, le=168)
    self_employed: StrictBool = False
    while_full_time_student: StrictBool = False
    canadian_related_entity: StrictBool = Field(
        default=False, description="The employer has a Canadian parent, subsidiary, branch or affiliate."
    )
    opening_canadian_office: StrictBool = Field(
        default=False,
        description="The employer has no Canadian entity yet and is sending you to open its first "
        "Canadian office (an intra-company start-up transfer).",
    )
    role: Role | None = None
    paid: StrictBool = True
    authorized: StrictBool = Field(default=True, description="Work in Canada was done with authorization to work.")

    _country = field_validator("country")(classmethod(lambda cls, v: _country(v)))

    @field_validator("noc")
    @classmethod
    def _noc_shape(cls, value: str) -> str:
        if len(value) != 5 or not value.isdigit():
            raise ValueError("must be a five-digit NOC 2021 code such as '21231'")
        return value

    @field_validator("opening_canadian_office")
    @classmethod
    def _one_kind_of_canadian_entity(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("canadian_related_entity"):
            raise ValueError(
                "a job cannot both have an existing Canadian related entity and be opening the first Canadian office"
            )
        return value

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        # a field validator (not a model validator) so the error's path ends in '.end'
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise ValueError(f"end ({value}) is before start ({start})")
        return value

    @property
    def in_canada(self) -> bool:
        """True for work done in Canada."""
        return self.country == "CA"


StatusKind = Literal["outside", "worker", "student", "visitor", "permanent_resident", "citizen"]


class StatusInCanada(_Strict):
    """The person's current status in Canada, if any."""

    status: StatusKind = "outside"
    permit: str | None = Field(default=None, description="Program id or short name of the permit held, e.g. 'pgwp'.")
    valid_until: SaneDate | None = None
    province: Province | None = None


class JobOffer(_Strict):
    """A job offer from a Canadian employer."""

    noc: str
    province: Province | None = None
    employer: str | None = None
    annual_salary_cad: float | None = Field(default=None, ge=0, le=100_000_000)
    hourly_wage_cad: float | None = Field(default=None, ge=0, le=50_000)
    permanent: StrictBool = False
    duration_months: int | None = Field(default=None, ge=1, le=600, strict=True)
    full_time: StrictBool = True
    lmia: StrictBool = Field(default=False, description="The offer is supported by a positive LMIA.")
    gts_referral: StrictBool = Field(
        default=False,
        description="The employer was referred to Global Talent Stream Category A by a designated partner.",
    )

    @field_validator("noc")
    @classmethod
    def _noc_shape(cls, value: str) -> str:
        return Work._noc_shape(value)


class TradeCertificate(_Strict):
    """A Canadian certificate of qualification in a trade."""

    trade: str
    province: Province


class Nomination(_Strict):
    """A provincial nomination already received."""

    province: Province
    date: SaneDate
    express_entry_linked: StrictBool


class Spouse(_Strict):
    """The spouse or common-law partner."""

    accompanying: StrictBool = True
    canadian_citizen_or_pr: StrictBool = False
    birth_date: SaneDate | None = None
    citizenships: list[str] = Field(default_factory=list, max_length=5)
    education: list[Education] = Field(default_factory=list, max_length=MAX_ITEMS)
    language_tests: list[LanguageTest] = Field(default_factory=list, max_length=MAX_ITEMS)
    work_history: list[Work] = Field(default_factory=list, max_length=MAX_ITEMS)
    status_in_canada: StatusInCanada | None = None

    @field_validator("citizenships")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return [_country(v) for v in values]


class Preferences(_Strict):
    """What the person wants from a plan."""

    provinces: list[Province] = Field(
        default_factory=list,
        description="Every province or territory you would live in. When given, plans use only these (a provincial "
        "nominee must intend to live in the nominating province, a Quebec-selected worker in Quebec, "
        "and federal Express Entry applicants outside Quebec). When empty, your job offer's province "
        "and the province you live in now count as your intent; with neither, plans say which "
        "province they assume.",
    )
    horizon_months: int = Field(default=60, ge=1, le=240, strict=True)
    objective: Literal["fastest", "probable", "cheapest"] | None = None
    max_cost_cad: float | None = Field(default=None, ge=0, le=1_000_000_000)


class Profile(_Strict):
    """A person's situation.  See ``planner schema`` for the JSON Schema."""

    name: str | None = None
    birth_date: SaneDate
    citizenships: list[str] = Field(min_length=1, max_length=5)
    marital_status: Literal["single", "married", "common_law", "divorced", "separated", "widowed"] = "single"
    first_official_language: Literal["en", "fr"] | None = None
    education: list[Education] = Field(default_factory=list, max_length=MAX_ITEMS)
    language_tests: list[LanguageTest] = Field(default_factory=list, max_length=MAX_ITEMS)
    work_history: list[Work] = Field(default_factory=list, max_length=MAX_ITEMS)
    status_in_canada: StatusInCanada = Field(default_factory=StatusInCanada)
    job_offer: JobOffer | None = None
    sibling_in_canada: StrictBool = False
    relative_in_canada: StrictBool = Field(
        default=False,
        description="A parent, grandparent, child, grandchild, sibling, aunt/uncle or niece/nephew who is a citizen/PR living in Canada.",
    )
    dependent_children: int = Field(default=0, ge=0, le=20, strict=True)
    settlement_funds_cad: float = Field(default=0, ge=0, le=1_000_000_000_000)
    trade_certificate: TradeCertificate | None = None
    provincial_nomination: Nomination | None = None
    iec_participations: int = Field(
        default=0,
        ge=0,
        le=10,
        strict=True,
        description="How many times you have taken part in International Experience Canada.",
    )
    spouse: Spouse | None = None
    preferences: Preferences = Field(default_factory=Preferences)

    @field_validator("citizenships")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return [_country(v) for v in values]

    @model_validator(mode="after")
    def _spouse_matches_status(self):
        partnered = self.marital_status in ("married", "common_law")
        if partnered and self.spouse is None:
            raise ValueError(
                f"marital_status is '{self.marital_status}' but there is no 'spouse'; add a spouse "
                'object (at least {"accompanying": true|false}) or change marital_status'
            )
        if not partnered and self.spouse is not None:
            raise ValueError(
                f"marital_status is '{self.marital_status}' but a 'spouse' is given; "
                "use 'married' or 'common_law', or remove 'spouse'"
            )
        return self

    @property
    def has_scoring_spouse(self) -> bool:
        """True when CRS scores the person 'with spouse': accompanying and not a citizen/PR."""
        return self.spouse is not None and self.spouse.accompanying and not self.spouse.canadian_citizen_or_pr

    @property
    def family_size(self) -> int:
        """Family members counted for proof of funds: the person, a spouse (even if not accompanying), children."""
        return 1 + (1 if self.spouse is not None else 0) + self.dependent_children


# --- reading and checking a profile ---------------------------------------------------------


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """Return the pydantic model class that owns the last key of ``loc`` (for did-you-mean hints)."""
    current: object = Profile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        current = _unwrap(annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: object) -> object:
    """Strip Optional[...] and list[...] to reach a model class."""
    for _ in range(4):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if not args:
            break
        annotation = args[0]
    return annotation


_FIX_BY_TYPE = {
    "missing": "add this field",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD, e.g. 2024-08-31",
    "date_parsing": "write the date as YYYY-MM-DD, e.g. 2024-08-31",
    "date_type": "write the date as a string YYYY-MM-DD",
    "literal_error": "use one of the values listed above",
    "bool_type": "use true or false",
    "bool_parsing": "use true or false",
    "int_type": "use a whole number without quotes, e.g. 2",
    "int_parsing": "use a whole number without quotes, e.g. 2",
    "int_from_float": "use a whole number, e.g. 2",
    "float_type": "use a number without quotes, e.g. 37.5",
    "float_parsing": "use a number without quotes, e.g. 37.5",
    "string_type": "use a text value in double quotes",
    "list_type": "use a JSON list: [...]",
    "model_type": "use a JSON object: {...}",
    "model_attributes_type": "use a JSON object: {...}",
    "dict_type": "use a JSON object: {...}",
    "too_short": "add at least {min_length} item(s)",
    "too_long": "keep at most {max_length} item(s)",
    "greater_than": "use a number greater than {gt}",
    "greater_than_equal": "use a number of at least {ge}",
    "less_than": "use a number less than {lt}",
    "less_than_equal": "use a number of at most {le}",
}
_FIX_BY_FIELD = {
    "end": "set 'end' on or after 'start' (or null for a job you still hold)",
}
_DEFAULT_FIX = "run 'planner schema' to see what this field accepts"


def _fix_for(item: dict) -> str:
    """A fix hint for one pydantic error item (never empty)."""
    template = _FIX_BY_TYPE.get(item["type"])
    if template is None and item["loc"] and item["loc"][-1] in _FIX_BY_FIELD:
        return _FIX_BY_FIELD[item["loc"][-1]]
    if template is None:
        return _DEFAULT_FIX
    try:
        ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (item.get("ctx") or {}).items()}
        return template.format(**ctx)
    except (KeyError, IndexError):
        return _DEFAULT_FIX


def _problem_from(item: dict, source: str) -> ProfileError:
    loc = tuple(item["loc"])
    field = format_loc(loc) or "(top level)"
    message = item["msg"]
    hint = _fix_for(item)
    if item["type"] == "extra_forbidden":
        owner = _model_at(loc)
        key = str(loc[-1])
        message = f"unknown field '{key}'"
        if owner is not None:
            close = difflib.get_close_matches(key, _field_names(owner), n=3, cutoff=0.6)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else f"allowed fields here: {', '.join(_field_names(owner))}"
            )
    elif item["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    return ProfileError(message, file=source, field=field, hint=hint)


def parse_profile(data: object, source: str = "profile") -> Profile:
    """Validate already-parsed JSON data as a :class:`Profile`; raise one ProfileError listing every problem."""
    if not isinstance(data, dict):
        raise ProfileError(
            "the profile must be a JSON object ({...})",
            file=source,
            field="(top level)",
            hint="see examples/profiles/ or run 'planner schema'",
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        # unknown keys first: a misspelt key usually also causes the "missing" error for its right name
        items = sorted(error.errors(), key=lambda item: item["type"] != "extra_forbidden")
        problems = [_problem_from(item, source) for item in items]
        first, rest = problems[0], problems[1:]
        raise ProfileError(first.message, file=first.file, field=first.field, hint=first.hint, problems=rest) from None


MAX_PROFILE_BYTES = 1_000_000
"""The largest profile file read (a real profile is a few kilobytes)."""

STDIN = "-"
"""The profile path that means "read standard input"."""


def load_profile(path: str | Path) -> Profile:
    """Read a profile JSON file (``-``: standard input); malformed JSON and schema errors become :class:`ProfileError`."""
    source = str(path)
    text = _read_text(source)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ProfileError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            file=source,
            hint="fix the JSON syntax (a trailing comma or missing quote is common)",
        ) from None
    except _DuplicateKey as error:
        raise ProfileError(
            f"the key '{error.key}' appears twice in the same object (only the last would be kept)",
            file=source,
            field=error.key,
            hint="keep one of the two; each key may appear once",
        ) from None
    except RecursionError:
        raise ProfileError(
            "the JSON is nested too deeply to be a profile",
            file=source,
            hint="a profile nests objects a few levels deep; see examples/profiles/",
        ) from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise ProfileError(
            f"not a usable JSON value: {error}", file=source, hint="write numbers as ordinary numbers (e.g. 40 or 37.5)"
        ) from None
    return parse_profile(data, source=source)


def _read_text(source: str) -> str:
    """The text of a profile file or of standard input, refusing what cannot be a profile before reading it all."""
    if source == STDIN:
        raw = sys.stdin.buffer.read(MAX_PROFILE_BYTES + 1)
    else:
        path = Path(source)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise ProfileError("file not found", file=source, hint="check the path") from None
        except OSError as error:
            raise ProfileError(f"cannot read the file: {error.strerror}", file=source, hint="check the path") from None
        if not stat.S_ISREG(info.st_mode):
            raise ProfileError(
                "not a regular file (a directory, device or pipe)",
                file=source,
                hint="give the path of a profile .json file, or - to read standard input",
            )
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_PROFILE_BYTES + 1)
        except OSError as error:
            raise ProfileError(
                f"cannot read the file: {error.strerror}", file=source, hint="check its permissions"
            ) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(
            f"larger than {MAX_PROFILE_BYTES:,} bytes: not a profile",
            file=source,
            hint="a profile is a small JSON object; see examples/profiles/",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProfileError(f"not UTF-8 text (byte {error.start})", file=source, hint="save it as UTF-8 JSON") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """json object hook: a repeated key is an error, never silently overwritten."""
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result
