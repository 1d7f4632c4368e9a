"""Letters to residents drawn: each council's wording, its logo, and the preview.

The batch of a round (background generation, CSV for a mail house) is in
``batches.py``.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import Conflict, FieldError, InvalidInput
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.courriers.documents import SAMPLE_LETTER, CouncilInfo, preview_pdf
from service.courriers.documents_wording import LetterWording, check_wording, wording_from_form
from service.courriers.store import LetterStore, LogoChange, StoredTemplate
from service.organisation import usecases as org
from service.organisation.store import CouncilRow

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


TO_COMPLETE = {
    "organisation": "[collectivité à compléter]",
    "lieu": "[lieu à compléter]",
    "signataire": "[signataire à compléter]",
    "fonction_signataire": "[fonction à compléter]",
    "telephone": "[téléphone à compléter]",
    "email": "[courriel à compléter]",
    "contact_donnees": "[contact à compléter]",
}
"""Markers of an unsaved template; saving refuses a field that still holds one."""


def validate_logo(data: bytes) -> str:
    """The logo's MIME type, or ``InvalidInput``: PNG or JPEG, ≤ 512 KB, a real image.

    The bytes are decoded fully (not only the header), so a truncated or disguised file
    is refused here rather than breaking every letter later.
    """
    from PIL import Image, UnidentifiedImageError

    def refuse(message: str, code: str) -> InvalidInput:
        return InvalidInput(message, field="logo", code=code)

    if not data:
        raise refuse(_("Le fichier du logo est vide."), "logo-vide")
    if len(data) > LOGO_MAX_BYTES:
        raise refuse(
            _("Le logo dépasse {n} Ko.").format(n=LOGO_MAX_BYTES // 1024), "logo-trop-lourd"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            if kind not in LOGO_TYPES:
                raise refuse(_("Le logo doit être une image PNG ou JPEG."), "logo-format")
            if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS or width < 1 or height < 1:
                raise refuse(
                    _("Le logo doit mesurer au plus {n} pixels de côté.").format(n=LOGO_MAX_PIXELS),
                    "logo-dimensions",
                )
            image.load()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise refuse(_("Le logo doit être une image PNG ou JPEG lisible."), "logo-format") from exc
    return LOGO_TYPES[kind]


async def council_info(council_id: int, base_url: str) -> CouncilInfo:
    c = await org.get_council(council_id)
    quartiers = ", ".join(q.name for q in c.qpvs) or c.name
    settings = c.settings
    return CouncilInfo(
        council_name=c.name, quartier=quartiers, base_url=base_url,
        mandate_years=int(settings.get("duree_mandat_annees", 3)),
        retention_days=int(settings.get("conservation_jours", 183)),
    )


@dataclass(frozen=True)
class LetterTemplateView:
    """A council's letter template as the pages, the API and the CLI show it."""

    wording: LetterWording
    version: int
    has_logo: bool
    saved: bool


def _wording_of(stored: StoredTemplate | None, council: CouncilRow) -> LetterWording:
    base = LetterWording()
    if stored is None:
        # Until the lead saves the council's own wording: the council's facts where known,
        # and visible markers where only the lead knows (a letter must never go out with
        # the example's phone number; batches refuse an unsaved template).
        territory = council.territory_name
        markers: dict[str, Any] = {k: v for k, v in TO_COMPLETE.items() if k not in ("organisation", "lieu")}
        return dataclasses.replace(
            base,
            organisation=territory or TO_COMPLETE["organisation"],
            lieu=territory or TO_COMPLETE["lieu"],
            en_tete="",
            **markers,
        )
    editable = LetterWording.editable_fields()
    saved: dict[str, Any] = {k: v for k, v in stored.wording.items() if k in editable}
    wording = dataclasses.replace(base, **saved)
    return dataclasses.replace(wording, logo=stored.logo)


async def get_template(council_id: int, *, store: LetterStore | None = None) -> LetterTemplateView:
    council = await org.get_council(council_id)
    stored = await (store or LetterStore()).template(council_id)
    wording = _wording_of(stored, council)
    return LetterTemplateView(
        wording=wording,
        version=stored.version if stored else 0,
        has_logo=wording.logo is not None,
        saved=stored is not None,
    )


async def get_wording(council_id: int, *, store: LetterStore | None = None) -> LetterWording:
    return (await get_template(council_id, store=store)).wording


def _unfinished(wording: LetterWording, errors: list[FieldError]) -> list[FieldError]:
    """A field still holding a « [… à compléter] » marker of the unsaved example."""
    return [
        FieldError(
            name,
            _("« {champ} » est à compléter.").format(champ=_(LetterWording.LABELS[name])),
            code="champ-a-completer",
        )
        for name in LetterWording.editable_fields()
        if "à compléter]" in getattr(wording, name) and not any(e.field == name for e in errors)
    ]


def _checked(wording: LetterWording, logo: bytes | None) -> str:
    """The logo's MIME type ("" without one), or every error of the form at once."""
    errors: list[FieldError] = []
    try:
        check_wording(wording)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    errors += _unfinished(wording, errors)
    logo_type = ""
    if logo is not None:
        try:
            logo_type = validate_logo(logo)
        except InvalidInput as exc:
            errors.append(FieldError("logo", exc.detail, code=exc.code))
    if errors:
        raise InvalidInput(
            _("Le modèle de lettre contient des erreurs."), errors=errors, code="modele-invalide"
        )
    return logo_type


async def save_template(
    ctx: AppContext,
    actor: Actor,
    council_id: int,
    values: Mapping[str, str],
    *,
    version: int,
    logo: bytes | None = None,
    remove_logo: bool = False,
    store: LetterStore | None = None,
) -> LetterTemplateView:
    """Check and store the council's wording (optimistic ``version``), audited."""
    store = store or LetterStore(ctx.db)
    current = await get_template(council_id, store=store)
    wording = wording_from_form(values, current.wording)
    logo_type = _checked(wording, logo)
    council = await org.get_council(council_id)
    stored = {k: getattr(wording, k) for k in LetterWording.editable_fields()}
    now = ctx.now()
    async with ctx.db.transaction():
        row = await store.template_version(council_id)
        found = row.version if row else 0
        if found != version:
            raise Conflict(
                _("Le modèle a été modifié entre-temps par quelqu'un d'autre : rechargez la page."),
                code="version-perimee",
            )
        change = LogoChange(logo, logo_type if logo is not None else "", remove=remove_logo)
        await store.save_template(council_id, row, stored, change, now, actor.id)
        await audit.record(
            ctx.db,
            actor=actor,
            action="courrier.modele.modification",
            subject_type="conseil",
            subject_id=council_id,
            at=now,
            territory_id=council.territory,
            council_id=council_id,
            after=stored,
            details={
                "version": found + 1,
                "logo": "nouveau"
                if logo is not None
                else ("retire" if remove_logo else "inchange"),
            },
        )
    return await get_template(council_id, store=store)


async def preview(
    ctx: AppContext,
    council_id: int,
    values: Mapping[str, str] | None = None,
    *,
    logo: bytes | None = None,
) -> bytes:
    """The letter with sample data: the saved wording, or ``values`` applied to it
    (an unsaved form), for this council's name and quartiers."""
    wording = await get_wording(council_id, store=LetterStore(ctx.db))
    if values is not None:
        wording = wording_from_form(values, wording)
    if logo is not None:
        validate_logo(logo)  # an unsaved upload, shown before it is kept
        wording = dataclasses.replace(wording, logo=logo)
    info = await council_info(council_id, ctx.settings.public_base_url)
    return preview_pdf(wording, info, SAMPLE_LETTER)
