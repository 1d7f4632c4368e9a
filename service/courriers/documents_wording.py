"""The council's wording of the letter to residents drawn: the placeholders it may use,
its fields, and the checks run before it is saved (:func:`check_wording`), so a typo never
reaches thousands of letters. The letter itself is drawn in ``documents.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

from domain.errors import FieldError, InvalidInput
from domain.i18n import _

# ---------------------------------------------------------------------------
# Placeholders

PLACEHOLDERS: dict[str, str] = {
    "civilite": "Madame, Monsieur, ou « Madame, Monsieur » quand le registre ne le dit pas",
    "e": "accord au féminin : « e » pour Madame, rien pour Monsieur, « (e) » sinon "
    "(« tiré{e} » donne « tirée »)",
    "prenom": "prénom de la personne, tel qu'écrit dans le registre",
    "nom": "nom de famille de la personne",
    "conseil": "nom du conseil citoyen",
    "quartier": "nom du ou des quartiers prioritaires",
    "organisation": "nom de la collectivité (en-tête)",
    "reference_tirage": "référence publique du tirage",
    "rang": "rang de la personne dans le tirage",
    "sens_du_rang": "ce qu'accepter veut dire à ce rang (titulaire, ou suppléant·e si "
    "d'autres mieux classés acceptent), d'après les sièges de son groupe",
    "duree_mandat": "durée du mandat, d'après les réglages du conseil (« 3 ans »)",
    "duree_conservation": "durée de conservation des données des personnes non retenues, "
    "d'après les réglages du conseil (« 6 mois »)",
    "cle_tirage": "clé anonyme de la personne dans le tirage (pour vérifier son rang)",
    "page_verification": "adresse de la page publique de vérification du tirage",
    "code_reponse": "code de réponse personnel (10 caractères)",
    "adresse_reponse": "adresse de la page de réponse en ligne",
    "date_limite": "date limite de réponse (« lundi 1er juin 2026 »)",
    "date_courrier": "date du courrier",
    "telephone": "téléphone du contact",
    "email": "courriel du contact",
    "contact_donnees": "contact pour les données personnelles (délégué à la protection "
    "des données)",
    "signataire": "nom du signataire",
    "fonction_signataire": "fonction du signataire",
}

_TOKEN = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    return _TOKEN.findall(text)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every ``{name}`` (already checked by :func:`check_wording`)."""
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# ---------------------------------------------------------------------------
# The council's wording


@dataclass(frozen=True)
class LetterWording:
    """Everything a council may change in its letter. Texts may use placeholders."""

    organisation: str = "Ville de Valmont-sur-Loire"
    en_tete: str = (
        "Direction de la politique de la ville\n"
        "Hôtel de ville, 1 place de la Mairie, 37000 Valmont-sur-Loire"
    )
    lieu: str = "Valmont-sur-Loire"
    objet: str = "Vous avez été tiré{e} au sort pour le conseil citoyen de votre quartier"
    corps: str = (
        "{civilite},\n\n"
        "Le conseil citoyen de votre quartier, {conseil}, réunit des habitants, des "
        "associations et des acteurs locaux du quartier {quartier}. Indépendant de la "
        "mairie, il donne son avis "
        "sur le contrat de ville et porte les projets des habitants. Une partie de ses membres "
        "est tirée au sort parmi les habitants, pour que chacun, et pas seulement les "
        "habitués, puisse y prendre part.\n\n"
        "Le tirage au sort public a désigné votre nom, au rang {rang}. {sens_du_rang} Le "
        "tirage est vérifiable par tous : sur la page {page_verification}, la référence du "
        "tirage {reference_tirage} et votre clé anonyme {cle_tirage} vous permettent de "
        "retrouver votre rang et de contrôler que personne n'a choisi le résultat.\n\n"
        "Être membre, c'est environ une réunion par mois en soirée (deux heures), quelques "
        "groupes de travail selon vos envies et une formation gratuite pour prendre ses "
        "marques. Le mandat dure {duree_mandat} et vous pouvez y mettre fin à tout moment. La "
        "participation est bénévole ; la garde de vos enfants pendant les réunions peut être "
        "prise en charge.\n\n"
        "Merci de nous répondre avant le {date_limite}, que vous acceptiez ou non : en ligne "
        "sur {adresse_reponse} avec votre code {code_reponse} (ou en scannant le code QR du "
        "coupon ci-dessous), par téléphone au {telephone}, par courriel à {email}, ou en "
        "renvoyant le coupon. Sans réponse à cette date, la personne suivante du tirage sera "
        "invitée à sa place.\n\n"
        "Je vous prie d'agréer, {civilite}, l'expression de mes salutations distinguées."
    )
    rgpd: str = (
        "{organisation} est responsable du traitement. Vos nom, "
        "adresse, sexe et année de naissance proviennent de la liste électorale de la commune "
        "(article L. 37 du code électoral) et des fichiers de locataires des bailleurs "
        "sociaux du quartier. Ils servent uniquement à constituer le conseil citoyen par "
        "tirage au sort et à vous écrire à ce sujet (mission d'intérêt public, loi du "
        "21 février 2014). Les données des personnes qui ne deviennent pas membres sont "
        "effacées {duree_conservation} après la clôture du tirage ; seule une clé anonyme est gardée pour "
        "que le tirage reste vérifiable. Vous pouvez accéder à vos données, les faire "
        "rectifier ou effacer, et vous opposer à leur traitement en écrivant à "
        "{contact_donnees}. Vous pouvez aussi adresser une réclamation à la CNIL (cnil.fr)."
    )
    signataire: str = "Claire Lefèvre"
    fonction_signataire: str = "Cheffe de projet politique de la ville"
    telephone: str = "02 47 00 00 00"
    email: str = "conseil.citoyen@valmont-sur-loire.fr"
    contact_donnees: str = "dpo@valmont-sur-loire.fr"
    logo: bytes | None = field(default=None, repr=False)

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("objet", "corps", "rgpd")
    """The fields where placeholders are allowed."""

    LABELS: ClassVar[dict[str, str]] = {
        "organisation": "Collectivité (en-tête)",
        "en_tete": "Lignes sous le nom de la collectivité (service, adresse)",
        "lieu": "Lieu d'écriture (« Valmont-sur-Loire, le … »)",
        "objet": "Objet",
        "corps": "Texte de la lettre",
        "rgpd": "Information sur les données personnelles (RGPD)",
        "signataire": "Signataire",
        "fonction_signataire": "Fonction du signataire",
        "telephone": "Téléphone du contact",
        "email": "Courriel du contact",
        "contact_donnees": "Contact pour les données personnelles",
    }

    @classmethod
    def editable_fields(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name != "logo"]


