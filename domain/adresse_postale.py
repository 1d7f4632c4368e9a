"""Postal address blocks following AFNOR NF Z10-011 (La Poste's "6 règles d'or").

What the norm and La Poste's published practice ask for, and how this module does it:

* at most 6 lines of at most 38 characters (spaces included), empty lines dropped, the
  block aligned left (the layout code draws it left-aligned);
* lines in a fixed order, each with a role (numbered 1–6 here as in the norm):
  1 recipient (civility, first name, NAME), 2 complement of the recipient (appartement,
  étage, couloir, « chez »…), 3 complement of the place (bâtiment, résidence, entrée),
  4 number and street, 5 lieu-dit or BP/CS/TSA, 6 postcode and commune (+ CEDEX);
* lines 4–6 in capitals, without accents, and with no punctuation at all (commas,
  dots, hyphens, apostrophes become spaces): sorting machines read them;
* lines 1–3 are free text: accents and rare letters (Ø, ễ, æ, O'Brien) are kept exactly
  as written, because a resident's name spelt wrong is the first thing they notice;
* abbreviations only when a line does not fit (La Poste: « AVENUE DES FLEURS » must not
  become « AV DES FLEURS »), applied one word at a time in the norm's order — street
  type first, then titles (SAINT, GENERAL…), then common words, then the number's
  extension (BIS → B) — and stopping as soon as the line fits;
* a word is never cut. When the line still does not fit, the block is refused
  (``StatutAdresse.NE_TIENT_PAS``) so the letter is withheld and reported rather than
  mis-delivered; when a required part is missing (no street and no lieu-dit/BP, no
  postcode, no commune, no recipient) it is ``INJOIGNABLE``.

The exact step list of the norm's reduction annex is not public; what is implemented is
the documented order above with the official street-type abbreviations (those of the
FANTOIR/La Poste reference files). First names reduced to initials and the removal of
articles inside a street name are deliberately *not* done automatically: a person
checks those few addresses instead.

Standard library only (DESIGN.md rule 1): a test enforces it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import FieldError, InvalidInput
from domain.i18n import _

LONGUEUR_MAX = 38
"""Characters per line, spaces included (NF Z10-011)."""

LIGNES_MAX = 6


class StatutAdresse(StrEnum):
    OK = "ok"
    NE_TIENT_PAS = "ne-tient-pas"
    """A line stays longer than 38 characters after every allowed abbreviation."""
    INJOIGNABLE = "injoignable"
    """A required part is missing: no block could reach the person by post."""


class CodeRaison(StrEnum):
    """Stable codes of the reasons a block is refused (shown in reports, kept in logs)."""

    DESTINATAIRE_MANQUANT = "destinataire-manquant"
    VOIE_MANQUANTE = "voie-manquante"
    CODE_POSTAL_MANQUANT = "code-postal-manquant"
    CODE_POSTAL_INVALIDE = "code-postal-invalide"
    COMMUNE_MANQUANTE = "commune-manquante"
    LIGNE_TROP_LONGUE = "ligne-trop-longue"


class CodeAvertissement(StrEnum):
    """Stable codes of what was changed to make a block fit."""

    ABREVIATION_TYPE_VOIE = "abreviation-type-voie"
    ABREVIATION_TITRE = "abreviation-titre"
    ABREVIATION_MOT_COURANT = "abreviation-mot-courant"
    ABREVIATION_COMPLEMENT_NUMERO = "abreviation-complement-numero"
    ABREVIATION_COMPLEMENT = "abreviation-complement"
    ABREVIATION_CIVILITE = "abreviation-civilite"
    PRENOMS_SECONDAIRES_OMIS = "prenoms-secondaires-omis"
    PRENOM_EN_INITIALE = "prenom-en-initiale"
    CARACTERES_SUPPRIMES = "caracteres-supprimes"


@dataclass(frozen=True)
class AdressePostale:
    """An address as the registers give it. Every field is optional text.

    ``numero`` may also be left empty with the number written at the start of ``voie``
    (« 12 bis rue des Lilas »), as many registers do.
    """

    civilite: str = ""
    prenom: str = ""
    nom: str = ""
    raison_sociale: str = ""
    """Used on line 1 when there is no person (an association, a local actor)."""
    complement_destinataire: str = ""
    complement_lieu: str = ""
    numero: str = ""
    voie: str = ""
    lieu_dit: str = ""
    """Line 5: lieu-dit, hameau, or a postal box (« BP 12 », « CS 30001 »)."""
    code_postal: str = ""
    commune: str = ""
    cedex: str = ""
    """« CEDEX », « Cedex 9 » or just « 9 »; empty for an ordinary address."""


@dataclass(frozen=True)
class Raison:
    code: CodeRaison
    message: str
    champ: str
    ligne: int | None = None


@dataclass(frozen=True)
class Avertissement:
    code: CodeAvertissement
    message: str
    ligne: int
    avant: str
    apres: str


@dataclass(frozen=True)
class LigneAdresse:
    role: int
    """The line's place in the norm (1–6); printed lines skip the empty roles."""
    texte: str


