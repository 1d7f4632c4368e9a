"""Territories, QPV and the council's règlement settings (defaults from the spec)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from domain.errors import FieldError, InvalidInput
from domain.i18n import _

REGIMES = ("2014", "2024")
QUORUM_RULES = ("majorite", "tiers", "aucun")

# 2024 generation: QN + département (3 chars, 02A/02B for Corsica) + 2 digits + a letter
# (e.g. QN03701M); the 2015 generation: QP + département + 3 digits (e.g. QP037005).
_QPV_2024 = re.compile(r"^QN(\d{3}|02[AB])\d{2}[A-Z]$")
_QPV_2015 = re.compile(r"^QP(\d{3}|02[AB])\d{3}$")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# Metropolitan départements 01–95 (Corsica as 2A/2B) and the overseas ones 971–976.
_DEPT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")
_SIREN = re.compile(r"^\d{9}$")


def normalise_key(text: str) -> str:
    """Case-, accent- and space-insensitive key for uniqueness of names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").replace("'", " ").split())


def parse_qpv_code(raw: str) -> tuple[str, str]:
    """Return (code, département) or raise InvalidInput naming the field."""
    code = (raw or "").strip().upper()
    m = _QPV_2024.match(code) or _QPV_2015.match(code)
    if not m:
        raise InvalidInput(
            _(
                "Code QPV « {code} » invalide : attendu QN suivi du département sur trois "
                "caractères, de deux chiffres et d'une lettre (ex. QN03701M), ou l'ancien "
                "format QP suivi de six caractères (ex. QP037005)."
            ).format(code=raw),
            field="code",
            code="code-qpv-invalide",
        )
    dept = m.group(1)
    return code, dept[1:] if dept.startswith("0") else dept


def normalise_departement(raw: str) -> str:
    d = (raw or "").strip().upper()
    if d.startswith("0") and len(d) == 3:
        d = d[1:]
    if not _DEPT.match(d) or d in ("00", "20"):
        raise InvalidInput(
            _("Département « {d} » invalide (ex. 37, 2A, 974).").format(d=raw),
            field="departement",
            code="departement-invalide",
        )
    return d


def check_communes(communes: list[dict[str, Any]], field_name: str = "communes") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    errors: list[FieldError] = []
    for i, c in enumerate(communes):
        insee = str(c.get("insee", "")).strip().upper()
        nom = str(c.get("nom", "")).strip()
        if not _INSEE.match(insee):
            errors.append(FieldError(f"{field_name}[{i}].insee", _("Code INSEE « {c} » invalide (5 caractères, ex. 37261).").format(c=insee)))
        if not nom:
            errors.append(FieldError(f"{field_name}[{i}].nom", _("Nom de commune manquant.")))
        out.append({"insee": insee, "nom": nom})
    if errors:
        raise InvalidInput(errors[0].message, field=errors[0].field, errors=errors)
    return out


def check_siren(raw: str) -> str:
    s = (raw or "").replace(" ", "")
    if s and not _SIREN.match(s):
        raise InvalidInput(_("SIREN « {s} » invalide (9 chiffres).").format(s=raw), field="siren")
    return s


