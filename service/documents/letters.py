"""The letter to a resident drawn by lot, with its reply coupon.

What the letter must say (issue 5): why the person receives it (the conseil citoyen, the
public draw, the draw's reference and their rank, so they can check it on the public
verification page), what membership means, how to answer (coupon with their name, a
short reply code and a QR code to the online reply page; the lead's phone and e-mail),
the deadline, and the RGPD information notice (art. 14: source, purpose, retention,
rights, contact).

The wording is the council's (:class:`LetterWording`, stored per council): plain text
with ``{placeholders}`` from :data:`PLACEHOLDERS`. A placeholder that does not exist, or
a stray brace, is refused when the wording is saved (:func:`check_wording`), so a typo
never reaches thousands of letters. The layout (letterhead, DL window, coupon) is fixed
here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import ClassVar
from urllib.parse import quote

from reportlab.pdfgen.canvas import Canvas

from domain.errors import FieldError, InvalidInput
from domain.i18n import _, ngettext
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import NBSP, format_date_long
from service.documents.page import (
    BODY,
    GREY,
    RIGHT,
    Flow,
    Letterhead,
    PageTemplate,
    TextStyle,
    mm,
    wrap_lines,
)
from service.documents.qr import draw_qr
from service.documents.render import DocumentInfo, render_to_bytes

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


# ---------------------------------------------------------------------------
# One letter's data


@dataclass(frozen=True)
class ResidentLetter:
    """One person invited by a round: what their letter prints."""

    invitation_id: int
    civilite: str
    prenom: str
    nom: str
    address: tuple[str, ...]
    reply_code: str
    deadline: dt.date
    draw_reference: str
    rank: int
    letter_date: dt.date
    key: str = ""
    """The person's anonymous key in the pool: with the reference, it finds their rank on
    the public verification page."""
    seats: int = 0
    """Seats of the person's group (stratum) in the draw; 0 when unknown."""


@dataclass(frozen=True)
class CouncilInfo:
    """What the letters say about the council, and where the public pages are."""

    council_name: str
    quartier: str
    base_url: str
    verification_path: str = "/tirages/verifier"
    mandate_years: int = 3  # council setting « duree_mandat_annees »
    retention_days: int = 183  # council setting « conservation_jours »

    def reply_url(self, code: str = "") -> str:
        url = f"{self.base_url}/repondre"
        return f"{url}?code={quote(code)}" if code else url

    @property
    def verification_url(self) -> str:
        return f"{self.base_url}{self.verification_path}"


def salutation(civilite: str) -> str:
    key = civilite.strip().lower().rstrip(".")
    if key in ("madame", "mme"):
        return "Madame"
    if key in ("monsieur", "m"):
        return "Monsieur"
    return "Madame, Monsieur"


def display_code(code: str) -> str:
    """« 7KQ2M9XDA4 » → « 7KQ2M-9XDA4 » for reading aloud (the reply page ignores
    dashes and spaces)."""
    c = code.replace("-", "").replace(" ", "").upper()
    return f"{c[:5]}-{c[5:]}" if len(c) == 10 else code


def duration_years(years: int) -> str:
    """« 1 an », « 3 ans »."""
    return ngettext("{n} an", "{n} ans", years).format(n=years)


