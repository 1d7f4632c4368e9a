"""Pages of the letters feature: the council's letter template (edit, preview)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Template

from domain.access import Action
from domain.errors import DomainError, InvalidInput
from domain.i18n import _
from service.api.common import actor_of, ctx_of
from service.auth import allow
from service.documents.letters import PLACEHOLDERS, LetterWording
from service.usecases import letters as uc
from service.usecases import organisation as org
from service.web.pages import COUNCIL_SECTIONS
from service.web.render import FLASH, form_errors, render, see_other

FLASH["modele-enregistre"] = ("succes", "Modèle de lettre enregistré.")

COUNCIL_SECTIONS.append(
    (
        "Courriers aux habitants tirés au sort",
        [("Modèle de la lettre et aperçu", "/conseils/{id}/lettre")],
        Action.RUN_DRAW,
    )
)

TEXTAREAS = {"en_tete": 3, "corps": 18, "rgpd": 8}


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> Response[bytes]:
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "content-disposition": f'{disposition}; filename="{filename}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
        },
    )


class LetterTemplatePages(Controller):
    path = "/conseils/{council_id:int}/lettre"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        *,
        form: dict[str, Any] | None = None,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        council = await org.get_council(council_id)
        current = await uc.get_template(council_id)
        wording: LetterWording = current["wording"]
        values = form or {k: getattr(wording, k) for k in LetterWording.editable_fields()}
        champs = [
            {
                "nom": k,
                "libelle": _(LetterWording.LABELS[k]),
                "valeur": values.get(k, ""),
                "lignes": TEXTAREAS.get(k),
                "placeholders": k in LetterWording.TEXT_FIELDS,
            }
            for k in LetterWording.editable_fields()
        ]
        return render(
            request,
            "documents/modele_lettre.html",
            status_code=status,
            titre=_("Lettre aux habitants tirés au sort"),
            conseil=council,
            champs=champs,
            erreurs=erreurs or {},
            version=current["version"],
            a_un_logo=current["has_logo"],
            enregistre=current["saved"],
            placeholders=[("{" + k + "}", _(v)) for k, v in PLACEHOLDERS.items()],
            logo_max_ko=uc.LOGO_MAX_BYTES // 1024,
            fil=[
                {"href": "/", "label": _("Tableau de bord")},
                {"href": f"/conseils/{council_id}", "label": council["name"]},
                {"label": _("Lettre aux habitants")},
            ],
        )

    @get("/", opt=allow(Action.RUN_DRAW, "council_id"))
    async def edit_form(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._page(request, council_id)

    @post(
        "/",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=200,
        request_max_body_size=2 * 1024 * 1024,
    )
    async def save(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> Template | Redirect | Response[bytes]:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in LetterWording.editable_fields() if k in form}
        ctx = ctx_of(request)
        if str(form.get("action", "")) == "apercu":
            try:
                return pdf_response(await uc.preview(ctx, council_id, values), "apercu-lettre.pdf")
            except InvalidInput as exc:
                return await self._page(
                    request, council_id, form=values, erreurs=form_errors(exc), status=422
                )
        upload = form.get("logo")
        logo: bytes | None = None
        if isinstance(upload, UploadFile) and upload.filename:
            logo = await upload.read()
        raw_version = str(form.get("version", ""))
        try:
            await uc.save_template(
                ctx,
                actor_of(request),
                council_id,
                values,
                version=int(raw_version) if raw_version.isdigit() else -1,
                logo=logo,
                remove_logo=str(form.get("retirer_logo", "")) == "1",
            )
        except DomainError as exc:
            status = 422 if isinstance(exc, InvalidInput) else 409
            return await self._page(
                request, council_id, form=values, erreurs=form_errors(exc), status=status
            )
        return see_other(f"/conseils/{council_id}/lettre?ok=modele-enregistre")

    @get("/apercu.pdf", opt=allow(Action.RUN_DRAW, "council_id"))
    async def preview(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        return pdf_response(await uc.preview(ctx_of(request), council_id), "apercu-lettre.pdf")


DOCUMENT_PAGE_CONTROLLERS: list[Any] = [LetterTemplatePages]
