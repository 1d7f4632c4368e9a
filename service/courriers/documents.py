"""The letter to a resident drawn by lot, with its reply coupon.

What the letter must say (issue 5): why the person receives it (the conseil citoyen, the
public draw, the draw's reference and their rank, so they can check it on the public
verification page), what membership means, how to answer (coupon with their name, a
short reply code and a QR code to the online reply page; the lead's phone and e-mail),
the deadline, and the RGPD information notice (art. 14: source, purpose, retention,
rights, contact).

The wording is the council's (``documents_wording.LetterWording``, stored per council):
plain text with ``{placeholders}``, checked when it is saved. The layout (letterhead, DL
window, coupon) is fixed here. A round's batch (parts assembled into one PDF, the CSV
for a mail house) is in ``documents_batch.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from reportlab.pdfgen.canvas import Canvas

from domain.i18n import _, ngettext
from service.courriers.documents_wording import LetterWording, check_wording, fill
from service.documents.flow import Flow
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import NBSP, format_date_long
from service.documents.page import (
    BODY,
    GREY,
    RIGHT,
    Letterhead,
    PageTemplate,
    TextStyle,
    mm,
    wrap_lines,
)
from service.documents.qr import draw_qr
from service.documents.render import DocumentInfo, render_to_bytes

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
            # The stubs type the bounding box as int; reportlab writes any number into /BBox.
            c.beginForm(form_name, -1, -(COUPON_HEIGHT_MM + 2) * mm, width + 1, 3 * mm)  # type: ignore[arg-type]
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