def duration_days(days: int) -> str:
    """A retention period as people say it: « 1 an », « 6 mois », « 45 jours »."""
    if days >= 365 and days % 365 == 0:
        return duration_years(days // 365)
    months = round(days / 30.44)
    if months >= 1 and abs(days - months * 30.44) <= 2:
        return ngettext("{n} mois", "{n} mois", months).format(n=months)
    return ngettext("{n} jour", "{n} jours", days).format(n=days)


def rank_meaning(rank: int, seats: int, e: str) -> str:
    """What accepting means at this rank: a titulaire seat when the rank is within the
    group's seats; otherwise a seat only if fewer people ranked before accept, else a
    place in the reserve (suppléant·e, called in the draw's order)."""
    if seats <= 0 or rank <= 0:
        return ""
    if rank <= seats:
        return ngettext(
            "Votre groupe du tirage compte {s} siège et vous êtes classé{e} dans les premiers "
            ": si vous acceptez, vous siégerez comme titulaire.",
            "Votre groupe du tirage compte {s} sièges et vous êtes classé{e} dans les {s} "
            "premiers : si vous acceptez, vous siégerez comme titulaire.",
            seats,
        ).format(s=seats, e=e)
    return ngettext(
        "Votre groupe du tirage compte {s} siège : si vous acceptez, vous deviendrez "
        "titulaire seulement si personne parmi les {r} personnes classées avant vous "
        "n'accepte ; sinon vous serez suppléant{e}, appelé{e} à siéger, dans l'ordre du "
        "classement, quand un siège se libère.",
        "Votre groupe du tirage compte {s} sièges : si vous acceptez, vous deviendrez "
        "titulaire si moins de {s} des {r} personnes classées avant vous acceptent ; sinon "
        "vous serez suppléant{e}, appelé{e} à siéger, dans l'ordre du classement, quand un "
        "siège se libère.",
        seats,
    ).format(s=seats, r=rank - 1, e=e)


def letter_values(
    wording: LetterWording, council: CouncilInfo, letter: ResidentLetter
) -> dict[str, str]:
    e = {"Madame": "e", "Monsieur": ""}.get(salutation(letter.civilite), "(e)")
    return {
        "civilite": salutation(letter.civilite),
        "e": e,
        "sens_du_rang": rank_meaning(letter.rank, letter.seats, e),
        "duree_mandat": duration_years(council.mandate_years),
        "duree_conservation": duration_days(council.retention_days),
        "prenom": letter.prenom,
        "nom": letter.nom,
        "conseil": council.council_name,
        "quartier": council.quartier,
        "organisation": wording.organisation,
        "reference_tirage": letter.draw_reference,
        "rang": f"n°{NBSP}{letter.rank}",
        "cle_tirage": letter.key,
        "page_verification": council.verification_url,
        "code_reponse": display_code(letter.reply_code),
        "adresse_reponse": council.reply_url(),
        "date_limite": format_date_long(letter.deadline),
        "date_courrier": format_date_long(letter.letter_date, weekday=False),
        "telephone": wording.telephone,
        "email": wording.email,
        "contact_donnees": wording.contact_donnees,
        "signataire": wording.signataire,
        "fonction_signataire": wording.fonction_signataire,
    }


def letterhead_of(wording: LetterWording, council: CouncilInfo) -> Letterhead:
    lines = tuple(line.strip() for line in wording.en_tete.splitlines() if line.strip())
    contact = " · ".join(p for p in (wording.telephone, wording.email) if p)
    return Letterhead(
        organisation=wording.organisation,
        council=_("Conseil citoyen {nom}").format(nom=council.council_name)
        if not council.council_name.lower().startswith("conseil")
        else council.council_name,
        lines=(*lines, contact) if contact else lines,
        logo=wording.logo,
    )


# ---------------------------------------------------------------------------
# Drawing

RGPD_TITLE = TextStyle(font=BOLD, size=10.5, leading=14, space_after=4)
RGPD_STYLE = TextStyle(size=9, leading=12.5, align="justify", space_after=6)
COUPON_HEIGHT_MM = 60


def _coupon(
    wording: LetterWording, council: CouncilInfo, letter: ResidentLetter
) -> tuple[float, Callable[[Canvas, float, float, float], None]]:
    """The reply coupon: what is the same on every letter of a batch (labels, boxes, the
    return address, the deadline) is drawn once per PDF as a form; only the name, the
    code, the rank and the QR code are drawn per letter, at fixed positions."""
    code = display_code(letter.reply_code)
    reply_url = council.reply_url(code)
    name = " ".join(
        p
        for p in (
            salutation(letter.civilite) if letter.civilite else "",
            letter.prenom,
            letter.nom.upper(),
        )
        if p
    )
    deadline = format_date_long(letter.deadline)
    return_to = [
        wording.organisation,
        *[line.strip() for line in wording.en_tete.splitlines() if line.strip()],
    ]
    qr_side = 34 * mm
    code_label = _("Code de réponse :")
    static_key = repr((wording, council, deadline))
    form_name = (
        "Coupon" + hashlib.sha1(static_key.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    )

    def draw_static(c: Canvas, x: float, y_top: float, width: float) -> None:
        c.setStrokeColorRGB(*GREY)
        c.setLineWidth(0.5)
        c.setDash(3, 2)
        c.line(x, y_top - 2 * mm, x + width, y_top - 2 * mm)
        c.setDash()
        c.setFillColorRGB(*GREY)
        c.setFont(REGULAR, 9)
        c.drawString(x, y_top - 1 * mm, "\u2702")
        qr_x = x + width - qr_side
        top = y_top - 7 * mm
        c.setFont(REGULAR, 7)
        c.drawCentredString(qr_x + qr_side / 2, top - qr_side - 1 * mm, _("Répondre en ligne"))
        c.setFillColorRGB(0, 0, 0)
        text_w = width - qr_side - 4 * mm
        y = top - 3.5 * mm
        title = _("Coupon-réponse — à renvoyer avant le {date}").format(date=deadline)
        if c.stringWidth(title, BOLD, 10.5) > text_w:
            title = _("Coupon-réponse — avant le {date}").format(date=deadline)
        c.setFont(BOLD, 10.5)
        c.drawString(x, y, title)
        y -= 10 * mm
        c.setFont(REGULAR, 9.5)
        c.drawString(x, y, code_label)
        y -= 10.5 * mm
        for label in (
            _("J'accepte de devenir membre du conseil citoyen"),
            _("Je ne souhaite pas devenir membre"),
        ):
            c.rect(x, y - 0.6 * mm, 3.2 * mm, 3.2 * mm, stroke=1, fill=0)
            c.drawString(x + 5 * mm, y, label)
            y -= 5.5 * mm
        c.drawString(x, y, _("Téléphone : ") + "." * 28 + "  " + _("Courriel : ") + "." * 22)
        y -= 5.5 * mm
        c.setFont(REGULAR, 7.5)
        c.setFillColorRGB(*GREY)
        lines = wrap_lines(
            _("À renvoyer à : {adresse}. Ou en ligne : {url} — Contact : {tel} · {email}").format(
                adresse=", ".join(return_to),
                url=council.reply_url(),
                tel=wording.telephone,
                email=wording.email,
            ),
            REGULAR,
            7.5,
            text_w,
        )
        for line in lines[:3]:
            c.drawString(x, y, line)
            y -= 3.4 * mm
        c.setFillColorRGB(0, 0, 0)

    def draw(c: Canvas, x: float, y_top: float, width: float) -> None:
        # The static part is drawn at the origin of a form and placed with a translation.
        if not c.hasForm(form_name):
            c.beginForm(form_name, -1, -(COUPON_HEIGHT_MM + 2) * mm, width + 1, 3 * mm)
            draw_static(c, 0, 0, width)
            c.endForm()
        c.saveState()
        c.translate(x, y_top)
        c.doForm(form_name)
        c.restoreState()
        qr_x = x + width - qr_side
        top = y_top - 7 * mm
        draw_qr(c, reply_url, qr_x, top - qr_side, qr_side)
        text_w = width - qr_side - 4 * mm
        y = top - 9 * mm
        size = 9.5
        while size > 6 and c.stringWidth(name, REGULAR, size) > text_w:
            size -= 0.5
        c.setFont(REGULAR, size)
        c.drawString(x, y, name)
        y -= 4.5 * mm
        c.setFont(BOLD, 12)
        c.drawString(x + c.stringWidth(code_label, REGULAR, 9.5) + 2 * mm, y, code)
        y -= 4.5 * mm
        c.setFont(REGULAR, 8)
        c.drawString(
            x,
            y,
            _("Tirage {ref} — rang n°{nbsp}{rang}").format(
                ref=letter.draw_reference, rang=letter.rank, nbsp=NBSP
            )
            + (_(" — clé {cle}").format(cle=letter.key) if letter.key else ""),
        )

    return COUPON_HEIGHT_MM, draw


def draw_resident_letter(
    canvas: Canvas,
    template: PageTemplate,
    wording: LetterWording,
    council: CouncilInfo,
    letter: ResidentLetter,
) -> int:
    """One resident's letter (usually two pages); returns the number of pages drawn."""
    values = letter_values(wording, council, letter)
    flow = Flow(template)
    flow.paragraph(
        _("{lieu}, le {date}").format(lieu=wording.lieu, date=values["date_courrier"]), RIGHT
    )
    flow.space(2)
    flow.paragraph(
        _("Objet : ") + fill(wording.objet, values), TextStyle(font=BOLD, size=10.5, leading=14.5)
    )
    for raw in re.split(r"\n\s*\n", fill(wording.corps, values)):
        paragraph = " ".join(raw.split())
        if paragraph:
            flow.paragraph(paragraph, BODY)
    flow.space(3)
    flow.paragraph(wording.fonction_signataire, TextStyle(align="right", space_after=2))
    flow.paragraph(wording.signataire, TextStyle(font=BOLD, align="right"))
    # Page 2: the information notice, then the coupon at the bottom; every letter has the
    # same number of pages, so a batch prints recto-verso.
    flow.page_break()
    flow.paragraph(_("Vos données personnelles"), RGPD_TITLE)
    for raw in re.split(r"\n\s*\n", fill(wording.rgpd, values)):
        paragraph = " ".join(raw.split())
        if paragraph:
            flow.paragraph(paragraph, RGPD_STYLE)
    height, draw = _coupon(wording, council, letter)
    flow.bottom_block(height, draw)
    return flow.render(canvas, address=letter.address)


# ---------------------------------------------------------------------------
# Preview with sample data

SAMPLE_COUNCIL = CouncilInfo(
    council_name="Conseil citoyen des Rives du Cher",
    quartier="Rives du Cher",
    base_url="https://conseil.valmont-sur-loire.fr",
)

SAMPLE_LETTER = ResidentLetter(
    invitation_id=0,
    civilite="Madame",
    prenom="Lætitia",
    nom="Nguyễn",
    address=(
        "Madame Lætitia NGUYỄN",
        "Appartement 42, 3e étage",
        "Résidence Les Œillets – Bât. C",
        "12 B AV DU GAL DE GAULLE",
        "37000 VALMONT SUR LOIRE",
    ),
    reply_code="7KQ2M9XDA4",
    deadline=dt.date(2026, 6, 1),
    draw_reference="T-2026-0042",
    rank=17,
    seats=6,
    letter_date=dt.date(2026, 5, 4),
    key="q3Xv9_Lm2KpT8wRz",
)


def letters_info(wording: LetterWording, created: dt.date, title: str = "") -> DocumentInfo:
    return DocumentInfo(
        title=title or _("Conseil citoyen — lettres aux habitants tirés au sort"),
        author=wording.organisation,
        subject=_("Invitation à rejoindre le conseil citoyen"),
        keywords=("conseil citoyen", "tirage au sort"),
        created=dt.datetime(created.year, created.month, created.day, 9, 0, tzinfo=dt.UTC),
    )


def preview_pdf(
    wording: LetterWording,
    council: CouncilInfo | None = None,
    letter: ResidentLetter = SAMPLE_LETTER,
) -> bytes:
    """The council's letter filled with sample data (checked first)."""
    check_wording(wording)
    council = council or SAMPLE_COUNCIL
    template = PageTemplate(letterhead_of(wording, council))
    return render_to_bytes(
        lambda c: draw_resident_letter(c, template, wording, council, letter),
        letters_info(wording, letter.letter_date, _("Aperçu de la lettre aux habitants")),
    )


def wording_from_form(values: Mapping[str, str], base: LetterWording) -> LetterWording:
    """A wording from form fields; absent fields keep ``base``'s value."""
    changes = {
        k: str(values[k]).replace("\r\n", "\n").strip()
        for k in LetterWording.editable_fields()
        if k in values
    }
    return replace(base, **changes)


def default_wording(council_name: str = "", organisation: str = "") -> LetterWording:
    w = LetterWording()
    if organisation:
        w = replace(w, organisation=organisation)
    return w
