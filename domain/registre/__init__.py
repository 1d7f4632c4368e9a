"""Resident registers: import, normalisation, deduplication, eligibility, households.

Standard library only. The pipeline, each step a plain function:

    mapping = detect_mapping(header)                      # mapping.py
    entries, rejections = parse_rows(rows, mapping, "liste_electorale")   # entries.py
    report = deduplicate(electoral + landlord)            # dedup.py
    eligibility = evaluate(report.entries, settings, reference_date)   # eligibility.py
    households = assign_households(eligibility.eligible, salt)         # households.py
"""

from domain.registre.dedup import AmbiguousPair, DedupReport, Merge, deduplicate
from domain.registre.eligibility import (
    EligibilityReport,
    EligibilitySettings,
    IneligibleEntry,
    MemberIdentity,
    evaluate,
    member_identity,
)
from domain.registre.entries import Entry, Rejection, parse_numbered_rows, parse_rows
from domain.registre.exclusions import Exclusion, ExclusionList, parse_exclusions
from domain.registre.households import Households, assign_households, household_key
from domain.registre.mapping import PRESETS, Mapping, detect_mapping
from domain.registre.normalise import Address, Sexe, parse_address, parse_date
from domain.registre.perimeter import Cote, Perimeter, PerimeterRule, parse_perimeter

__all__ = [
    "PRESETS",
    "Address",
    "AmbiguousPair",
    "Cote",
    "DedupReport",
    "EligibilityReport",
    "EligibilitySettings",
    "Entry",
    "Exclusion",
    "ExclusionList",
    "Households",
    "IneligibleEntry",
    "Mapping",
    "MemberIdentity",
    "Merge",
    "Perimeter",
    "PerimeterRule",
    "Rejection",
    "Sexe",
    "assign_households",
    "deduplicate",
    "detect_mapping",
    "evaluate",
    "household_key",
    "member_identity",
    "parse_address",
    "parse_date",
    "parse_exclusions",
    "parse_numbered_rows",
    "parse_perimeter",
    "parse_rows",
]