@dataclass(frozen=True)
class CouncilSettings:
    """The règlement intérieur's settings, with the spec's defaults."""

    age_minimum: int = 16
    sieges_habitants: int = 16
    sieges_acteurs: int = 8
    sieges_volontaires: int = 0
    duree_mandat_annees: int = 3
    delai_convocation_jours_francs: int = 5
    quorum: str = "majorite"
    absences_fin_mandat: int = 3
    conservation_jours: int = 183
    delai_reponse_jours: int = 21
    publication_compte_rendu_jours: int = 7
    # Meetings: on a tie the chair's vote decides; suppléants invited with the titulaires.
    voix_preponderante_president: bool = False
    convoquer_suppleants: bool = False

    LABELS: ClassVar[dict[str, str]] = {
        "age_minimum": "Âge minimum des membres",
        "sieges_habitants": "Sièges du collège habitants",
        "sieges_acteurs": "Sièges du collège associations et acteurs locaux",
        "sieges_volontaires": "Sièges habitants réservés aux volontaires",
        "duree_mandat_annees": "Durée du mandat (années)",
        "delai_convocation_jours_francs": "Délai de convocation (jours francs)",
        "quorum": "Règle de quorum",
        "absences_fin_mandat": "Absences consécutives mettant fin au mandat",
        "conservation_jours": "Conservation des données des non-retenus (jours)",
        "delai_reponse_jours": "Délai de réponse aux lettres (jours)",
        "publication_compte_rendu_jours": "Publication du compte rendu (jours après adoption)",
    }

    # Yes/no settings, kept apart from LABELS (whose values are numbers or the quorum).
    BOOL_LABELS: ClassVar[dict[str, str]] = {
        "voix_preponderante_president": "Voix prépondérante du président en cas d'égalité",
        "convoquer_suppleants": "Suppléants convoqués aux réunions",
    }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_BOUNDS: dict[str, tuple[int, int]] = {
    "age_minimum": (12, 120),
    "sieges_habitants": (2, 200),
    "sieges_acteurs": (0, 200),
    "sieges_volontaires": (0, 200),
    "duree_mandat_annees": (1, 10),
    "delai_convocation_jours_francs": (1, 60),
    "absences_fin_mandat": (1, 50),
    "conservation_jours": (1, 3650),
    "delai_reponse_jours": (1, 180),
    "publication_compte_rendu_jours": (0, 90),
}


def build_settings(values: dict[str, Any], base: CouncilSettings | None = None) -> CouncilSettings:
    """Merge ``values`` over ``base`` (or the defaults); every error names its field."""
    base = base or CouncilSettings()
    known = {f.name for f in fields(CouncilSettings)}
    merged = base.as_dict()
    errors: list[FieldError] = []
    for key, raw in values.items():
        if key not in known:
            errors.append(FieldError(key, _("Réglage inconnu : « {k} ».").format(k=key), code="reglage-inconnu"))
            continue
        if key == "quorum":
            if raw not in QUORUM_RULES:
                errors.append(FieldError(key, _("Règle de quorum inconnue : « {v} » (attendu : majorite, tiers ou aucun).").format(v=raw)))
            else:
                merged[key] = raw
            continue
        if key in CouncilSettings.BOOL_LABELS:
            flag = _parse_bool(raw)
            if flag is None:
                errors.append(FieldError(key, _("« {label} » doit valoir oui ou non.").format(label=CouncilSettings.BOOL_LABELS[key])))
            else:
                merged[key] = flag
            continue
        if raw is None or raw == "":
            errors.append(FieldError(key, _("Réglage obligatoire : « {label} ».").format(label=CouncilSettings.LABELS[key]), code="reglage-manquant"))
            continue
        try:
            value = int(raw)
            if isinstance(raw, float) and raw != value:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("« {label} » doit être un nombre entier.").format(label=CouncilSettings.LABELS[key])))
            continue
        lo, hi = _BOUNDS[key]
        if not lo <= value <= hi:
            errors.append(FieldError(key, _("« {label} » doit être compris entre {lo} et {hi}.").format(label=CouncilSettings.LABELS[key], lo=lo, hi=hi)))
            continue
        merged[key] = value
    if not errors and merged["sieges_volontaires"] > merged["sieges_habitants"]:
        errors.append(FieldError("sieges_volontaires", _("Les sièges réservés aux volontaires ne peuvent dépasser les sièges du collège habitants.")))
    if errors:
        first = errors[0]
        raise InvalidInput(first.message, field=first.field, errors=errors,
                           code=None if first.code == "invalide" else first.code)
    return CouncilSettings(**merged)


def _parse_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().casefold()
    if text in ("1", "true", "oui", "on", "vrai"):
        return True
    if text in ("0", "false", "non", "off", "faux", ""):
        return False
    return None


def check_regime(raw: str) -> str:
    if raw not in REGIMES:
        raise InvalidInput(
            _("Régime inconnu : « {r} » (attendu : 2014 ou 2024).").format(r=raw),
            field="regime",
            code="regime-inconnu",
        )
    return raw


def check_name(raw: str, field_name: str = "name", max_len: int = 200) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput(_("Le nom est obligatoire."), field=field_name, code="champ-obligatoire")
    if len(name) > max_len:
        raise InvalidInput(_("Le nom dépasse {n} caractères.").format(n=max_len), field=field_name)
    return name