@dataclass(frozen=True)
class BlocAdresse:
    """The result: the lines to print, or why none can be printed."""

    status: StatutAdresse
    lignes: tuple[LigneAdresse, ...] = ()
    warnings: tuple[Avertissement, ...] = ()
    reasons: tuple[Raison, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is StatutAdresse.OK

    @property
    def lines(self) -> tuple[str, ...]:
        """The printable lines; empty unless ``ok``."""
        return tuple(ligne.texte for ligne in self.lignes) if self.ok else ()

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code.value for r in self.reasons)

    def require(self) -> tuple[str, ...]:
        """The lines, or ``AdresseInutilisable`` naming every reason."""
        if self.ok:
            return self.lines
        raise AdresseInutilisable(self)


class AdresseInutilisable(InvalidInput):
    """The letter must be withheld: its address block cannot be printed correctly."""

    code = "adresse-inutilisable"
    title = "Adresse inutilisable"

    def __init__(self, bloc: BlocAdresse) -> None:
        errors = [
            FieldError(field=r.champ, message=r.message, line=r.ligne, code=r.code.value)
            for r in bloc.reasons
        ]
        detail = " ".join(r.message for r in bloc.reasons) or _("Adresse inutilisable.")
        super().__init__(detail, errors=errors, extra={"statut": bloc.status.value})
        self.bloc = bloc


# ---------------------------------------------------------------------------
# Abbreviation tables. Keys and values are in the folded form of lines 4–6
# (capitals, no accents, words separated by one space).

TYPES_DE_VOIE: Mapping[str, str] = {
    # The official abbreviations of street types (FANTOIR / La Poste reference files).
    "ALLEE": "ALL",
    "ALLEES": "ALL",
    "AVENUE": "AV",
    "BOULEVARD": "BD",
    "CARREFOUR": "CAR",
    "CHAUSSEE": "CHS",
    "CHEMIN": "CHE",
    "CORNICHE": "COR",
    "COURS": "CRS",
    "DOMAINE": "DOM",
    "DESCENTE": "DSC",
    "ESPLANADE": "ESP",
    "FAUBOURG": "FG",
    "GRANDE RUE": "GR",
    "HAMEAU": "HAM",
    "IMPASSE": "IMP",
    "LIEU DIT": "LD",
    "LOTISSEMENT": "LOT",
    "MONTEE": "MTE",
    "PARVIS": "PRV",
    "PASSAGE": "PAS",
    "PLACE": "PL",
    "PROMENADE": "PRO",
    "QUARTIER": "QUA",
    "RESIDENCE": "RES",
    "ROND POINT": "RPT",
    "ROUTE": "RTE",
    "RUELLE": "RLE",
    "SENTIER": "SEN",
    "SQUARE": "SQ",
    "TRAVERSE": "TRA",
    "VILLA": "VLA",
    "VILLAGE": "VLGE",
    "ZONE ARTISANALE": "ZA",
    "ZONE D ACTIVITE": "ZA",
    "ZONE D ACTIVITES": "ZA",
    "ZONE INDUSTRIELLE": "ZI",
    "ZONE D AMENAGEMENT CONCERTE": "ZAC",
}

