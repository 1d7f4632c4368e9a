"""Which column of an imported file holds which value.

A register arrives with its own header ("NomdeNaissance", "Nom de naissance", "NOM
NAISS."…). A :class:`Mapping` binds the canonical fields the import understands to the
column positions of one header. Two presets cover the usual sources (the electoral-list
extract, a social landlord's tenant file); a council that imports hand-typed
spreadsheets saves its own mapping as a plain ``{field: column title}`` dict.

Header titles are compared as keys (case, accents, spaces and punctuation ignored), so
"N° logement", "N°logement" and "NUMERO LOGEMENT"… must still be listed as synonyms
when their *words* differ, but not when only their spelling does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.errors import FieldError, InvalidInput
from domain.i18n import _
from domain.registre.normalise import normalise_texte

__all__ = [
    "CANONICAL_FIELDS",
    "PRESETS",
    "REQUIRED_GROUPS",
    "Mapping",
    "Preset",
    "detect_mapping",
    "field_label",
    "header_key",
]


def N_(message: str) -> str:
    """Mark a string for extraction by pybabel; it is translated where it is shown."""
    return message


NOM_NAISSANCE = "nom_naissance"
NOM_USAGE = "nom_usage"
# A surname of unknown kind (a landlord's "Nom"): the name the person goes by.
NOM = "nom"
PRENOMS = "prenoms"
SEXE = "sexe"
CIVILITE = "civilite"
DATE_NAISSANCE = "date_naissance"
ADRESSE1 = "adresse1"
ADRESSE2 = "adresse2"
NUMERO = "numero"
VOIE = "voie"
COMPLEMENT = "complement"
RESIDENCE = "residence"
BATIMENT = "batiment"
LOGEMENT = "logement"
CODE_POSTAL = "code_postal"
COMMUNE = "commune"
BUREAU_VOTE = "bureau_vote"
# The source's own identifier of the household (a landlord's lease or household number):
# when a row has one, it decides the household (domain/registre/households.py).
FOYER = "foyer"

CANONICAL_FIELDS: tuple[str, ...] = (
    NOM_NAISSANCE, NOM_USAGE, NOM, PRENOMS, SEXE, CIVILITE, DATE_NAISSANCE,
    ADRESSE1, ADRESSE2, NUMERO, VOIE, COMPLEMENT, RESIDENCE, BATIMENT, LOGEMENT,
    CODE_POSTAL, COMMUNE, BUREAU_VOTE, FOYER,
)

_LABELS: dict[str, str] = {
    NOM_NAISSANCE: N_("nom de naissance"),
    NOM_USAGE: N_("nom d'usage"),
    NOM: N_("nom"),
    PRENOMS: N_("prénoms"),
    SEXE: N_("sexe"),
    CIVILITE: N_("civilité"),
    DATE_NAISSANCE: N_("date de naissance"),
    ADRESSE1: N_("adresse"),
    ADRESSE2: N_("complément d'adresse"),
    NUMERO: N_("numéro de voie"),
    VOIE: N_("voie"),
    COMPLEMENT: N_("complément d'adresse"),
    RESIDENCE: N_("résidence"),
    BATIMENT: N_("bâtiment"),
    LOGEMENT: N_("numéro de logement"),
    CODE_POSTAL: N_("code postal"),
    COMMUNE: N_("commune"),
    BUREAU_VOTE: N_("bureau de vote"),
    FOYER: N_("identifiant du foyer dans ce fichier (référence du bail, numéro de ménage)"),
}


def field_label(name: str) -> str:
    """French label of a canonical field, for messages."""
    return _(_LABELS.get(name, name))


# What any register must provide, whatever its source: one group = at least one of.
REQUIRED_GROUPS: tuple[tuple[str, ...], ...] = (
    (NOM_NAISSANCE, NOM_USAGE, NOM),
    (PRENOMS,),
    (SEXE, CIVILITE),
    (ADRESSE1, VOIE),
)

_NON_ALNUM = re.compile(r"[^A-Z0-9]")


def header_key(title: str) -> str:
    """Key of a column title: "Nom d'usage" and "NomDusage" both give "NOMDUSAGE"."""
    return _NON_ALNUM.sub("", normalise_texte(title))


@dataclass(frozen=True)
class Preset:
    """A known kind of register: the column titles each field goes by."""

    name: str
    label: str
    synonyms: dict[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]
    # Columns we recognise and deliberately leave aside (not reported as unknown).
    ignored: tuple[str, ...] = ()

    def expected_columns(self) -> list[str]:
        """The titles a file must have, as the preset's first synonym of each group."""
        return [_(" ou ").join(self.synonyms[f][0] for f in group if f in self.synonyms)
                for group in self.required]

    def _lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, titles in self.synonyms.items():
            for title in titles:
                table.setdefault(header_key(title), name)
        return table


