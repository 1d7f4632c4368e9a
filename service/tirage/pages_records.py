"""Pages of a draw's public side: the ceremony on a projector, the printable
commitment, the auditor's check, the procès-verbal, the public record and the public key
look-up. The lead's draw pages are in ``pages.py``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from domain.access import Action
from domain.errors import DomainError
from domain.i18n import _
from service.http.auth import allow, public
from service.http.common import actor_of, ctx_of
from service.http.errors import status_of
from service.http.render import form_errors, render, see_other
from service.organisation import usecases as org
from service.tirage.documents import render_pv
from service.tirage.pages import entropy_body, fil
from service.tirage.schemas import CeremonyState
from service.tirage.usecases import ceremony, records


class CeremonyPages(Controller):
    path = "/conseils/{council_id:int}/tirages"
    include_in_schema = False

    @get("/{draw_id:int}/ceremonie", opt=allow(Action.RUN_DRAW, "council_id"))
    async def ceremony(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template:
        conseil = await org.get_council(council_id)
        etat = await records.draw_state(draw_id, council_id)
        premiers: dict[str, list[str]] = {}
        if etat["status"] in ("ranked", "rounds"):
            record = await records.audit_record(draw_id, council_id)
            quotas = etat["plan"].get("quotas", {})
            premiers = {s: keys[: max(quotas.get(s, 0), 1)] for s, keys in record["ranked"].items()}
        return render(
            request,
            "tirage/ceremonie.html",
            titre=_("Séance publique de tirage au sort"),
            conseil=conseil,
            t=etat,
            premiers=premiers,
            erreurs={},
        )

    @get("/{draw_id:int}/ceremonie/etat.json", opt=allow(Action.RUN_DRAW, "council_id"))
    async def ceremony_state(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> CeremonyState:
        """What the projector page polls to follow the ceremony live."""
        d = await records.get_draw(draw_id, council_id)
        return CeremonyState(status=d["status"], status_label=d["status_label"], commitment=d["commitment"],
                             seed=d["seed"])

    @post("/{draw_id:int}/ceremonie", opt=allow(Action.RUN_DRAW, "council_id"))
    async def ceremony_entropy(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        raw = await request.form()
        try:
            body = entropy_body(raw)
            await ceremony.enter_entropy(
                ctx_of(request), actor_of(request), council_id, draw_id, body.entropy, body.kind
            )
            await ceremony.rank_draw(ctx_of(request), actor_of(request), council_id, draw_id)
        except DomainError as exc:
            conseil = await org.get_council(council_id)
            etat = await records.draw_state(draw_id, council_id)
            return render(
                request,
                "tirage/ceremonie.html",
                status_code=status_of(exc),
                titre=_("Séance publique de tirage au sort"),
                conseil=conseil,
                t=etat,
                premiers={},
                erreurs=form_errors(exc),
                saisie=str(raw.get("entropy", "")),
            )
        return see_other(f"/conseils/{council_id}/tirages/{draw_id}/ceremonie")

    @get("/{draw_id:int}/engagement", opt=allow(Action.READ_DRAW_PUBLIC, "council_id"))
    async def printable_commitment(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template:
        conseil = await org.get_council(council_id)
        etat = await records.get_draw(draw_id, council_id)
        return render(
            request,
            "tirage/engagement.html",
            titre=_("Engagement du tirage {r}").format(r=etat["reference"]),
            conseil=conseil,
            t=etat,
        )

    @get("/{draw_id:int}/audit", opt=allow(Action.READ_DRAW_AUDIT, "council_id"))
    async def audit_page(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template:
        conseil = await org.get_council(council_id)
        etat = await records.get_draw(draw_id, council_id)
        verification = None
        if etat["commitment"]:
            verification = await records.reverify(draw_id, council_id)
        return render(
            request,
            "tirage/audit.html",
            titre=_("Vérification du tirage {r}").format(r=etat["reference"]),
            conseil=conseil,
            t=etat,
            verification=verification,
            fil=fil(conseil, {"label": etat["reference"]}),
        )

    @get("/{draw_id:int}/pv.pdf", opt=allow(Action.RUN_DRAW, "council_id"))
    async def pv_lead(self, council_id: int, draw_id: int) -> Response[bytes]:
        return await _pv_response(council_id, draw_id, lead_copy=True)

    @get("/{draw_id:int}/pv-public.pdf", opt=allow(Action.READ_DRAW_PUBLIC, "council_id"))
    async def pv_public(self, council_id: int, draw_id: int) -> Response[bytes]:
        return await _pv_response(council_id, draw_id, lead_copy=False)


async def _pv_response(council_id: int, draw_id: int, *, lead_copy: bool) -> Response[bytes]:
    d = await records.get_draw(draw_id, council_id)
    data = await records.pv_data(draw_id, lead_copy=lead_copy)
    suffix = "chef-de-projet" if lead_copy else "public"
    return Response(
        render_pv(data),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="PV-{d["reference"]}-{suffix}.pdf"'},
    )


class PublicDrawPages(Controller):
    path = "/tirages"
    include_in_schema = False

    @get("/verifier", opt=public())
    async def lookup(
        self, request: Request[Any, Any, Any], reference: str = "", cle: str = ""
    ) -> Template:
        resultat, erreurs = None, {}
        if reference or cle:
            try:
                resultat = await records.lookup_key(reference, cle)
            except DomainError as exc:
                erreurs = {exc.field or "reference": exc.detail}
        return render(
            request,
            "tirage/verifier.html",
            status_code=200,
            titre=_("Vérifier son rang dans un tirage"),
            reference=reference,
            cle=cle,
            resultat=resultat,
            erreurs=erreurs,
        )

    @get("/{reference:str}", opt=public())
    async def record(self, request: Request[Any, Any, Any], reference: str) -> Template:
        record = await records.public_record(reference)
        return render(
            request,
            "tirage/public.html",
            titre=_("Tirage au sort {r}").format(r=record["draw_id"]),
            r=record,
        )


PAGE_CONTROLLERS = [CeremonyPages, PublicDrawPages]