TITRES: Mapping[str, str] = {
    # Civil, military and religious titles, abbreviated anywhere in a name.
    "SAINT": "ST",
    "SAINTE": "STE",
    "NOTRE DAME": "ND",
    "GENERAL": "GAL",
    "MARECHAL": "MAL",
    "DOCTEUR": "DR",
    "PROFESSEUR": "PR",
    "PRESIDENT": "PDT",
    "COMMANDANT": "CDT",
    "CAPITAINE": "CNE",
    "LIEUTENANT": "LT",
    "COLONEL": "COL",
    "ADJUDANT": "ADJ",
    "SERGENT": "SGT",
    "MONSEIGNEUR": "MGR",
    "MONSIEUR": "M",
    "MADAME": "MME",
    "MAITRE": "ME",
}

MOTS_COURANTS: Mapping[str, str] = {
    "GRAND": "GD",
    "GRANDE": "GDE",
    "PETIT": "PT",
    "PETITE": "PTE",
    "HAUT": "HT",
    "HAUTE": "HTE",
    "VIEUX": "VX",
    "ANCIEN": "ANC",
    "ANCIENNE": "ANC",
    "PROLONGEE": "PROL",
    "CENTRE": "CTRE",
    "COMMERCIAL": "CIAL",
    "RESIDENCE": "RES",
    "BATIMENT": "BAT",
    "IMMEUBLE": "IMM",
    "APPARTEMENT": "APP",
    "ESCALIER": "ESC",
    "ETAGE": "ETG",
    "LOGEMENT": "LOGT",
    "ENTREE": "ENT",
    "FRERES": "FRS",
}

COMPLEMENTS_NUMERO: Mapping[str, str] = {
    "BIS": "B",
    "TER": "T",
    "QUATER": "Q",
    "QUINQUIES": "C",
}

COMPLEMENTS: Mapping[str, str] = {
    # Lines 2–3: the words that name a part of a building, abbreviated first.
    "APPARTEMENT": "APP",
    "BATIMENT": "BAT",
    "RESIDENCE": "RES",
    "ESCALIER": "ESC",
    "ETAGE": "ETG",
    "IMMEUBLE": "IMM",
    "LOGEMENT": "LOGT",
    "ENTREE": "ENT",
}

CIVILITES: Mapping[str, str] = {
    "MONSIEUR": "M.",
    "MADAME": "Mme",
    "MADEMOISELLE": "Mlle",
    "MESSIEURS": "MM.",
    "MESDAMES": "Mmes",
    "DOCTEUR": "Dr",
    "MAITRE": "Me",
}

# Letters that NFKD does not decompose but that La Poste's machines read as Latin.
_TRANSLITTERATION = str.maketrans(
    {
        "Œ": "OE",
        "œ": "oe",
        "Æ": "AE",
        "æ": "ae",
        "ß": "ss",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "ı": "i",
        "Þ": "TH",
        "þ": "th",
    }
)
_HORS_NORME = re.compile(r"[^A-Z0-9]+")
_ESPACES = re.compile(r"\s+")
_NUMERO = re.compile(r"^\d+[A-Z]?$")
_CODE_POSTAL = re.compile(r"^\d{5}$")


def _nettoyer(texte: str) -> str:
    """NFC (so « ễ » counts as one character however it was typed), single spaces."""
    return _ESPACES.sub(" ", unicodedata.normalize("NFC", texte)).strip()


def _plier(texte: str) -> tuple[str, bool]:
    """Lines 4–6: capitals A–Z, digits and single spaces only.

    Returns the folded text and whether a letter or digit had to be dropped (a script
    the sorting machines do not read): that is worth a warning, punctuation is not.
    """
    decompose = unicodedata.normalize("NFKD", texte.translate(_TRANSLITTERATION))
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c)).upper()
    perdu = any(c.isalnum() and not ("A" <= c <= "Z" or "0" <= c <= "9") for c in sans_accents)
    return _HORS_NORME.sub(" ", sans_accents).strip(), perdu


