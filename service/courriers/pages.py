"""Pages of the letters feature: the council's letter template (edit, preview), the
letters of a draw's round (generate, follow, download), and the residents' online reply
to their letter (public, no account)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Stream, Template
from pydantic import ValidationError

from domain.access import Action
from domain.errors import Conflict, DomainError, InvalidInput, InvalidState, TooManyAttempts
from domain.i18n import _
from service.courriers.documents_wording import (
    PLACEHOLDERS,
    LetterWording,
    check_wording,
    normalised_text,
    wording_from_form,
)
from service.courriers.schemas import WordingFields
from service.courriers.usecases import batches as lb
from service.courriers.usecases import templates as uc
from service.http.auth import allow, public
from service.http.bounds import version_or_stale
from service.http.common import actor_of, client_ip, ctx_of
from service.http.errors import status_of
from service.http.render import form_errors, render, see_other
from service.organisation import usecases as org
from service.organisation.store import CouncilRow
from service.tirage.usecases import records, replies, rounds
from service.tirage.usecases.people import ReplyContact

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


def decode_wording(submitted: Mapping[str, str], current: LetterWording) -> dict[str, str]:
    """The form's wording decoded into the API's model (:class:`WordingFields`, the same
    limits as ``PUT /api/v1/conseils/{id}/lettre``); a field left out keeps its current
    text. The limits are the wording's rules: when one is broken, every rule the wording
    breaks is told at once, in the same words as the API's (``check_wording``)."""
    data = {k: getattr(current, k) for k in LetterWording.editable_fields()}
    data.update({k: normalised_text(v) for k, v in submitted.items()})
    try:
        return WordingFields.model_validate(data).model_dump()
    except ValidationError as exc:
        check_wording(wording_from_form(data, current))  # raises with the rules' own words
        first = exc.errors()[0]
        raise InvalidInput(str(first.get("msg", "")), field=str(first["loc"][0])) from None


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
        values = form or {k: getattr(current.wording, k) for k in LetterWording.editable_fields()}
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
            version=current.version,
            a_un_logo=current.has_logo,
            enregistre=current.saved,
            placeholders=[("{" + k + "}", _(v)) for k, v in PLACEHOLDERS.items()],
            logo_max_ko=uc.LOGO_MAX_BYTES // 1024,
            fil=[
                {"href": "/", "label": _("Tableau de bord")},
                {"href": f"/conseils/{council_id}", "label": council.name},
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
        submitted = {k: str(form.get(k, "")) for k in LetterWording.editable_fields() if k in form}
        ctx = ctx_of(request)
        upload = form.get("logo")
        logo: bytes | None = None
        if isinstance(upload, UploadFile) and upload.filename:
            logo = await upload.read()
        try:
            values = decode_wording(submitted, await uc.get_wording(council_id))
        except InvalidInput as exc:
            return await self._page(
                request, council_id, form=submitted, erreurs=form_errors(exc), status=422
            )
        if str(form.get("action", "")) == "apercu":
            try:
                pdf = await uc.preview(ctx, council_id, values, logo=logo)
                return pdf_response(pdf, "apercu-lettre.pdf")
            except InvalidInput as exc:
                return await self._page(
                    request, council_id, form=submitted, erreurs=form_errors(exc), status=422
                )
        raw_version = str(form.get("version", ""))
        try:
            await uc.save_template(
                ctx,
                actor_of(request),
                council_id,
                values,
                version=version_or_stale(raw_version),
                logo=logo,
                remove_logo=str(form.get("retirer_logo", "")) == "1",
            )
        except DomainError as exc:
            status = status_of(exc)
            return await self._page(
                request, council_id, form=submitted, erreurs=form_errors(exc), status=status
            )
        return see_other(f"/conseils/{council_id}/lettre?ok=modele-enregistre")

    @get("/apercu.pdf", opt=allow(Action.RUN_DRAW, "council_id"))
    async def preview(self, request: Request[Any, Any, Any], council_id: int) -> Response[bytes]:
        return pdf_response(await uc.preview(ctx_of(request), council_id), "apercu-lettre.pdf")


def _fil(council: CouncilRow, *extra: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{council.id}", "label": council.name},
        *extra,
    ]


class RoundLetterPages(Controller):
    path = "/conseils/{council_id:int}"
    include_in_schema = False

    @get("/courriers", opt=allow(Action.RUN_DRAW, "council_id"))
    async def rounds(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        council = await org.get_council(council_id)
        draws = []
        for d in await records.list_draws(council_id):
            if d["status"] not in ("rounds",) or d["kind"] != "residents":
                continue
            state = await records.draw_state(int(d["id"]), council_id)
            draws.append({**d, "rounds": state.get("rounds", [])})
        return render(
            request,
            "documents/tours.html",
            titre=_("Lettres des tours de tirage"),
            conseil=council,
            tirages=draws,
            fil=_fil(council, {"label": _("Lettres des tours de tirage")}),
        )

    async def _round_page(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        draw_id: int,
        round_no: int,
        *,
        erreur: str = "",
        status: int = 200,
    ) -> Template:
        ctx = ctx_of(request)
        council = await org.get_council(council_id)
        draw = await records.get_draw(draw_id, council_id)
        recipients = await rounds.round_recipients(ctx, draw_id, round_no)
        batch = await lb.get_batch(council_id, draw_id, round_no, ctx.now())
        retenus = await lb.withheld_with_names(ctx, batch) if batch else []
        base = f"/conseils/{council_id}/tirages/{draw_id}/tours/{round_no}/courriers"
        return render(
            request,
            "documents/lot.html",
            status_code=status,
            titre=_("Lettres du tour {n}").format(n=round_no),
            conseil=council,
            tirage=draw,
            tour=round_no,
            invites=len(recipients),
            lot=batch,
            retenus=retenus,
            base=base,
            erreur=erreur,
            fil=_fil(
                council,
                {"href": f"/conseils/{council_id}/courriers", "label": _("Lettres des tours")},
                {"label": _("Tirage {ref}, tour {n}").format(ref=draw["reference"], n=round_no)},
            ),
        )

    @get(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def round_letters(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Template:
        return await self._round_page(request, council_id, draw_id, round_no)

    @post(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=303,
    )
    async def generate(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Template | Redirect:
        ctx = ctx_of(request)
        try:
            batch_id = await lb.start_batch(ctx, actor_of(request), council_id, draw_id, round_no)
        except (InvalidState, Conflict) as exc:
            return await self._round_page(
                request, council_id, draw_id, round_no, erreur=exc.detail, status=409
            )
        url = f"/conseils/{council_id}/tirages/{draw_id}/tours/{round_no}/courriers?ok=lot-demande"
        return Redirect(
            url, status_code=303, background=BackgroundTask(lb.run_batch, ctx, batch_id)
        )

    @get(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers/lettres.pdf",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def download_pdf(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Stream:
        batch = await lb.ready_batch(council_id, draw_id, round_no, ctx_of(request).now())
        draw = await records.get_draw(draw_id, council_id)
        name = f"lettres-{draw['reference']}-tour-{round_no}.pdf"
        return Stream(
            lb.iter_pdf(batch.id),
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{name}"',
                "content-length": str(batch.pdf_size),
                "cache-control": "no-store",
                "x-content-type-options": "nosniff",
            },
        )

    @get(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers/adresses.csv",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def download_csv(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Response[bytes]:
        batch = await lb.ready_batch(council_id, draw_id, round_no, ctx_of(request).now())
        draw = await records.get_draw(draw_id, council_id)
        name = f"adresses-{draw['reference']}-tour-{round_no}.csv"
        return Response(
            await lb.batch_csv(batch.id),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="{name}"',
                "cache-control": "no-store",
            },
        )


# ---------------------------------------------------------------------------
# The residents' online reply (public, no account)

_PHONE = re.compile(r"^\+?[0-9][0-9 .\-()]{5,24}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def _reply_contact(values: dict[str, str]) -> tuple[ReplyContact, dict[str, str]]:
    """The optional contact details, each in its own field, or field errors."""
    errors: dict[str, str] = {}
    phone, email, dispo = values["telephone"], values["email"], values["disponibilites"]
    if phone and not _PHONE.match(phone):
        errors["telephone"] = _("Numéro de téléphone non reconnu (exemple : 06 12 34 56 78).")
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors["email"] = _("Adresse électronique non reconnue (exemple : nom@exemple.fr).")
    if len(dispo) > 200:
        errors["disponibilites"] = _("Indiquez vos disponibilités en 200 caractères au plus.")
    return ReplyContact(telephone=phone, email=email,
                        disponibilites=" ".join(dispo.split())), errors


REPLY_FIELDS = ("code", "annee_naissance", "reponse", "telephone", "email", "disponibilites")


class ReplyPages(Controller):
    path = "/repondre"
    include_in_schema = False

    def _form(
        self,
        request: Request[Any, Any, Any],
        values: dict[str, str],
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        alerte: str = "",
    ) -> Template:
        return render(
            request,
            "documents/repondre.html",
            status_code=status,
            titre=_("Répondre à l'invitation au conseil citoyen"),
            form=values,
            erreurs=erreurs or {},
            alerte=alerte,
        )

    @get("/", opt=public())
    async def form(self, request: Request[Any, Any, Any], code: str = "") -> Template:
        values = dict.fromkeys(REPLY_FIELDS, "")
        values["code"] = code.strip()[:20]
        return self._form(request, values)

    @post("/", opt=public(), status_code=200)
    async def reply(self, request: Request[Any, Any, Any]) -> Template:
        form = await request.form()
        values = {k: str(form.get(k, "")).strip()[:400] for k in REPLY_FIELDS}
        errors: dict[str, str] = {}
        if not values["code"]:
            errors["code"] = _("Saisissez le code de réponse imprimé sur votre courrier.")
        if not re.fullmatch(r"(19|20)\d\d", values["annee_naissance"]):
            errors["annee_naissance"] = _("Saisissez votre année de naissance sur quatre chiffres.")
        if values["reponse"] not in ("accepte", "refuse"):
            errors["reponse"] = _("Indiquez si vous acceptez ou refusez.")
        contact, contact_errors = _reply_contact(values)
        errors.update(contact_errors)
        if errors:
            return self._form(request, values, errors, status=422)
        try:
            result = await replies.reply_online(
                ctx_of(request),
                values["code"],
                values["annee_naissance"],
                values["reponse"],
                contact,
                client_key=client_ip(request),
            )
        except TooManyAttempts as exc:
            response = self._form(request, values, status=429, alerte=exc.detail)
            response.headers["retry-after"] = str(exc.retry_after)
            return response
        except InvalidInput as exc:
            # The same words whatever was wrong: nothing tells a guessed code from a
            # wrong birth year.
            return self._form(request, values, {"code": exc.detail}, status=422)
        except InvalidState as exc:
            return self._form(request, values, status=409, alerte=exc.detail)
        return render(
            request,
            "documents/reponse_merci.html",
            titre=_("Votre réponse est enregistrée"),
            accepte=result["reply"] == "accepted",
            conseil=result["council"],
            reference=result["reference"],
        )


PAGE_CONTROLLERS: list[Any] = [LetterTemplatePages, RoundLetterPages, ReplyPages]
