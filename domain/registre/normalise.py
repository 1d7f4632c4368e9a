"""Normalisation of register values: names, sex and civility, dates, addresses.

Two forms live side by side: the value *as written* (letters are addressed to people the
way their registers spell them) and a *key* used only for matching (case, accents,
spaces, hyphens and apostrophes removed, street types spelled out).

This is the hot path of a register import (up to a million rows), so the slow Unicode
work must run once per *distinct* string, not once per row: the key functions here are
memoised with bounded ``functools.lru_cache`` (a long-running service must not grow
without limit), and the bulk parser (``entries.py``) calls their ``__wrapped__``
behind per-import memos that are freed with the import. ASCII text, the common case,
is upper-cased and stripped of separators by one ``bytes.translate``.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, TypeVar, cast

from domain.errors import InvalidInput
from domain.i18n import _

__all__ = [
    "Address",
    "Sexe",
    "cle_nom",
    "cle_prenoms",
    "cle_voie",
    "format_date",
    "normalise_texte",
    "parse_address",
    "parse_civilite",
    "parse_complement",
    "parse_date",
    "parse_numero",
    "parse_sexe",
    "premier_prenom",
    "prenoms_compatibles",
]

_CACHE_SIZE = 1 << 17

T = TypeVar("T")


def fast_frozen_constructor(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen slots dataclass, about 5× faster.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``
    (its own ``__setattr__`` refuses): with a dozen fields that is most of the cost of
    building a million register entries. Here a plain slots twin with the very same
    fields is built, then its class is switched to ``cls``; the layouts are identical,
    so the object *is* a ``cls`` instance, frozen from then on. Only for the bulk paths:
    no validation or ``__post_init__`` runs, so ``cls`` must have neither. A frozen
    dataclass without slots gets a twin without slots (same ``__dict__`` layout).
    """
    # Fields with a plain default keep it (the trailing optional fields may be left out).
    names = [(f.name, Any, dataclasses.field(default=f.default))
             if f.default is not dataclasses.MISSING else f.name
             for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    twin = dataclasses.make_dataclass(
        f"_{cls.__name__}Builder", names, slots="__slots__" in vars(cls))

    def build(*values: object) -> T:
        obj = twin(*values)
        obj.__class__ = cls
        return obj  # type: ignore[no-any-return]  # (no cast(): a call per entry)

    return build


# --------------------------------------------------------------------------- text


# Ligatures and letters that NFKD does not decompose into "base letter + accent", and
# the typographic separators of text pasted from word processors ("l’Europe", "N°").
_SPECIAL = str.maketrans(
    {"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l",
     "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "ß": "ss",
     **{c: " " for c in "‐‑‒–—―’‘ʼ´°º«»\u00a0\u202f"}}
)
_SPECIAL_RE = re.compile("[" + "".join(chr(c) for c in _SPECIAL) + "]")

# Everything that separates words without being part of them in a French register:
# hyphens, apostrophes, dots of abbreviations ("Av."), commas, slashes, brackets.
_ASCII_SEPARATORS = "-'.,;:_/\\()\"`\t"
# One 256-byte table upper-cases ASCII letters and blanks separators in a single C
# pass (bytes.translate): about ten times faster than str.translate with a dict.
_ASCII_TABLE = bytes.maketrans(
    b"abcdefghijklmnopqrstuvwxyz" + _ASCII_SEPARATORS.encode(),
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZ" + b" " * len(_ASCII_SEPARATORS),
)
# Fallback for text that stays non-ASCII (other scripts).
_SEPARATORS = str.maketrans({c: " " for c in _ASCII_SEPARATORS})

# After NFKD, anything that is neither ASCII nor a combining accent is a letter of
# another script (or a symbol) that must be kept, not silently dropped: otherwise every
# Arabic or Cyrillic name would normalise to the same empty key.
_NOT_FOLDABLE = re.compile(r"[^\x00-\x7f\u0300-\u036f]")


def _fold(s: str) -> str:
    """Accents off, ligatures spelled out; letters of other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", s)
    if _SPECIAL_RE.search(decomposed):  # after NFKD: "Ǣ" decomposes to "Æ" + macron
        decomposed = decomposed.translate(_SPECIAL)
    if _NOT_FOLDABLE.search(decomposed) is None:
        return decomposed.encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _texte(s: str) -> str:
    if not s.isascii():
        s = _fold(s)
        if not s.isascii():
            return " ".join(s.upper().translate(_SEPARATORS).split())
    return " ".join(s.encode("ascii").translate(_ASCII_TABLE).decode("ascii").split())


# The public key functions are memoised (bounded); their ``__wrapped__`` is the plain
# computation, which a bulk import calls behind its own per-import memo so that a
# million distinct given names do not churn a shared LRU.


@lru_cache(maxsize=_CACHE_SIZE)
def normalise_texte(s: str) -> str:
    """Upper case, no accents, separators turned into single spaces.

    >>> normalise_texte("  Œillets-d'Été ")
    'OEILLETS D ETE'
    """
    return _texte(s)


@lru_cache(maxsize=_CACHE_SIZE)
def cle_nom(s: str) -> str:
    """Matching key of a surname: letters and digits only.

    Spaces go too, because registers disagree on them: "DE OLIVEIRA" / "DEOLIVEIRA",
    "D'ALMEIDA" / "DALMEIDA", "LE GALL" / "LEGALL", "BOUTIN-FISCHER" / "BOUTIN FISCHER".
    """
    return _texte(s).replace(" ", "")


@lru_cache(maxsize=_CACHE_SIZE)
def cle_prenoms(s: str) -> str:
    """Matching key of given names: normalised words separated by one space.

    Words are kept apart (unlike surnames) because registers differ in *how many* given
    names they hold: the electoral list has "Isabelle Bernadette", a landlord "Isabelle".
    """
    return _texte(s)


def premier_prenom(cle: str) -> str:
    """First given name of a ``cle_prenoms`` key (the part every source agrees on)."""
    head, _sep, _rest = cle.partition(" ")
    return head


def prenoms_compatibles(a: str, b: str) -> bool:
    """True when one list of given names (as keys) starts with the other, word by word.

    "ISABELLE" and "ISABELLE BERNADETTE" are compatible; "MARIE ANNE" and "MARIE CLAIRE"
    are not (they are more likely twins than one person).
    """
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) < len(long_) and long_.startswith(short) and long_[len(short)] == " "


# ---------------------------------------------------------------------- sex, civility


class Sexe(StrEnum):
    FEMININ = "F"
    MASCULIN = "M"


_SEXES: dict[str, Sexe] = {
    "F": Sexe.FEMININ, "FEMININ": Sexe.FEMININ, "FEMME": Sexe.FEMININ,
    # INSEE codes: 1 = men, 2 = women (first digit of the NIR).
    "2": Sexe.FEMININ,
    "M": Sexe.MASCULIN, "H": Sexe.MASCULIN, "MASCULIN": Sexe.MASCULIN,
    "HOMME": Sexe.MASCULIN, "1": Sexe.MASCULIN,
}

_CIVILITES: dict[str, Sexe] = {
    "M": Sexe.MASCULIN, "MR": Sexe.MASCULIN, "MONSIEUR": Sexe.MASCULIN,
    "MME": Sexe.FEMININ, "MADAME": Sexe.FEMININ, "MLLE": Sexe.FEMININ,
    "MELLE": Sexe.FEMININ, "MADEMOISELLE": Sexe.FEMININ,
}


def parse_sexe(value: str) -> Sexe | None:
    """``F``/``M`` (also ``H``, ``Féminin``, ``Homme``, INSEE ``1``/``2``); blank → None."""
    raw = value.strip()
    if not raw:
        return None
    sexe = _SEXES.get(normalise_texte(raw))
    if sexe is None:
        raise InvalidInput(
            _("sexe inconnu : « %(valeur)s » (attendu : F ou M)") % {"valeur": raw},
            code="sexe-invalide",
            field="sexe",
        )
    return sexe


def parse_civilite(value: str) -> Sexe | None:
    """Sex from a civility (``M.``, ``M``, ``Monsieur``, ``Mme``, ``MME``, ``Madame``…).

    A civility naming two people ("M. et Mme") is refused: a register row is one person.
    """
    raw = value.strip()
    if not raw:
        return None
    sexe = _CIVILITES.get(normalise_texte(raw))
    if sexe is None:
        raise InvalidInput(
            _("civilité inconnue : « %(valeur)s » (attendu : M., Monsieur, Mme ou Madame)")
            % {"valeur": raw},
            code="civilite-invalide",
            field="civilite",
        )
    return sexe


# -------------------------------------------------------------------------- dates

_DATE_FR = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})", re.ASCII)
# ISO, with the midnight time some spreadsheets append to a date cell.
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?", re.ASCII)
_FIRST_PLAUSIBLE_YEAR = 1900


def parse_date(value: str, field: str = "date_naissance") -> date | None:
    """French ``dd/mm/yyyy`` (also ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ISO.

    Blank gives None. Two-digit years are refused: "01/02/30" could be 1930 or 2030.
    """
    raw = value.strip()
    if not raw:
        return None
    try:
        return _parse_date(raw)
    except InvalidInput as exc:
        exc.field = field
        raise


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_date(raw: str) -> date:
    # Fast path for the overwhelmingly common "dd/mm/yyyy".
    if (len(raw) == 10 and raw[2] == "/" and raw[5] == "/" and raw.isascii()
            and raw[:2].isdigit() and raw[3:5].isdigit() and raw[6:].isdigit()):
        d, m, y = int(raw[:2]), int(raw[3:5]), int(raw[6:])
    elif (fr := _DATE_FR.fullmatch(raw)) is not None:
        d, m, y = int(fr[1]), int(fr[3]), int(fr[4])
    elif (iso := _DATE_ISO.fullmatch(raw)) is not None:
        y, m, d = int(iso[1]), int(iso[2]), int(iso[3])
    else:
        raise InvalidInput(
            _("date invalide : « %(valeur)s » (formats acceptés : jj/mm/aaaa ou aaaa-mm-jj)")
            % {"valeur": raw},
            code="date-invalide",
        )
    try:
        result = date(y, m, d)
    except ValueError:
        raise InvalidInput(
            _("date impossible : le %(jour)02d/%(mois)02d/%(annee)04d n'existe pas")
            % {"jour": d, "mois": m, "annee": y},
            code="date-impossible",
        ) from None
    if y < _FIRST_PLAUSIBLE_YEAR:
        raise InvalidInput(
            _("date invraisemblable : « %(valeur)s » (année antérieure à %(annee)d)")
            % {"valeur": raw, "annee": _FIRST_PLAUSIBLE_YEAR},
            code="date-invraisemblable",
        )
    return result


def format_date(d: date) -> str:
    """``dd/mm/yyyy``, the form French readers expect."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


# ---------------------------------------------------------------------- addresses

# Number at the start of an address line, an optional range end ("12-14", "12 à 14"),
# an optional suffix (bis/ter/quater/quinquies or one letter A–H), then the street.
# The suffix must not be followed by a letter: "12 Bd" is a boulevard, not "12 B" + "d",
# and "3 Terrasse" is not "3 ter" + "rasse".
_APRES_NUMERO = (
    r"\s*(?:(?:-|/|à|a|au)\s*\d{1,5}\s*)?"
    r"(?:(bis|ter|quater|quinquies|[a-h])(?![a-zà-ÿ]))?[\s,]*(.*)"
)
_NUMERO = re.compile(r"\s*(\d{1,5})" + _APRES_NUMERO, re.IGNORECASE | re.DOTALL)
# The same pattern from just after the number. ``_NUMERO`` always succeeds once its
# digits are taken (all that follows is optional), so the greedy ``\d{1,5}`` takes every
# leading digit when there are at most five: matching the rest of a line with this gives
# exactly what ``_NUMERO`` gives for the whole line.
_SUITE_NUMERO = re.compile(_APRES_NUMERO, re.IGNORECASE | re.DOTALL)
_ASCII_DIGITS = "0123456789"

# Street types as abbreviated by people and by the FANTOIR/La Poste lists.
_ABREVIATIONS_VOIE: dict[str, tuple[str, ...]] = {
    "ALLEE": ("ALL", "AL", "ALLEES"),
    "AVENUE": ("AV", "AVE", "AVN", "AVEN", "AVENU"),
    "BOULEVARD": ("BD", "BLD", "BLVD", "BOUL", "BOULV", "BVD"),
    "CARREFOUR": ("CAR", "CARR"),
    "CHAUSSEE": ("CHS", "CHAU"),
    "CHEMIN": ("CHE", "CHEM", "CH", "CHM"),
    "CITE": ("CIT",),
    "COURS": ("CRS",),
    "ESPLANADE": ("ESP", "ESPL"),
    "FAUBOURG": ("FG", "FBG"),
    "HAMEAU": ("HAM",),
    "IMPASSE": ("IMP",),
    "LOTISSEMENT": ("LOT", "LOTIS"),
    "MONTEE": ("MTE",),
    "PARVIS": ("PRV",),
    "PASSAGE": ("PAS", "PASS", "PSG"),
    "PLACE": ("PL", "PLA"),
    "PROMENADE": ("PROM", "PRM"),
    "QUAI": ("QU", "QAI"),
    "QUARTIER": ("QUA", "QRT"),
    "RESIDENCE": ("RES", "RESID"),
    "ROND POINT": ("RPT", "RD PT", "ROND PT"),
    "ROUTE": ("RTE",),
    "RUE": ("R",),
    "RUELLE": ("RLE",),
    "SENTIER": ("SEN", "SENT"),
    "SQUARE": ("SQ", "SQR"),
    "TRAVERSE": ("TRA", "TRAV"),
    "VILLA": ("VLA",),
}
_TYPES_VOIE: dict[str, str] = {
    spelling: full
    for full, abbreviations in _ABREVIATIONS_VOIE.items()
    for spelling in (full, *abbreviations)
}

# Two-word abbreviations are matched on the first two words.
_TYPES_VOIE_2 = {k: v for k, v in _TYPES_VOIE.items() if " " in k}

# Abbreviations inside street names ("Rue St Jean", "Av. du Gal Leclerc").
_MOTS_VOIE = {
    "ST": "SAINT", "STE": "SAINTE", "GAL": "GENERAL", "GEN": "GENERAL",
    "MAL": "MARECHAL", "PDT": "PRESIDENT", "PRES": "PRESIDENT",
    "DR": "DOCTEUR", "PR": "PROFESSEUR", "CDT": "COMMANDANT", "CNE": "CAPITAINE",
    "LT": "LIEUTENANT", "NTRE": "NOTRE", "ND": "NOTRE DAME",
}

# Articles are dropped from the key: registers write "Square des Œillets" and
# "Square Œillets", "Place de l'Europe" and "Place Europe" for the same street.
_ARTICLES = frozenset({"DE", "DU", "DES", "D", "LA", "LE", "LES", "L"})


@lru_cache(maxsize=_CACHE_SIZE)
def cle_voie(voie: str) -> str:
    """Matching key of a street: type spelled out, no accents, no articles.

    >>> cle_voie("Av. de la Libération") == cle_voie("AVENUE LIBERATION")
    True
    """
    words = normalise_texte(voie).split()
    if not words:
        return ""
    type_voie = ""
    if len(words) >= 2 and (two := _TYPES_VOIE_2.get(f"{words[0]} {words[1]}")):
        type_voie, words = two, words[2:]
    elif (one := _TYPES_VOIE.get(words[0])) is not None and len(words) >= 2:
        # A lone "Rue" or "Place" is a name, not a type followed by nothing.
        type_voie, words = one, words[1:]
    name = [_MOTS_VOIE.get(w, w) for w in words]
    kept = [w for w in name if w not in _ARTICLES] or name
    return " ".join([type_voie, *kept] if type_voie else kept)


# Longest words first, and a space or a digit after the word: "BATIMENT 6" must not
# read as "BAT" + "IMENT", while "APPT12" is flat 12.
_BATIMENT = re.compile(
    r"\b(?:BATIMENTS|BATIMENT|BAT|BLOC|IMMEUBLE|IMM|TOUR)(?:\s+|(?=\d))(\w+)")
_LOGEMENT = re.compile(
    r"\b(?:APPARTEMENT|APPART|APPT|APT|APP|LOGEMENT|LOGT|LOG|PORTE)(?:\s+|(?=\d))"
    r"(?:N\s+)?(\w+)"
)
_AUTRES_REPERES = re.compile(r"\b(?:ESC|ESCALIER|ETAGE|ETG|CHEZ|BP|CS)\b")
_RESIDENCE_MOT = re.compile(r"^(?:RESIDENCE|RES|RESID|CITE)\s+")


@lru_cache(maxsize=_CACHE_SIZE)
def _cle_courte(s: str) -> str:
    # "007" and "7" are the same flat; "A" and "a" the same building.
    s = normalise_texte(s).replace(" ", "")
    if s.isdigit():
        return s.lstrip("0") or "0"
    return s


@lru_cache(maxsize=_CACHE_SIZE)
def parse_complement(text: str) -> tuple[str, str, str]:
    """(residence, batiment, logement) from a free complement line, as keys.

    "Résidence Les Tilleuls Bât 6 Appt 12" gives ("LES TILLEULS", "6", "12").
    """
    norm = normalise_texte(text)
    if not norm:
        return "", "", ""
    bat = _BATIMENT.search(norm)
    log = _LOGEMENT.search(norm)
    cut = min([m.start() for m in (bat, log, _AUTRES_REPERES.search(norm)) if m]
              or [len(norm)])
    residence = _RESIDENCE_MOT.sub("", norm[:cut].strip())
    return (
        residence,
        _cle_courte(bat[1]) if bat else "",
        _cle_courte(log[1]) if log else "",
    )


_CODE_POSTAL = re.compile(r"\d{5}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address, as written and as keys.

    Instances are shared between the people of one building (the parser is memoised), so
    the keys are computed once per distinct address, not once per person.
    """

    numero: int | None
    suffixe: str  # "", "BIS", "TER", "QUATER", "QUINQUIES" or one letter
    voie: str  # as written: "Avenue Louise Michel"
    voie_cle: str  # "AVENUE LOUISE MICHEL"
    complement: str  # as written: "Résidence Les Tilleuls Bât 6"
    residence: str  # key
    batiment: str  # key
    logement: str  # key
    code_postal: str
    commune: str  # as written
    cle_rue: str  # number + street + postcode: "the same door" for deduplication
    cle: str  # cle_rue + building + flat: "the same home" for households

    @property
    def ligne_voie(self) -> str:
        """Number and street as a letter prints them: "12 bis Avenue Louise Michel"."""
        if self.numero is None:
            return self.voie
        suffixe = f" {self.suffixe.lower()}" if len(self.suffixe) > 1 else self.suffixe
        return f"{self.numero}{suffixe} {self.voie}"

    def meme_porte(self, other: Address) -> bool:
        """Same number, suffix and street; postcodes compared only when both are known."""
        if self.cle_rue == other.cle_rue:
            return True
        return (
            self.numero == other.numero
            and self.suffixe == other.suffixe
            and self.voie_cle == other.voie_cle
            and (not self.code_postal or not other.code_postal)
        )


_new_address = fast_frozen_constructor(Address)


def parse_numero(value: str) -> tuple[int | None, str, str]:
    """(number, suffix, rest) from the start of an address line.

    "12bis, rue X" → (12, "BIS", "rue X"); "12 B Rue X" → (12, "B", "Rue X");
    "Rue X" → (None, "", "Rue X").
    """
    m = _NUMERO.match(value)
    if m is None:
        return None, "", value.strip()
    suffixe = (m[2] or "").upper()
    return int(m[1]), suffixe, m[3].strip()


def _looks_like_street(line: str) -> bool:
    if line[:1].isdigit():  # the usual case, decided without normalising the line
        return True
    words = normalise_texte(line).split()
    if not words:
        return False
    if words[0][:1].isdigit():
        return True
    # A residence is a building, not a street ("Rés. Europe" on line 1, street on 2).
    return _TYPES_VOIE.get(words[0]) not in (None, "RESIDENCE")


def _compose_complement(*parts: str) -> str:
    return " ".join(filter(None, parts))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_address(
    adresse1: str = "",
    adresse2: str = "",
    numero: str = "",
    voie: str = "",
    complement: str = "",
    residence: str = "",
    batiment: str = "",
    logement: str = "",
    code_postal: str = "",
    commune: str = "",
) -> Address:
    """Build an :class:`Address` from whichever columns a register has.

    Either free lines (``adresse1``/``adresse2``, in any order: some extracts put the
    building on line 1 and the street on line 2) or split columns (``numero``, ``voie``,
    ``complement``, ``residence``, ``batiment``, ``logement``). Raises ``InvalidInput``
    (with the field) when there is no street or the postcode is not five digits.
    """
    # Only reached once per distinct address (memoised); the pieces below are memoised
    # too, because the flats of one building share the street line and the landlords'
    # complements repeat ("Résidence Europe Bât 6").
    adresse1, adresse2 = adresse1.strip(), adresse2.strip()
    if not (numero or voie or complement or residence or batiment or logement):
        # Free lines only (the electoral extract): the same steps as below with the
        # empty columns' work left out.
        if adresse2 and not _looks_like_street(adresse1) and _looks_like_street(adresse2):
            adresse1, adresse2 = adresse2, adresse1
        n, suffixe, street, voie_key, extra = _street_line(adresse1)
        if not street:
            raise InvalidInput(_("adresse manquante (aucune voie)"),
                               code="adresse-manquante", field="adresse1")
        free = f"{extra} {adresse2}" if extra and adresse2 else extra or adresse2
        cp = _code_postal(code_postal)
        res_key, bat_key, log_key = parse_complement(free)
        cle_rue = f"{n}{suffixe}|{voie_key}|{cp}" if n is not None else f"|{voie_key}|{cp}"
        return _new_address(
            n, suffixe, street, voie_key, free, res_key, bat_key, log_key, cp,
            commune.strip(), cle_rue, f"{cle_rue}|{bat_key}|{log_key}",
        )
    numero, voie, complement = numero.strip(), voie.strip(), complement.strip()
    residence, batiment, logement = residence.strip(), batiment.strip(), logement.strip()

    if voie or numero:
        free_complement = _compose_complement(adresse1, adresse2, complement)
        if not voie and adresse1:
            voie, free_complement = adresse1, _compose_complement(adresse2, complement)
        field = "voie"
        if numero:
            n, suffixe, rest = parse_numero(numero)
            if n is None or rest:
                raise InvalidInput(
                    _("numéro de voie invalide : « %(valeur)s »") % {"valeur": numero},
                    code="numero-invalide",
                    field="numero",
                )
            street, voie_key = " ".join(voie.split()), cle_voie(voie)
        else:  # an empty number column: the number may still lead the street cell
            n, suffixe, street, voie_key, extra = _street_line(voie)
            free_complement = _compose_complement(extra, free_complement)
    else:
        if adresse2 and not _looks_like_street(adresse1) and _looks_like_street(adresse2):
            adresse1, adresse2 = adresse2, adresse1
        n, suffixe, street, voie_key, extra = _street_line(adresse1)
        free_complement = _compose_complement(extra, adresse2, complement)
        field = "adresse1"
    if not street:
        raise InvalidInput(_("adresse manquante (aucune voie)"), code="adresse-manquante",
                           field=field)

    cp = _code_postal(code_postal)
    res_key, bat_key, log_key = parse_complement(free_complement)
    if residence:
        res_key = _cle_residence(residence)
    if batiment:
        bat_key = _cle_courte(batiment)
    if logement:
        log_key = _cle_courte(logement)
    written_complement = _compose_complement(
        residence,
        f"Bât. {batiment}" if batiment else "",
        f"Logt {logement}" if logement else "",
        free_complement,
    )
    num_key = f"{n}{suffixe}" if n is not None else ""
    cle_rue = f"{num_key}|{voie_key}|{cp}"
    return _new_address(
        n, suffixe, street, voie_key, written_complement, res_key, bat_key, log_key, cp,
        commune.strip(), cle_rue, f"{cle_rue}|{bat_key}|{log_key}",
    )


def _street_line(line: str) -> tuple[int | None, str, str, str, str]:
    """(number, suffix, street as written, street key, complement) of an address line.

    A hand-typed line often holds the building too ("12 rue X Bât 3 Appt 12"): what
    follows a building/flat marker is moved to the complement, so that the street key
    matches the perimeter and the building reaches the household key.
    """
    # A register has far fewer streets than doors: "12 Rue X", "14 Rue X"… share all but
    # their number, so the rest of the line is parsed once per distinct rest. Plain
    # leading ASCII digits (nearly every line) are split off here; anything else (spaces
    # first, six digits, other scripts' digits) takes the whole-line pattern.
    rest = line.lstrip(_ASCII_DIGITS)
    digits = len(line) - len(rest)
    if 0 < digits <= 5 and not rest[:1].isdecimal():
        return (int(line[:digits]), *_after_number(rest))
    n, suffixe, rest = parse_numero(line)
    return (n, suffixe, *_street_and_extra(rest))


@lru_cache(maxsize=_CACHE_SIZE)
def _after_number(rest: str) -> tuple[str, str, str, str]:
    """(suffix, street, street key, complement) of what follows a line's number."""
    m = cast(re.Match[str], _SUITE_NUMERO.match(rest))  # every part is optional
    return ((m[1] or "").upper(), *_street_and_extra(m[2].strip()))


def _street_and_extra(rest: str) -> tuple[str, str, str]:
    extra = ""
    marker = _MARQUEUR_COMPLEMENT.search(rest)
    if marker is not None and marker.start() > 0:
        rest, extra = rest[: marker.start()], rest[marker.start():].strip(_PUNCT_SPACES)
    street = " ".join(rest.strip(_PUNCT_SPACES).split())
    return street, cle_voie(street), extra


_PUNCT_SPACES = " \t\r\n,-"

# Building/flat markers as typed, followed by a short code ("Bât 3", "Appt 12", "Esc. B").
# Words that also name streets ("Porte", "Tour") are left out on purpose.
_MARQUEUR_COMPLEMENT = re.compile(
    r"[\s,-]+(?:b[âa]t(?:iment)?|appt?|appart(?:ement)?|logt|logement|esc(?:alier)?|"
    r"[ée]tage)(?:\b|(?=\d))\.?\s*(?:n[°o]\s*)?[0-9a-z]{1,4}\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def _code_postal(value: str) -> str:
    cp = value.strip().replace(" ", "")
    if cp.endswith(".0"):  # a postcode read from a spreadsheet number cell
        cp = cp[:-2]
    if len(cp) == 4 and cp.isdigit():
        # Spreadsheets drop the leading zero of Ain, Aisne, Allier… postcodes (01000).
        cp = "0" + cp
    if cp and not _CODE_POSTAL.fullmatch(cp):
        raise InvalidInput(
            _("code postal invalide : « %(valeur)s » (5 chiffres attendus)")
            % {"valeur": value.strip()},
            code="code-postal-invalide",
            field="code_postal",
        )
    return cp


@lru_cache(maxsize=_CACHE_SIZE)
def _cle_residence(residence: str) -> str:
    return _RESIDENCE_MOT.sub("", normalise_texte(residence))