def _cle(mot: str) -> str:
    """The folded form of one word of lines 1–3, to look it up in the tables."""
    return _plier(mot)[0]


# ---------------------------------------------------------------------------
# Progressive shortening of a folded line (lines 4–6).


@dataclass
class _Ligne:
    role: int
    mots: list[str]
    debut_voie: int = 0
    """Index of the first word after the number (where a street type may stand)."""
    avertissements: list[Avertissement] = field(default_factory=list)

    @property
    def texte(self) -> str:
        return " ".join(self.mots)

    def tient(self) -> bool:
        return len(self.texte) <= LONGUEUR_MAX


def _remplacer(
    ligne: _Ligne,
    table: Mapping[str, str],
    code: CodeAvertissement,
    positions: Callable[[_Ligne], range],
) -> bool:
    """Abbreviate matches of ``table`` one at a time, left to right, until the line fits.

    Multi-word keys (« NOTRE DAME », « ROND POINT ») are tried before single words.
    Returns True when the line fits.
    """
    longueurs = sorted({k.count(" ") + 1 for k in table}, reverse=True)
    i = positions(ligne).start
    while not ligne.tient() and i < min(positions(ligne).stop, len(ligne.mots)):
        for n in longueurs:
            cle = " ".join(ligne.mots[i : i + n])
            abrege = table.get(cle) if len(ligne.mots[i : i + n]) == n else None
            if abrege is not None and abrege != cle:
                avant = ligne.texte
                ligne.mots[i : i + n] = abrege.split(" ")
                ligne.avertissements.append(
                    Avertissement(
                        code=code,
                        message=_(
                            "« {mot} » abrégé en « {abrege} » pour tenir sur la ligne {ligne}."
                        ).format(mot=cle, abrege=abrege, ligne=ligne.role),
                        ligne=ligne.role,
                        avant=avant,
                        apres=ligne.texte,
                    )
                )
                break
        i += 1
    return ligne.tient()


def _raccourcir_voie(ligne: _Ligne) -> None:
    if ligne.tient():
        return
    # 1. The street type, only where a street type stands: right after the number.
    if _remplacer(
        ligne,
        TYPES_DE_VOIE,
        CodeAvertissement.ABREVIATION_TYPE_VOIE,
        lambda lg: range(lg.debut_voie, lg.debut_voie + 1),
    ):
        return
    apres_numero: Callable[[_Ligne], range] = lambda lg: range(lg.debut_voie, len(lg.mots))  # noqa: E731
    # 2. Titles, 3. common words, anywhere in the street name.
    if _remplacer(ligne, TITRES, CodeAvertissement.ABREVIATION_TITRE, apres_numero):
        return
    if _remplacer(ligne, MOTS_COURANTS, CodeAvertissement.ABREVIATION_MOT_COURANT, apres_numero):
        return
    # 4. The number's extension (12 BIS → 12 B), last because it is already short.
    _remplacer(
        ligne,
        COMPLEMENTS_NUMERO,
        CodeAvertissement.ABREVIATION_COMPLEMENT_NUMERO,
        lambda lg: range(0, lg.debut_voie),
    )


def _debut_voie(mots: list[str], nb_mots_numero: int) -> int:
    """Where the street name starts, when the number was typed inside ``voie``."""
    i = nb_mots_numero
    if i == 0 and mots and _NUMERO.match(mots[0]):
        i = 1
        if len(mots) > 2 and mots[1] in {*COMPLEMENTS_NUMERO, *COMPLEMENTS_NUMERO.values()}:
            i = 2
    return i


# ---------------------------------------------------------------------------
# Lines 1–3: free text, shortened with care for the case the person wrote.