MAX_LENGTHS = {"corps": 6000, "rgpd": 2000, "en_tete": 400}
DEFAULT_MAX_LENGTH = 200


def check_wording(wording: LetterWording) -> None:
    """Refuse unknown placeholders, stray braces, empty or over-long fields, all at once."""
    errors: list[FieldError] = []
    for name in LetterWording.editable_fields():
        value: str = getattr(wording, name)
        label = _(LetterWording.LABELS[name])
        limit = MAX_LENGTHS.get(name, DEFAULT_MAX_LENGTH)
        if name not in ("en_tete",) and not value.strip():
            errors.append(
                FieldError(
                    name,
                    _("« {champ} » est obligatoire.").format(champ=label),
                    code="champ-obligatoire",
                )
            )
            continue
        if len(value) > limit:
            errors.append(
                FieldError(
                    name,
                    _("« {champ} » dépasse {n} caractères.").format(champ=label, n=limit),
                    code="texte-trop-long",
                )
            )
            continue
        found = placeholders_in(value)
        if name not in LetterWording.TEXT_FIELDS:
            if found or "{" in value or "}" in value:
                errors.append(
                    FieldError(
                        name,
                        _("« {champ} » ne peut pas contenir de champ entre accolades.").format(
                            champ=label
                        ),
                        code="champ-inconnu",
                    )
                )
            continue
        unknown = sorted({p for p in found if p not in PLACEHOLDERS})
        if unknown:
            errors.append(
                FieldError(
                    name,
                    _(
                        "« {champ} » contient des champs inconnus : {liste}. Champs possibles : "
                        "voir la liste sous le formulaire."
                    ).format(champ=label, liste=", ".join("{" + u + "}" for u in unknown)),
                    code="champ-inconnu",
                )
            )
            continue
        if "{" in _TOKEN.sub("", value) or "}" in _TOKEN.sub("", value):
            errors.append(
                FieldError(
                    name,
                    _(
                        "« {champ} » contient une accolade seule : écrivez les champs sous la "
                        "forme {{prenom}}."
                    ).format(champ=label),
                    code="accolade-seule",
                )
            )
    if errors:
        raise InvalidInput(
            _("Le modèle de lettre contient des erreurs."), errors=errors, code="modele-invalide"
        )


def normalised_text(value: str) -> str:
    """A field as stored: Unix line ends (a browser sends CRLF), no surrounding space."""
    return value.replace("\r\n", "\n").strip()


def wording_from_form(values: Mapping[str, str], base: LetterWording) -> LetterWording:
    """A wording from form fields; absent fields keep ``base``'s value."""
    changes: dict[str, Any] = {
        k: normalised_text(str(values[k])) for k in LetterWording.editable_fields() if k in values
    }
    return replace(base, **changes)

