"""Pages of the composition: the composition with its rules (live), member editing
with overrides and optimistic locking, departures and replacements, the parity timeline,
the auditor's dossier and the member's own page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.access import Action, is_allowed
from domain.composition import College
from domain.errors import Conflict, DomainError
from domain.i18n import _
from service.audit.usecases.reading import list_events
from service.composition import forms
from service.composition.api import (
    Departure,
    FromDraw,
    MemberCreate,
    MemberUpdate,
    Promotion,
    contact_policy,
    member_input,
)
from service.composition.parity_chart import parity_svg
from service.composition.rows import MemberRow
from service.composition.usecases import appointments, departures, members, report
from service.composition.usecases.common import local_today
from service.http.auth import allow, authenticated
from service.http.common import actor_of, ctx_of, resource_scope_of, user_of
from service.http.errors import status_of

# Reading a web form into the API's model; shared by the pages of several features (the
# coordinator moves it to service/http/ at merge).
from service.http.forms import decode, form_dict, read_date, read_int, read_opt_date
from service.http.render import form_errors, render, see_other
from service.organisation.store import CouncilRow


def _fil(council: CouncilRow, *rest: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{council.id}", "label": council.name},
        *rest,
    ]


class CompositionPages(Controller):
    path = "/conseils/{council_id:int}"
    include_in_schema = False

    @get("/composition", opt=allow(Action.READ_COMPOSITION, "council_id"))
    async def composition(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._composition(request, council_id)

    async def _composition(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        status: int = 200,
        message: dict[str, str] | None = None,
    ) -> Template:
        ctx = ctx_of(request)
        user = user_of(request)
        scope = resource_scope_of(request)
        view = await report.composition(ctx, council_id)
        points, start, end = await report.timeline(ctx, council_id)
        extra: dict[str, Any] = {} if message is None else {"message": message}
        return render(
            request,
            "composition/index.html",
            status_code=status,
            titre=_("Composition"),
            conseil=view.council,
            vue=view,
            **extra,
            compte=view.counts(),
            colleges=list(College),
            contacts=contact_policy(request),
            peut_gerer=is_allowed(user.principal, Action.MANAGE_COMPOSITION, scope),
            peut_controler=is_allowed(user.principal, Action.READ_AUDIT_TRAIL, scope),
            svg=parity_svg(points, start, end),
            points=points,
            tirages=await _draws(council_id),
            fil=_fil(view.council, {"label": _("Composition")}),
        )

    @get("/controle", opt=allow(Action.READ_AUDIT_TRAIL, "council_id"))
    async def audit_view(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        """The préfecture's dossier: rules, history, draws, the council's audit trail —
        names of members (public), never contact or register data."""
        ctx = ctx_of(request)
        user = user_of(request)
        view = await report.composition(ctx, council_id)
        events = await list_events(user.principal, 300, None, council_id)
        return render(
            request,
            "composition/controle.html",
            titre=_("Dossier de contrôle"),
            conseil=view.council,
            vue=view,
            compte=view.counts(),
            colleges=list(College),
            historique=await report.history(council_id),
            evenements=events,
            tirages=await _draws(council_id),
            fil=_fil(view.council, {"label": _("Dossier de contrôle")}),
        )

    @get("/membres/nouveau", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def new_member(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._member_form(
            request, council_id, None, {"seat": "titulaire", "college": "habitants"}, {}
        )

    async def _member_form(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        member: MemberRow | None,
        values: dict[str, Any],
        erreurs: dict[str, str],
        status: int = 200,
        regle: dict[str, Any] | None = None,
        conflit: dict[str, Any] | None = None,
        proposition: tuple[MemberRow | None, str] | None = None,
    ) -> Template:
        council = await report.council_row(council_id)
        title = _("Nouveau membre") if member is None else f"{member.prenom} {member.nom}"
        return render(
            request,
            "composition/membre.html",
            status_code=status,
            titre=title,
            conseil=council,
            membre=member,
            form=values,
            erreurs=erreurs,
            regle=regle,
            conflit=conflit,
            proposition=proposition,
            today=local_today(ctx_of(request).now()),
            comptes=await members.council_accounts(council_id),
            **forms.choices(),
            fil=_fil(
                council,
                {"href": f"/conseils/{council_id}/composition", "label": _("Composition")},
                {"label": title},
            ),
        )

    @post("/membres", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def create_member(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> Template | Redirect:
        values = form_dict(await request.form())
        try:
            data = decode(MemberCreate, forms.member_body(values), forms.labels())
            await members.create_member(
                ctx_of(request), actor_of(request), council_id, member_input(data), data.override_reason
            )
        except DomainError as exc:
            return await self._member_form(
                request,
                council_id,
                None,
                values,
                form_errors(exc),
                status_of(exc),
                regle=forms.rule_error(exc),
            )
        return see_other(f"/conseils/{council_id}/composition?ok=membre-ajoute")

    @post("/membres/depuis-tirage", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def from_draw(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> Template | Redirect:
        values = form_dict(await request.form())
        try:
            draw = decode(
                FromDraw,
                {
                    "draw_id": read_int(values, "draw_id"),
                    "mandate_start": read_opt_date(values, "mandate_start"),
                    "override_reason": values.get("override_reason", ""),
                },
                forms.labels(),
            )
            created = await appointments.members_from_draw(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw.draw_id,
                draw.mandate_start,
                draw.override_reason,
            )
        except DomainError as exc:
            return await self._composition(
                request,
                council_id,
                status=status_of(exc),
                message={"kind": "erreur", "text": exc.detail},
            )
        return await self._composition(
            request,
            council_id,
            message={
                "kind": "succes",
                "text": _("{n} membres créés à partir du tirage.").format(n=len(created)),
            },
        )

    @get("/membres/{membre_id:int}", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def member(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int
    ) -> Template:
        m = await members.get_member(membre_id, council_id)
        proposition = None
        if m.status != "actif" and m.seat == "titulaire":
            try:
                proposition = await departures.replacement_proposal(membre_id, council_id)
            except DomainError:
                proposition = None
        return await self._member_form(
            request, council_id, m, forms.member_values(m), {}, proposition=proposition
        )

    @post("/membres/{membre_id:int}", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def update_member(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int
    ) -> Template | Redirect:
        values = form_dict(await request.form())
        try:
            data = decode(
                MemberUpdate, {**forms.member_body(values), "version": read_int(values, "version")}, forms.labels()
            )
            await members.update_member(
                ctx_of(request),
                actor_of(request),
                membre_id,
                member_input(data),
                data.version,
                data.override_reason,
                council_id,
            )
        except DomainError as exc:
            if exc.code == "introuvable":
                raise
            current = await members.get_member(membre_id, council_id)
            conflit = None
            if isinstance(exc, Conflict) and exc.code == "modification-concurrente":
                conflit = forms.member_values(current)
            # What the lead typed is kept in the form: nothing is lost.
            return await self._member_form(
                request,
                council_id,
                current,
                values,
                form_errors(exc),
                status_of(exc),
                regle=forms.rule_error(exc),
                conflit=conflit,
            )
        return see_other(f"/conseils/{council_id}/composition?ok=membre-modifie")

    @post("/membres/{membre_id:int}/depart", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def depart(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int
    ) -> Template | Redirect:
        values = form_dict(await request.form())
        try:
            leaving = decode(
                Departure,
                {
                    "status": values.get("status", ""),
                    "on": read_date(values, "on"),
                    "version": read_int(values, "version"),
                    "override_reason": values.get("override_reason", ""),
                },
                forms.labels(),
            )
            result = await departures.depart_member(
                ctx_of(request),
                actor_of(request),
                membre_id,
                leaving.status,
                leaving.on,
                leaving.version,
                leaving.override_reason,
                council_id,
            )
        except DomainError as exc:
            if exc.code == "introuvable":
                raise
            current = await members.get_member(membre_id, council_id)
            erreurs = {f"depart_{k}": v for k, v in form_errors(exc).items()}
            return await self._member_form(
                request,
                council_id,
                current,
                {**forms.member_values(current), **{f"depart_{k}": v for k, v in values.items()}},
                erreurs,
                status_of(exc),
                regle=forms.rule_error(exc),
            )
        if result.vacancy:
            return see_other(f"/conseils/{council_id}/membres/{membre_id}?ok=depart-enregistre")
        return see_other(f"/conseils/{council_id}/composition?ok=depart-enregistre")

    @post(
        "/membres/{membre_id:int}/remplacement", opt=allow(Action.MANAGE_COMPOSITION, "council_id")
    )
    async def promote(
        self, request: Request[Any, Any, Any], council_id: int, membre_id: int
    ) -> Template | Redirect:
        values = form_dict(await request.form())
        try:
            promotion = decode(
                Promotion,
                {
                    "suppleant_id": read_int(values, "suppleant_id"),
                    "version": read_int(values, "version"),
                    "override_reason": values.get("override_reason", ""),
                },
                forms.labels(),
            )
            await departures.promote_replacement(
                ctx_of(request),
                actor_of(request),
                membre_id,
                promotion.suppleant_id,
                promotion.version,
                promotion.override_reason,
                council_id,
            )
        except DomainError as exc:
            if exc.code == "introuvable":
                raise
            current = await members.get_member(membre_id, council_id)
            return await self._member_form(
                request,
                council_id,
                current,
                forms.member_values(current),
                form_errors(exc),
                status_of(exc),
                regle=forms.rule_error(exc),
            )
        return see_other(f"/conseils/{council_id}/composition?ok=remplacement-fait")


async def _draws(council_id: int) -> list[dict[str, Any]]:
    """The council's draws with links to their verification."""
    from service.tirage.usecases import records

    return list(await records.list_draws(council_id))


# --- the member's own page ------------------------------------------------------------


class MemberPages(Controller):
    path = "/mon-mandat"
    include_in_schema = False

    @get("/", opt=authenticated())
    async def mine(self, request: Request[Any, Any, Any]) -> Template:
        user = user_of(request)
        mandates = await members.my_memberships(user.account_id)
        councils: list[dict[str, Any]] = []
        seen: set[int] = set()
        for m in mandates:
            if m.council in seen:
                continue
            seen.add(m.council)
            rows = [r for r in await members.list_members(m.council) if r.is_active]
            councils.append({"id": m.council, "name": m.council_name, "membres": rows})
        return render(
            request,
            "composition/mon_mandat.html",
            titre=_("Mon mandat"),
            mandats=mandates,
            conseils=councils,
            fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": _("Mon mandat")}],
        )


PAGE_CONTROLLERS = [CompositionPages, MemberPages]