def _abreger_mot_libre(mot: str, abrege: str) -> str:
    """Give the abbreviation the case of the word it replaces (Bâtiment → Bat)."""
    if mot.isupper():
        return abrege.upper()
    if mot[:1].isupper():
        return abrege.capitalize()
    return abrege.lower()


_MOT = re.compile(r"[^\W\d_]+")


def _raccourcir_complement(texte: str, role: int) -> tuple[str, list[Avertissement]]:
    """Lines 2–3: building words first (Résidence → Res), then titles and common words
    (Saint → St), one word at a time, left to right, until the line fits."""
    avertissements: list[Avertissement] = []
    for table in (COMPLEMENTS, TITRES, MOTS_COURANTS):
        while len(texte) > LONGUEUR_MAX:
            for m in _MOT.finditer(texte):
                abrege = table.get(_cle(m.group()))
                if abrege is not None and len(abrege) < len(m.group()):
                    nouveau = _abreger_mot_libre(m.group(), abrege)
                    avant, texte = texte, texte[: m.start()] + nouveau + texte[m.end() :]
                    avertissements.append(
                        Avertissement(
                            code=CodeAvertissement.ABREVIATION_COMPLEMENT,
                            message=_(
                                "« {mot} » abrégé en « {abrege} » pour tenir sur la ligne {ligne}."
                            ).format(mot=m.group(), abrege=nouveau, ligne=role),
                            ligne=role,
                            avant=avant,
                            apres=texte,
                        )
                    )
                    break
            else:
                break
    return texte, avertissements


def _initiale(prenom: str) -> str:
    """« Jean-Pierre » → « J.-P. », « Lætitia » → « L. »."""
    return "-".join(part[:1] + "." for part in prenom.split("-") if part)


def _destinataire(a: AdressePostale) -> tuple[str, list[Avertissement]]:
    civilite, prenom = _nettoyer(a.civilite), _nettoyer(a.prenom)
    # The surname in capitals (French administrative usage); str.upper keeps every
    # diacritic (Nguyễn → NGUYỄN, Ørsted → ØRSTED) and apostrophes stay on line 1.
    nom = _nettoyer(a.nom).upper()
    if not nom and not prenom:
        return _nettoyer(a.raison_sociale), []

    def composer() -> str:
        return " ".join(p for p in (civilite, prenom, nom) if p)

    avertissements: list[Avertissement] = []

    def noter(code: CodeAvertissement, message: str, avant: str) -> None:
        avertissements.append(Avertissement(code, message, 1, avant, composer()))

    texte = composer()
    if len(texte) > LONGUEUR_MAX and _cle(civilite) in CIVILITES:
        civilite = CIVILITES[_cle(civilite)]
        noter(
            CodeAvertissement.ABREVIATION_CIVILITE,
            _("Civilité abrégée pour tenir sur la ligne 1."),
            texte,
        )
        texte = composer()
    if len(texte) > LONGUEUR_MAX and " " in prenom:
        prenom = prenom.split(" ")[0]
        noter(
            CodeAvertissement.PRENOMS_SECONDAIRES_OMIS,
            _("Seul le premier prénom est imprimé pour tenir sur la ligne 1."),
            texte,
        )
        texte = composer()
    if len(texte) > LONGUEUR_MAX and prenom:
        prenom = _initiale(prenom)
        noter(
            CodeAvertissement.PRENOM_EN_INITIALE,
            _("Prénom réduit à son initiale pour tenir sur la ligne 1."),
            texte,
        )
        texte = composer()
    return texte, avertissements


# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _ChampsPlies:
    """The fields of lines 4–6 folded to capitals A–Z and digits (:func:`_plier`), and
    whether a letter or digit of another script had to be dropped from any of them."""

    numero: str
    voie: str
    lieu_dit: str
    code_postal: str
    commune: str
    cedex: str
    perdu: bool