PRESETS: dict[str, Preset] = {
    "liste_electorale": Preset(
        name="liste_electorale",
        label=N_("extrait de liste électorale"),
        synonyms={
            # Not plain "Nom": in a hand-typed sheet that is the name in use, which the
            # landlord preset binds to ``nom``.
            NOM_NAISSANCE: ("NomdeNaissance", "Nom naissance", "Nom patronymique",
                            "Nom de famille"),
            NOM_USAGE: ("NomDusage", "Nom usage", "Nom marital", "Nom d'épouse"),
            PRENOMS: ("Prenoms", "Prénom", "Prenom(s)"),
            SEXE: ("Sexe", "Genre"),
            DATE_NAISSANCE: ("DateNaissance", "Date de naissance", "Date naiss", "Né le",
                             "Née le", "Né(e) le", "Naissance"),
            ADRESSE1: ("Adresse1", "Adresse", "Adresse ligne 1", "Ligne 1"),
            ADRESSE2: ("Adresse2", "Complément d'adresse", "Adresse ligne 2", "Ligne 2"),
            NUMERO: ("Numéro de voie", "Num voie", "N° voie"),
            VOIE: ("Voie", "Libellé voie", "Rue"),
            COMPLEMENT: ("Complément", "Adresse3", "Adresse ligne 3"),
            CODE_POSTAL: ("CodePostal", "CP"),
            COMMUNE: ("Commune", "Ville", "Localité"),
            BUREAU_VOTE: ("BureauVote", "Bureau de vote", "Bureau", "Num bureau"),
        },
        required=((NOM_NAISSANCE,), (PRENOMS,), (SEXE,), (DATE_NAISSANCE,),
                  (ADRESSE1, VOIE)),
        ignored=("NumeroOrdre", "Numéro d'ordre", "LieuNaissance", "Lieu de naissance",
                 "Département de naissance", "Pays de naissance", "Nationalité",
                 "Identifiant", "Identifiant national électeur", "INE", "Pays"),
    ),
    "bailleur": Preset(
        name="bailleur",
        label=N_("fichier de locataires d'un bailleur"),
        synonyms={
            CIVILITE: ("Civilité", "Titre", "Civ"),
            SEXE: ("Sexe", "Genre"),
            NOM: ("Nom", "Nom du locataire", "Nom locataire", "Nom titulaire",
                  "Nom du titulaire"),
            NOM_NAISSANCE: ("Nom de naissance", "Nom de jeune fille"),
            PRENOMS: ("Prénom", "Prénoms", "Prénom du locataire", "Prénom locataire",
                      "Prénom titulaire"),
            DATE_NAISSANCE: ("Date de naissance", "DateNaissance", "Date naiss", "Né le",
                             "Né(e) le"),
            RESIDENCE: ("Résidence", "Nom résidence", "Groupe", "Programme",
                        "Ensemble immobilier"),
            BATIMENT: ("Bâtiment", "Bât", "Bat.", "Immeuble", "Entrée"),
            LOGEMENT: ("N° logement", "Numéro de logement", "Logement", "Appartement",
                       "N° appartement", "Appt", "Porte"),
            ADRESSE1: ("Adresse", "Adresse du logement", "Adresse1", "Adresse ligne 1"),
            ADRESSE2: ("Adresse2", "Complément d'adresse", "Adresse ligne 2"),
            NUMERO: ("N° voie", "Numéro de voie", "Num voie"),
            VOIE: ("Voie", "Libellé voie", "Rue"),
            CODE_POSTAL: ("Code postal", "CP", "CodePostal"),
            COMMUNE: ("Ville", "Commune", "Localité"),
            FOYER: ("Identifiant foyer", "Identifiant du foyer", "Identifiant de foyer",
                    "Id foyer", "N° foyer", "N° de foyer", "Numéro de foyer", "Numéro foyer",
                    "Foyer", "Code foyer", "Référence bail", "Référence de bail",
                    "Référence du bail", "Réf bail", "N° bail", "N° de bail",
                    "Numéro de bail", "Numéro bail", "Numéro de ménage", "Numéro ménage",
                    "N° ménage", "N° de ménage", "Identifiant ménage", "Identifiant du ménage",
                    "Ménage"),
        },
        required=((CIVILITE, SEXE), (NOM,), (PRENOMS,), (ADRESSE1, VOIE)),
        ignored=("Référence locataire", "Réf locataire", "N° contrat", "Numéro de contrat",
                 "Téléphone", "Tél", "Email", "Courriel", "Date d'entrée", "Typologie",
                 "Type de logement", "Étage", "Escalier"),
    ),
}

_PRESET_LOOKUPS: dict[str, dict[str, str]] = {n: p._lookup() for n, p in PRESETS.items()}
_PRESET_IGNORED: dict[str, frozenset[str]] = {
    n: frozenset(header_key(t) for t in p.ignored) for n, p in PRESETS.items()
}


