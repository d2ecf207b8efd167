"""Rule-file fault corpus (issue 16, "Rule files are checked strictly").

Each fault is made in a fresh copy of ``models/`` that ``PLANNER_MODELS_DIR`` points to
(the loaders' caches are cleared before and after).  For a fault the planner reads,
``planner check-models`` must report it on exactly one ERROR entry naming the file and the
key path, and ``planner route`` must refuse with exit 2, naming the file, without a
traceback.  A fault in a file the route does not read (a stray file, a test table the
profile does not use) must still be reported by check-models, and the route is unaffected.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli.main import cli
from planner.rules import loader
from planner.rules.book import RuleBook, use
from planner.rules.parse_cache import CACHE_ENV

AS_OF = "2026-12-03"
REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "examples" / "profiles" / "us-software-engineer.json"
SHIPPED = REPO / "models"

PGWP = "programs/temporary/pgwp.yaml"
CEC = "programs/federal/cec.yaml"
BC = "programs/provincial/bc_skills_immigration.yaml"
GTS = "programs/temporary/gts_category_b.yaml"
CELPIP = "language/celpip_general.yaml"
IEC = "programs/temporary/iec_working_holiday.yaml"


@dataclass(frozen=True)
class Fault:
    """One thing broken in a copy of models/: the file the error must name, a fragment of the key path
    (None when the file as a whole is wrong) and of the message."""

    name: str
    file: str
    field: str | None
    message: str
    breaks: Callable[[Path], None]

    def __str__(self) -> str:
        return self.name


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace the first ``old`` in ``models/<relative>`` by ``new`` (``old`` must be there)."""

    def apply(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write_bytes(relative: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    """Rewrite ``models/<relative>`` as ``change`` of its bytes."""

    def apply(root: Path) -> None:
        path = root / relative
        path.write_bytes(change(path.read_bytes()))

    return apply


def replace_by(relative: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """Delete ``models/<relative>`` and call ``make`` on its path (to put a link or a directory there)."""

    def apply(root: Path) -> None:
        path = root / relative
        path.unlink()
        make(path)

    return apply


def _loop_of_two(path: Path) -> None:
    """``path`` links to a link outside models/ that links back to ``path``."""
    other = path.parents[3] / "elsewhere.yaml"
    os.symlink(path, other)
    os.symlink(other, path)


def _copy(source: str, target: str, *changes: tuple[str, str]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        text = (root / source).read_text(encoding="utf-8")
        for old, new in changes:
            text = text.replace(old, new, 1)
        (root / target).write_text(text, encoding="utf-8")

    return apply


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


PGWP_ALIASES = "aliases: [pgwp, post_graduation_work_permit]"
BC_FIRST_CHANCE = "    2017-05-10:\n      value: 0.5\n"
BC_SELECTION = "value: {series: bc_high_economic_impact, after_invitation: 0.9}"
GTS_PROCESSING = "value: {median_months: 1.0, p80_months: 1.0}"
CEC_OPEN_VALUES = "  values:\n    2015-01-01: {value: true}\nround_types"
CEC_OPEN_REFS = (
    '  references:\n  - title: "IRCC: Canadian Experience Class — who can apply"\n'
    "    href: https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"
    "express-entry/eligibility/canadian-experience-class.html\n  values:\n    2015-01-01: {value: true}"
)
CELPIP_RANGES = "        listening: {min: 0, max: 12, step: 1}\n"

FAULTS = [
    # --- the faults: numbers out of bounds -----------------------------------------------
    Fault(
        "probability is NaN",
        BC,
        "success_probability.values.2017-05-10.value",
        "finite number",
        edit(BC, BC_FIRST_CHANCE, "    2017-05-10:\n      value: .nan\n"),
    ),
    Fault(
        "probability above 1",
        BC,
        "success_probability.values.2017-05-10.value",
        "less than or equal to 1",
        edit(BC, BC_FIRST_CHANCE, "    2017-05-10:\n      value: 1.5\n"),
    ),
    Fault(
        "probability below 0",
        BC,
        "success_probability.values.2017-05-10.value",
        "greater than or equal to 0",
        edit(BC, BC_FIRST_CHANCE, "    2017-05-10:\n      value: -0.5\n"),
    ),
    Fault(
        "chance after invitation above 1",
        BC,
        "selection.values.2025-05-08.value.after_invitation",
        "less than or equal to 1",
        edit(BC, BC_SELECTION, BC_SELECTION.replace("0.9", "1.5")),
    ),
    Fault(
        "chance after invitation is NaN",
        BC,
        "selection.values.2025-05-08.value.after_invitation",
        "finite number",
        edit(BC, BC_SELECTION, BC_SELECTION.replace("0.9", ".nan")),
    ),
    Fault(
        "infinite fee",
        PGWP,
        "fees.values.2024-02-15.value[0].amount_cad",
        "finite number",
        edit(PGWP, "amount_cad: 155}", "amount_cad: .inf}"),
    ),
    Fault(
        "negative fee",
        PGWP,
        "fees.values.2024-02-15.value[0].amount_cad",
        "greater than or equal to 0",
        edit(PGWP, "amount_cad: 155}", "amount_cad: -155}"),
    ),
    Fault(
        "infinite processing time",
        GTS,
        "processing.values.2017-06-12.value.p80_months",
        "finite number",
        edit(GTS, GTS_PROCESSING, "value: {median_months: 1.0, p80_months: .inf}"),
    ),
    Fault(
        "p80 below the median",
        GTS,
        "processing.values.2017-06-12.value",
        "below median_months",
        edit(GTS, GTS_PROCESSING, "value: {median_months: 1.0, p80_months: 0.5}"),
    ),
    Fault(
        "negative processing time",
        GTS,
        "processing.values.2017-06-12.value.median_months",
        "greater than or equal to 0",
        edit(GTS, GTS_PROCESSING, "value: {median_months: -1, p80_months: 1.0}"),
    ),
    Fault(
        "minimum route probability above 1",
        "planning.yaml",
        "min_route_probability.values.2015-01-01.value",
        "less than or equal to 1",
        edit("planning.yaml", "      value: 0.5\n", "      value: 1.5\n"),
    ),
    Fault(
        "renewals applied for 0 months ahead",
        "federal/status.yaml",
        "renewal_lead_months.values.2002-06-28.value",
        "greater than or equal to 1",
        edit("federal/status.yaml", "      value: 1\n", "      value: 0\n"),
    ),
    Fault(
        "language results valid 0 years",
        "language/validity.yaml",
        "validity_years.values.2015-01-01.value",
        "greater than or equal to 1",
        edit("language/validity.yaml", "2015-01-01: {value: 2}", "2015-01-01: {value: 0}"),
    ),
    Fault(
        "permit of 0 months",
        PGWP,
        "grants.values.2024-02-15.value.max_months",
        "greater than or equal to 1",
        edit(PGWP, "        max_months: 36\n", "        max_months: 0\n"),
    ),
    Fault(
        "infinite planning probability",
        "planning.yaml",
        "min_route_probability.values.2015-01-01.value",
        "finite number",
        edit("planning.yaml", "      value: 0.5\n", "      value: .inf\n"),
    ),
    Fault(
        "infinite CRS points",
        "crs/core.yaml",
        "value[0].with_spouse",
        "finite number",
        edit("crs/core.yaml", "{min_age: 0, with_spouse: 0,", "{min_age: 0, with_spouse: .inf,"),
    ),
    Fault(
        "NaN wage floor in a draw",
        "rounds/provincial_draws.yaml",
        "min_hourly_wage",
        "finite number",
        edit("rounds/provincial_draws.yaml", "min_hourly_wage: 105,", "min_hourly_wage: .nan,"),
    ),
    Fault("CLB level 13", CELPIP, "table.values", "less than or equal to 12", edit(CELPIP, "{clb: 10,", "{clb: 13,")),
    Fault(
        "score step of 0",
        CELPIP,
        "score_ranges.values.2015-01-01.value.listening.step",
        "greater than 0",
        edit(CELPIP, CELPIP_RANGES, "        listening: {min: 0, max: 12, step: 0}\n"),
    ),
    Fault(
        "score range upside down",
        CELPIP,
        "score_ranges.values.2015-01-01.value.listening",
        "below min",
        edit(CELPIP, CELPIP_RANGES, "        listening: {min: 12, max: 0, step: 1}\n"),
    ),
    Fault(
        "permit of 0 months for a citizenship",
        IEC,
        "months_by_citizenship.AD",
        "greater than or equal to 1",
        edit(IEC, "AD: 12, AT: 12", "AD: 0, AT: 12"),
    ),
    Fault(
        "score range for an ability missing",
        CELPIP,
        "score_ranges",
        "none for listening",
        edit(CELPIP, CELPIP_RANGES, ""),
    ),
    # --- the faults: files --------------------------------------------------------------
    Fault(
        "symlink loop",
        PGWP,
        None,
        "symbolic link that leads back to itself",
        replace_by(PGWP, lambda path: os.symlink(path.name, path)),
    ),
    Fault(
        "symlink loop of two links",
        PGWP,
        None,
        "symbolic link that leads back to itself",
        replace_by(PGWP, _loop_of_two),
    ),
    Fault(
        "symlink to nothing",
        CEC,
        None,
        "a symbolic link to nothing",
        replace_by(CEC, lambda path: os.symlink("gone.yaml", path)),
    ),
    Fault(
        "directory in place of a rule file",
        "crs/core.yaml",
        None,
        "a directory, not a file",
        replace_by("crs/core.yaml", lambda path: path.mkdir()),
    ),
    Fault(
        "directory named like a program file",
        "programs/temporary/extra.yaml",
        None,
        "",
        lambda root: (root / "programs/temporary/extra.yaml").mkdir(),
    ),
    Fault(
        "deleted program file",
        CEC,
        None,
        "listed in models/manifest.yaml but missing",
        lambda root: (root / CEC).unlink(),
    ),
    Fault(
        "stray .yml program file",
        "programs/federal/cec.yml",
        None,
        "",
        lambda root: shutil.copy(root / CEC, root / "programs/federal/cec.yml"),
    ),
    Fault(
        "program file not in the manifest",
        "programs/federal/cec2.yaml",
        None,
        "not listed in models/manifest.yaml",
        _copy(
            CEC,
            "programs/federal/cec2.yaml",
            ("id: federal.express_entry.cec", "id: federal.express_entry.cec2"),
            ("aliases: [cec]", "aliases: [cec2]"),
        ),
    ),
    Fault(
        "duplicate alias",
        PGWP,
        "aliases[2]",
        "programs/federal/cec.yaml",
        edit(PGWP, PGWP_ALIASES, "aliases: [pgwp, post_graduation_work_permit, cec]"),
    ),
    Fault(
        "alias equal to another program's id",
        PGWP,
        "aliases[2]",
        "is also the id of federal.express_entry.cec",
        edit(PGWP, PGWP_ALIASES, "aliases: [pgwp, post_graduation_work_permit, federal.express_entry.cec]"),
    ),
    Fault(
        "duplicate program id",
        PGWP,
        "id",
        "cec.yaml",
        edit(PGWP, "id: temporary.pgwp\n", "id: federal.express_entry.cec\n"),
    ),
    # --- schema faults ---------------------------------------------------------------------------
    Fault(
        "wrong type: text for a number",
        PGWP,
        "fees.values.2024-02-15.value[0].amount_cad",
        "valid number",
        edit(PGWP, "amount_cad: 155}", "amount_cad: lots}"),
    ),
    Fault(
        "wrong type: text for a boolean",
        CEC,
        "open.values.2015-01-01.value",
        "valid boolean",
        edit(CEC, "2015-01-01: {value: true}\nround_types", "2015-01-01: {value: maybe}\nround_types"),
    ),
    Fault(
        "wrong type: mapping for a list", PGWP, "aliases", "valid list", edit(PGWP, PGWP_ALIASES, "aliases: {pgwp: 1}")
    ),
    Fault("bad alias", PGWP, "aliases[0]", "should match pattern", edit(PGWP, PGWP_ALIASES, "aliases: [PGWP!]")),
    Fault(
        "bad program id", PGWP, "id", "should match pattern", edit(PGWP, "id: temporary.pgwp\n", "id: Temporary PGWP\n")
    ),
    Fault(
        "unknown top-level key",
        PGWP,
        "lmia_requried",
        "unknown key",
        edit(PGWP, "lmia_required: false\n", "lmia_requried: false\n"),
    ),
    Fault(
        "unknown nested key",
        PGWP,
        "fees.values.2024-02-15.value[0].amount",
        "unknown key",
        edit(PGWP, "amount_cad: 155}", "amount_cad: 155, amount: 155}"),
    ),
    Fault(
        "missing required key",
        PGWP,
        "label",
        "Field required",
        edit(PGWP, "label: Post-graduation work permit (PGWP)\n", ""),
    ),
    Fault(
        "fee charged per family",
        PGWP,
        "fees.values.2024-02-15.value[0].per",
        "'application'",
        edit(PGWP, "amount_cad: 155}", "amount_cad: 155, per: family}"),
    ),
    Fault(
        "dates out of order",
        BC,
        "success_probability",
        "oldest first",
        edit(BC, "    2025-01-01:\n      value: 0.05\n", "    2016-01-01:\n      value: 0.05\n"),
    ),
    Fault(
        "impossible date key",
        PGWP,
        "success_probability.values.2024-02-30",
        "not a valid date",
        edit(PGWP, "    2024-02-15:\n      value: 0.85\n", "    2024-02-30:\n      value: 0.85\n"),
    ),
    Fault(
        "last_verified not a date",
        CEC,
        "last_verified",
        "date",
        edit(CEC, "last_verified: 2026-12-03", "last_verified: lately"),
    ),
    Fault(
        "duplicate key",
        PGWP,
        "lmia_required",
        "duplicate key",
        edit(PGWP, "lmia_required: false\n", "lmia_required: false\nlmia_required: true\n"),
    ),
    Fault(
        "duplicate requirement id",
        CEC,
        "(top level)",
        "used twice",
        edit(
            CEC,
            "  - id: canadian_experience_and_language\n",
            "  - id: canadian_experience_and_language\n    kind: manual_check\n    label: x\n    description: x\n"
            "    references: [{title: t, href: 'https://example.org'}]\n    values: {2015-01-01: {value: {check: x}}}\n"
            "  - id: canadian_experience_and_language\n",
        ),
    ),
    Fault(
        "requirement kind that does not exist",
        PGWP,
        "requirements[0]",
        "does not match any of the expected tags",
        edit(PGWP, "    kind: canadian_credential\n", "    kind: canadian_credentials\n"),
    ),
    Fault(
        "unknown requirement parameter",
        PGWP,
        "requirements[0].canadian_credential",
        "unknown key",
        edit(
            PGWP,
            "{min_program_months: 8, completed_within_months: 6}",
            "{min_program_months: 8, completed_within_month: 6}",
        ),
    ),
    Fault(
        "transition to an unknown status",
        PGWP,
        "transitions[0]",
        "unknown status 'pgwp_holders'",
        edit(PGWP, "to: pgwp_holder, step: apply_permit", "to: pgwp_holders, step: apply_permit"),
    ),
    Fault(
        "grant of an unknown status",
        PGWP,
        "grants.values.2024-02-15.value.status",
        "unknown status",
        edit(PGWP, "        status: pgwp_holder\n", "        status: pgwp_holders\n"),
    ),
    Fault(
        "transition step that does not exist",
        CEC,
        "transitions[0].step",
        "Input should be",
        edit(CEC, "step: enter_pool", "step: enter_the_pool"),
    ),
    Fault(
        "selection naming an unknown draw series",
        BC,
        "selection.values.2025-05-08.value.series",
        "unknown draw series 'bc_tech'",
        edit(BC, BC_SELECTION, BC_SELECTION.replace("bc_high_economic_impact", "bc_tech")),
    ),
    Fault(
        "bridging permit naming no program",
        "federal/status.yaml",
        "bridging_permit.values.2012-12-15.value",
        "unknown program",
        edit(
            "federal/status.yaml", "{value: temporary.bridging_open_work_permit}", "{value: temporary.bridging_permit}"
        ),
    ),
    Fault(
        "status of an unknown kind",
        "graph/statuses.yaml",
        "statuses.worker.kind",
        "Input should be",
        edit("graph/statuses.yaml", "kind: temporary, works_in_canada: true}", "kind: temp, works_in_canada: true}"),
    ),
    Fault(
        "missing reference",
        CEC,
        "open.references",
        "at least 1 item",
        edit(CEC, CEC_OPEN_REFS, "  references: []\n  values:\n    2015-01-01: {value: true}"),
    ),
    Fault(
        "reference without a URL",
        CEC,
        "open.references[0].href",
        "full URL",
        edit(
            CEC,
            "    href: https://www.canada.ca/en/immigration-refugees-citizenship/services/immigrate-canada/"
            "express-entry/eligibility/canadian-experience-class.html\n  values:",
            "    href: canada.ca\n  values:",
        ),
    ),
    Fault(
        "certainty without doubt",
        PGWP,
        "spouse_open_work_permit.values.2025-01-21",
        "needs a 'doubt'",
        edit(PGWP, "    2025-01-21:\n", "    2025-01-21:\n      certainty: single_source\n"),
    ),
    Fault(
        "certainty that does not exist",
        PGWP,
        "success_probability.values.2024-02-15.certainty",
        "Input should be",
        edit(PGWP, "      value: 0.85\n      certainty: uncertain\n", "      value: 0.85\n      certainty: likely\n"),
    ),
    Fault(
        "empty values map",
        CEC,
        "open.values",
        "at least 1 item",
        edit(CEC, CEC_OPEN_VALUES, "  values: {}\nround_types"),
    ),
    Fault(
        "null where a value is required",
        GTS,
        "processing.values.2017-06-12.value",
        "valid dictionary",
        edit(GTS, GTS_PROCESSING, "value: null"),
    ),
    Fault("empty language table", CELPIP, "table.values", "at least 1 item", lambda root: _empty_table(root / CELPIP)),
    Fault(
        "NOC with a text TEER",
        "noc/noc2021.yaml",
        "21231",
        "valid integer",
        edit(
            "noc/noc2021.yaml",
            '"21231": {title: "Software engineers and designers", teer: 1}',
            '"21231": {title: "Software engineers and designers", teer: one}',
        ),
    ),
    Fault(
        "history round with a text cutoff",
        "rounds/history.yaml",
        "rounds[0].cutoff",
        "valid integer",
        edit("rounds/history.yaml", "    cutoff: 886\n", "    cutoff: high\n"),
    ),
    # --- bytes and syntax --------------------------------------------------------------------------
    Fault(
        "non-UTF-8 bytes",
        CEC,
        None,
        "not UTF-8",
        write_bytes(CEC, lambda raw: raw.replace(b"who can apply", b"who can \xe9", 1)),
    ),
    Fault("byte-order mark", PGWP, None, "byte-order mark", write_bytes(PGWP, lambda raw: b"\xef\xbb\xbf" + raw)),
    Fault(
        "tab indentation",
        "crs/spouse.yaml",
        None,
        "not valid YAML",
        edit("crs/spouse.yaml", "  description: Points for the spouse", "\tdescription: Points for the spouse"),
    ),
    Fault(
        "unclosed bracket",
        PGWP,
        None,
        "not valid YAML",
        edit(PGWP, PGWP_ALIASES, "aliases: [pgwp, post_graduation_work_permit"),
    ),
    Fault(
        "undefined anchor", PGWP, None, "not valid YAML", edit(PGWP, "  references: *refs\n", "  references: *nope\n")
    ),
    Fault(
        "python object tag",
        PGWP,
        None,
        "not valid YAML",
        edit(PGWP, "lmia_required: false\n", "lmia_required: !!python/object/apply:os.getcwd []\n"),
    ),
    Fault(
        "list as a key", PGWP, None, "keys must be plain", edit(PGWP, "lmia_required: false\n", "? [a, b]\n: false\n")
    ),
    Fault(
        "nested too deeply",
        PGWP,
        None,
        "nest",
        edit(PGWP, "lmia_required: false\n", f"lmia_required: {_nested(20000)}\n"),
    ),
    Fault(
        "huge file",
        PGWP,
        None,
        "too large",
        write_bytes(PGWP, lambda raw: raw + b"#" + b"x" * (loader.MAX_FILE_BYTES + 1) + b"\n"),
    ),
    Fault(
        "empty file",
        "federal/fsw_grid.yaml",
        "(top level)",
        "valid dictionary",
        write_bytes("federal/fsw_grid.yaml", lambda raw: b""),
    ),
    Fault(
        "a list, not a mapping",
        "federal/proof_of_funds.yaml",
        "(top level)",
        "valid dictionary",
        write_bytes("federal/proof_of_funds.yaml", lambda raw: b"- one\n- two\n"),
    ),
    # --- the manifest -------------------------------------------------------------------------------
    Fault("manifest deleted", "manifest.yaml", None, "file not found", lambda root: (root / "manifest.yaml").unlink()),
    Fault(
        "manifest path leaving models/",
        "manifest.yaml",
        "files",
        "not a path inside models/",
        edit("manifest.yaml", "  - crs/additional.yaml\n", "  - crs/additional.yaml\n  - ../secrets.yaml\n"),
    ),
    Fault(
        "manifest lists a file twice",
        "manifest.yaml",
        None,
        "listed more than once",
        edit("manifest.yaml", "  - crs/additional.yaml\n", "  - crs/additional.yaml\n  - crs/additional.yaml\n"),
    ),
    # --- rule knowledge kept in models/ (issue 18) --------------------------------------------------
    Fault(
        "Express Entry-linked program without its round types",
        "programs/provincial/bc_express_entry_bc.yaml",
        "(top level)",
        "must list the round types",
        edit("programs/provincial/bc_express_entry_bc.yaml", "round_types: [pnp]\n", ""),
    ),
    Fault(
        "a round type without a label",
        "rounds/round_names.yaml",
        "(top level)",
        "no label for round type(s) stem",
        edit("rounds/round_names.yaml", "  stem: STEM occupations\n", ""),
    ),
    Fault(
        "a jurisdiction that is not Canada or a province",
        "programs/provincial/bc_express_entry_bc.yaml",
        "jurisdiction",
        "Input should be",
        edit("programs/provincial/bc_express_entry_bc.yaml", "jurisdiction: BC", "jurisdiction: British Columbia"),
    ),
]

ROUTE_UNAFFECTED = [
    # files the route does not read: check-models reports them; a plan for this profile is still made
    Fault(
        "stray text file",
        "crs/notes.txt",
        None,
        "no schema reads this file",
        lambda root: (root / "crs/notes.txt").write_text("notes\n"),
    ),
    Fault(
        "stray hidden file",
        ".DS_Store",
        None,
        "no schema reads this file",
        lambda root: (root / ".DS_Store").write_bytes(b"\0"),
    ),
    Fault(
        "stray .yml rule file",
        "language/ielts_general.yml",
        None,
        "did you mean language/ielts_general.yaml?",
        lambda root: shutil.copy(root / "language/ielts_general.yaml", root / "language/ielts_general.yml"),
    ),
    Fault("listed document missing", "README.md", None, "missing", lambda root: (root / "README.md").unlink()),
    Fault(
        "rule file the profile does not use",
        "language/ielts_general.yaml",
        "table.values.2015-01-01.value[0].clb",
        "less than or equal to 12",
        edit("language/ielts_general.yaml", "{clb: 10,", "{clb: 14,"),
    ),
    Fault(
        "listed file no schema reads",
        "crs/extra.yaml",
        None,
        "no schema reads this file",
        lambda root: _list_extra(root),
    ),
]


def _empty_table(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index("table:")
    values = text.index("    2015-01-01:\n", start)
    path.write_text(text[:values] + "    2015-01-01: {value: []}\n", encoding="utf-8")


def _list_extra(root: Path) -> None:
    (root / "crs/extra.yaml").write_text("description: x\nlast_verified: 2026-12-03\n", encoding="utf-8")
    edit("manifest.yaml", "  - crs/additional.yaml\n", "  - crs/additional.yaml\n  - crs/extra.yaml\n")(root)


# --- running the CLI on a broken copy --------------------------------------------------------------


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A copy of the shipped models/ that PLANNER_MODELS_DIR points to.

    The copy's parses are cached in the test's own directory (a small cache is quick to update).
    """
    target = tmp_path / "models"
    shutil.copytree(SHIPPED, target, symlinks=True)
    monkeypatch.setenv(loader.MODELS_ENV, str(target))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "parse-cache"))
    return target


def invoke(*args: str):
    """Run the CLI on a new RuleBook over the copy, which reads the files as the fault left them."""
    with use(RuleBook(os.environ[loader.MODELS_ENV])):
        return CliRunner().invoke(cli, list(args))


def check_models():
    return invoke("check-models", "--as-of", AS_OF)


def route():
    return invoke("route", str(PROFILE), "--as-of", AS_OF)


def entries(output: str) -> list[str]:
    """check-models output split into one entry per file (an ERROR entry spans its continuation lines)."""
    found: list[str] = []
    for line in output.splitlines():
        if line.startswith((" ", "\t")) and found:
            found[-1] += "\n" + line
        else:
            found.append(line)
    return found


def assert_reported_once(result, path: Path, fault: Fault) -> None:
    """check-models exits 2 and reports ``fault`` on exactly one ERROR entry for its file."""
    output = result.output
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    reported = [entry for entry in entries(output) if entry.startswith(f"ERROR {path}:")]
    assert len(reported) == 1, output
    if fault.field:
        assert fault.field in reported[0], reported[0]
    assert fault.message in reported[0], reported[0]


def assert_refused(result, path: Path, fault: Fault) -> None:
    """The command exits 2 with a message naming the file (and key path), without a traceback."""
    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert str(path) in output, output
    if fault.field:
        assert fault.field in output, output
    assert fault.message in output, output


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_fault_is_reported_and_refused(models_copy, fault):
    fault.breaks(models_copy)
    path = models_copy / fault.file
    assert_reported_once(check_models(), path, fault)
    assert_refused(route(), path, fault)


@pytest.mark.parametrize("fault", ROUTE_UNAFFECTED, ids=str)
def test_fault_in_a_file_the_route_does_not_read(models_copy, fault):
    fault.breaks(models_copy)
    assert_reported_once(check_models(), models_copy / fault.file, fault)
    assert route().exit_code == 0


def test_the_corpus_is_large_enough():
    assert len(FAULTS) + len(ROUTE_UNAFFECTED) >= 40
    assert len({fault.name for fault in FAULTS + ROUTE_UNAFFECTED}) == len(FAULTS) + len(ROUTE_UNAFFECTED)


def test_the_unbroken_copy_passes(models_copy):
    result = check_models()
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output
    assert route().exit_code == 0


def test_duplicate_alias_does_not_evaluate_another_program(models_copy, tmp_path):
    """A second program aliased 'cec' is refused, so 'eligibility --program cec' never evaluates the PGWP."""
    edit(PGWP, PGWP_ALIASES, "aliases: [pgwp, post_graduation_work_permit, cec]")(models_copy)
    result = invoke("eligibility", str(PROFILE), "--as-of", AS_OF, "--program", "cec")
    assert result.exit_code == 2, result.output
    assert str(models_copy / PGWP) in result.output and str(models_copy / CEC) in result.output


def test_every_broken_file_is_reported_once(models_copy):
    """Three broken files (a program, the statuses it names, another program): three ERROR entries, one each."""
    edit(PGWP, "amount_cad: 155}", "amount_cad: -1}")(models_copy)
    edit(CEC, "step: enter_pool", "step: enter_the_pool")(models_copy)
    edit("graph/statuses.yaml", "kind: temporary, works_in_canada: true}", "kind: temp, works_in_canada: true}")(
        models_copy
    )
    result = check_models()
    errors = [entry for entry in entries(result.output) if entry.startswith("ERROR")]
    assert sorted(entry.split(":")[0] for entry in errors) == sorted(
        f"ERROR {models_copy / name}" for name in (PGWP, CEC, "graph/statuses.yaml")
    ), result.output
    assert "3 error(s)" in result.output


def test_manifest_lists_every_shipped_file():
    """Every file under models/ (but the manifest) is listed, and every listed file is there."""
    manifest = RuleBook(SHIPPED).manifest()
    assert sorted([*manifest.files, *manifest.documents]) == [
        name for name in loader.model_files(SHIPPED) if name != loader.MANIFEST
    ]


def test_a_file_whose_check_needs_a_broken_file_is_skipped(models_copy):
    """The rounds history is checked against the CRS maximum: with crs/core.yaml broken, only core.yaml is an error."""
    edit("crs/core.yaml", "{min_age: 0, with_spouse: 0,", "{min_age: 0, with_spouse: .nan,")(models_copy)
    result = check_models()
    assert "skip  rounds/history.yaml: not checked: it needs crs/core.yaml, which is broken" in result.output
    assert "1 error(s)" in result.output, result.output