def _plier_champs(a: AdressePostale) -> _ChampsPlies:
    numero, perdu_numero = _plier(a.numero)
    voie, perdu_voie = _plier(a.voie)
    lieu_dit, perdu_lieu_dit = _plier(a.lieu_dit)
    commune, perdu_commune = _plier(a.commune)
    cedex, perdu_cedex = _plier(a.cedex)
    if cedex and not cedex.startswith("CEDEX"):
        cedex = f"CEDEX {cedex}"
    return _ChampsPlies(
        numero=numero,
        voie=voie,
        lieu_dit=lieu_dit,
        code_postal=re.sub(r"\s+", "", a.code_postal),
        commune=commune,
        cedex=cedex,
        perdu=perdu_numero or perdu_voie or perdu_lieu_dit or perdu_commune or perdu_cedex,
    )


def _pourquoi_injoignable(a: AdressePostale, ligne1: str, champs: _ChampsPlies) -> list[Raison]:
    """What makes the letter unreachable, checked before any formatting."""
    raisons: list[Raison] = []
    if not ligne1:
        raisons.append(
            Raison(CodeRaison.DESTINATAIRE_MANQUANT, _("Le nom du destinataire manque."), "nom", 1)
        )
    if not champs.voie and not champs.lieu_dit:
        raisons.append(
            Raison(
                CodeRaison.VOIE_MANQUANTE,
                _("L'adresse n'a ni voie ni lieu-dit ou boîte postale."),
                "voie",
                4,
            )
        )
    if not champs.code_postal:
        raisons.append(
            Raison(CodeRaison.CODE_POSTAL_MANQUANT, _("Le code postal manque."), "code_postal", 6)
        )
    elif not _CODE_POSTAL.match(champs.code_postal):
        raisons.append(
            Raison(
                CodeRaison.CODE_POSTAL_INVALIDE,
                _("Le code postal « {cp} » n'a pas cinq chiffres.").format(cp=a.code_postal),
                "code_postal",
                6,
            )
        )
    if not champs.commune:
        raisons.append(Raison(CodeRaison.COMMUNE_MANQUANTE, _("La commune manque."), "commune", 6))
    return raisons


def _lignes_complements(a: AdressePostale) -> tuple[list[LigneAdresse], list[Avertissement]]:
    """Lines 2–3: as written, shortened only when too long."""
    lignes: list[LigneAdresse] = []
    avertissements: list[Avertissement] = []
    for role, brut in ((2, a.complement_destinataire), (3, a.complement_lieu)):
        texte, avert = _raccourcir_complement(_nettoyer(brut), role)
        avertissements.extend(avert)
        if texte:
            lignes.append(LigneAdresse(role, texte))
    return lignes, avertissements


def _ligne_voie(champs: _ChampsPlies) -> _Ligne | None:
    """Line 4: number and street."""
    if not champs.voie:
        return None
    mots_numero = champs.numero.split() if champs.numero else []
    mots = mots_numero + champs.voie.split()
    ligne = _Ligne(4, mots, _debut_voie(mots, len(mots_numero)))
    _raccourcir_voie(ligne)
    return ligne


def _ligne_lieu_dit(champs: _ChampsPlies) -> _Ligne | None:
    """Line 5: lieu-dit or postal box."""
    if not champs.lieu_dit:
        return None
    ligne = _Ligne(5, champs.lieu_dit.split())
    if not ligne.tient():
        all_words: Callable[[_Ligne], range] = lambda lg: range(0, len(lg.mots))  # noqa: E731
        _remplacer(ligne, TYPES_DE_VOIE, CodeAvertissement.ABREVIATION_TYPE_VOIE, all_words)
        _remplacer(ligne, TITRES, CodeAvertissement.ABREVIATION_TITRE, all_words)
    return ligne


def _ligne_acheminement(champs: _ChampsPlies) -> _Ligne:
    """Line 6: postcode, commune, CEDEX."""
    ligne = _Ligne(6, [champs.code_postal, *champs.commune.split(), *champs.cedex.split()])
    if not ligne.tient():
        # La Poste's own commune labels use ST / STE when the name is too long.
        _remplacer(
            ligne, TITRES, CodeAvertissement.ABREVIATION_TITRE, lambda lg: range(1, len(lg.mots))
        )
    return ligne