@dataclass(frozen=True)
class Mapping:
    """Fields bound to the column positions of one header.

    ``to_dict()`` gives the ``{field: column title}`` form a council saves; it is bound
    again to each new file's header with :meth:`from_dict`.
    """

    name: str
    header: tuple[str, ...]
    columns: dict[str, int] = field(default_factory=dict)
    unknown_columns: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        """How many cells each row must have."""
        return len(self.header)

    def index(self, name: str) -> int:
        """Position of a field's column, or -1 when the file does not have it."""
        return self.columns.get(name, -1)

    def to_dict(self) -> dict[str, str]:
        return {name: self.header[i] for name, i in self.columns.items()}

    @classmethod
    def from_dict(
        cls, saved: dict[str, str], header: Sequence[str], name: str = "personnalise"
    ) -> Mapping:
        """Bind a saved ``{field: column title}`` mapping to a file's header.

        Raises ``InvalidInput`` listing every problem: unknown fields, titles missing from
        the file, and required fields the mapping does not provide.
        """
        keys = {header_key(t): i for i, t in reversed(list(enumerate(header)))}
        errors: list[FieldError] = []
        columns: dict[str, int] = {}
        for fname, title in saved.items():
            if fname not in CANONICAL_FIELDS:
                errors.append(FieldError(
                    fname, _("champ inconnu : « %(champ)s »") % {"champ": fname},
                    code="champ-inconnu"))
                continue
            i = keys.get(header_key(title))
            if i is None:
                errors.append(FieldError(
                    fname,
                    _("colonne « %(colonne)s » absente du fichier (%(champ)s)")
                    % {"colonne": title, "champ": field_label(fname)},
                    line=1, code="colonne-absente"))
                continue
            columns[fname] = i
        errors.extend(_missing_groups(columns, REQUIRED_GROUPS))
        if errors:
            raise InvalidInput(
                _("La correspondance des colonnes est incomplète ou incorrecte."),
                code="correspondance-invalide", errors=errors)
        used = set(columns.values())
        unknown = tuple(t for i, t in enumerate(header) if i not in used and t.strip())
        return cls(name=name, header=tuple(header), columns=columns, unknown_columns=unknown)


def _missing_groups(
    columns: dict[str, int], groups: Iterable[tuple[str, ...]]
) -> list[FieldError]:
    return [
        FieldError(
            group[0],
            _("colonne obligatoire absente : %(champs)s")
            % {"champs": _(" ou ").join(field_label(f) for f in group)},
            line=1, code="colonne-obligatoire")
        for group in groups
        if not any(f in columns for f in group)
    ]


def _bind_preset(preset: Preset, header: Sequence[str]) -> Mapping:
    lookup = _PRESET_LOOKUPS[preset.name]
    ignored_keys = _PRESET_IGNORED[preset.name]
    columns: dict[str, int] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    for i, title in enumerate(header):
        key = header_key(title)
        fname = lookup.get(key)
        if fname is not None and fname not in columns:
            columns[fname] = i
        elif key in ignored_keys:
            ignored.append(title)
        elif title.strip():
            # A second column for an already bound field is reported too: silently
            # taking the first of two "Nom" columns would hide a mistake in the file.
            unknown.append(title)
    return Mapping(name=preset.name, header=tuple(header), columns=columns,
                   unknown_columns=tuple(unknown), ignored_columns=tuple(ignored))


def detect_mapping(
    header: Sequence[str], presets: dict[str, Preset] | None = None
) -> Mapping:
    """The preset that recognises ``header`` best.

    A preset qualifies when every required field is found; among those, the one that
    binds the most columns wins (ties go to the first preset). When none qualifies,
    ``InvalidInput`` lists the columns each preset expects, and the ``errors`` name the
    columns missing for the closest one.
    """
    candidates = presets if presets is not None else PRESETS
    best: Mapping | None = None
    closest: tuple[int, Preset, Mapping] | None = None
    for preset in candidates.values():
        bound = _bind_preset(preset, header)
        missing = _missing_groups(bound.columns, preset.required)
        if not missing:
            if best is None or len(bound.columns) > len(best.columns):
                best = bound
        elif closest is None or len(missing) < closest[0]:
            closest = (len(missing), preset, bound)
    if best is not None:
        return best

    expected = {p.name: p.expected_columns() for p in candidates.values()}
    detail = _("En-tête non reconnu. Colonnes attendues : %(attendu)s.") % {
        "attendu": " ; ".join(
            f"{_(p.label)} : {', '.join(expected[p.name])}" for p in candidates.values())
    }
    errors: list[FieldError] = []
    unknown: tuple[str, ...] = tuple(t for t in header if t.strip())
    if closest is not None:
        _count, preset, bound = closest
        errors = _missing_groups(bound.columns, preset.required)
        unknown = bound.unknown_columns
    raise InvalidInput(
        detail,
        code="en-tete-non-reconnu",
        line=1,
        errors=errors,
        extra={"colonnes_attendues": expected, "colonnes_inconnues": list(unknown)},
    )