def _lignes_trop_longues(lignes: list[LigneAdresse]) -> list[Raison]:
    return [
        Raison(
            CodeRaison.LIGNE_TROP_LONGUE,
            _(
                "La ligne {ligne} de l'adresse dépasse {max} caractères "
                "même abrégée : « {texte} »."
            ).format(ligne=lg.role, max=LONGUEUR_MAX, texte=lg.texte),
            _CHAMP_DE_LIGNE[lg.role],
            lg.role,
        )
        for lg in lignes
        if len(lg.texte) > LONGUEUR_MAX
    ]


def formater_adresse(adresse: AdressePostale) -> BlocAdresse:
    """Build the address block of one letter, or say why it cannot be printed."""
    ligne1, avert1 = _destinataire(adresse)
    champs = _plier_champs(adresse)
    raisons = _pourquoi_injoignable(adresse, ligne1, champs)
    if raisons:
        return BlocAdresse(StatutAdresse.INJOIGNABLE, reasons=tuple(raisons))

    lignes: list[LigneAdresse] = [LigneAdresse(1, ligne1)]
    complements, avertissements = _lignes_complements(adresse)
    avertissements = [*avert1, *avertissements]
    lignes += complements
    for ligne in (_ligne_voie(champs), _ligne_lieu_dit(champs), _ligne_acheminement(champs)):
        if ligne is not None:
            avertissements.extend(ligne.avertissements)
            lignes.append(LigneAdresse(ligne.role, ligne.texte))

    if champs.perdu:
        avertissements.append(
            Avertissement(
                CodeAvertissement.CARACTERES_SUPPRIMES,
                _("Des caractères non latins ont été retirés des lignes 4 à 6."),
                4,
                " ".join((adresse.numero, adresse.voie, adresse.commune)).strip(),
                " ".join(lg.texte for lg in lignes if lg.role >= 4),
            )
        )

    raisons = _lignes_trop_longues(lignes)
    statut = StatutAdresse.NE_TIENT_PAS if raisons else StatutAdresse.OK
    assert len(lignes) <= LIGNES_MAX
    return BlocAdresse(statut, tuple(lignes), tuple(avertissements), tuple(raisons))


_CHAMP_DE_LIGNE = {
    1: "nom",
    2: "complement_destinataire",
    3: "complement_lieu",
    4: "voie",
    5: "lieu_dit",
    6: "commune",
}


# ---------------------------------------------------------------------------
# Mail-room order

_NUMERO_COLLE = re.compile(r"^(\d+)([A-Z]?)$")


def cle_tri_postal(bloc: BlocAdresse) -> tuple[str, str, str, int, str, str, str, str]:
    """The order a mail room wants letters in: postcode, commune, street, then number
    (numerically: 2 before 10, 12 before 12 B), then the building and the person.

    Read from the printed lines (4–6 are already folded), so « 12 bis rue » written in
    ``voie`` and « 12 » in ``numero`` sort the same way. Blocks without lines sort last.
    """
    by_role = {ligne.role: ligne.texte for ligne in bloc.lignes}
    if 6 not in by_role:
        return ("99999", "", "", 0, "", "", "", "")
    code_postal, _sep, commune = by_role[6].partition(" ")
    mots = (by_role.get(4) or by_role.get(5, "")).split()
    numero, extension = 0, ""
    if mots:
        colle = _NUMERO_COLLE.match(mots[0])
        if colle:
            numero, extension = int(colle.group(1)), colle.group(2)
            mots = mots[1:]
            if not extension and mots and (
                mots[0] in COMPLEMENTS_NUMERO or mots[0] in COMPLEMENTS_NUMERO.values()
            ):
                extension = COMPLEMENTS_NUMERO.get(mots[0], mots[0])
                mots = mots[1:]
    return (
        code_postal,
        commune,
        " ".join(mots),
        numero,
        extension,
        by_role.get(3, ""),
        by_role.get(2, ""),
        by_role.get(1, ""),
    )
