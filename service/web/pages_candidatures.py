"""Pages of applications and composition: the public application forms, the lead's
review, the composition with its rules (live), member editing with overrides and
optimistic locking, the parity timeline, the auditor's dossier and the member's own page."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.access import Action, is_allowed
from domain.composition import Seat
from domain.errors import DomainError, InvalidInput
from domain.i18n import _
from service.api.bounds import bounded_int, check_day
from service.api.common import actor_of, client_ip, ctx_of, user_of
from service.auth import allow, public
from service.composition.usecases import appointments as comp_appointments
from service.composition.usecases import report as comp_report
from service.errors import status_of
from service.public_address import documents_address_warning
from service.usecases import candidatures as cand
from service.web.pages import COUNCIL_SECTIONS
from service.web.render import FLASH, form_errors, render, see_other

FLASH.update(
    {
        "appel-cree": ("succes", "Appel à candidatures créé."),
        "decision-enregistree": ("succes", "Décision enregistrée."),
        "vivier-cree": (
            "succes",
            "Vivier des volontaires créé : il peut maintenant être tiré au sort.",
        ),
    }
)

COUNCIL_SECTIONS.append(
    (
        "Candidatures",
        [("Appels à candidatures et candidatures reçues", "/conseils/{id}/candidatures")],
        Action.MANAGE_APPLICATIONS,
    )
)


def _form_dict(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "_csrf"}


def _fil(council: dict[str, Any], *rest: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{council['id']}", "label": council["name"]},
        *rest,
    ]


# --- public forms ---------------------------------------------------------------------


class PublicApplicationPages(Controller):
    path = "/candidater"
    include_in_schema = False

    async def _form(
        self,
        request: Request[Any, Any, Any],
        appel_id: int,
        values: dict[str, str],
        erreurs: dict[str, str],
        status: int = 200,
        message: dict[str, str] | None = None,
    ) -> Template:
        ctx = ctx_of(request)
        call = await cand.get_call(appel_id, cand.local_today(ctx.now()))
        closed = not call["open"]
        template = (
            "candidatures/public_habitant.html"
            if call["college"] == "habitants"
            else "candidatures/public_structure.html"
        )
        extra: dict[str, Any] = {}
        if message is not None:
            extra["message"] = message
        return render(
            request,
            template,
            status_code=status,
            titre=call["title"],
            appel=call,
            form=values,
            erreurs=erreurs,
            clos=closed,
            **extra,
        )

    @get("/{appel_id:int}", opt=public())
    async def form(self, request: Request[Any, Any, Any], appel_id: int) -> Template:
        return await self._form(request, appel_id, {}, {})

    @post("/{appel_id:int}", opt=public())
    async def submit(self, request: Request[Any, Any, Any], appel_id: int) -> Template | Redirect:
        ctx = ctx_of(request)
        values = _form_dict(await request.form())
        try:
            await cand.check_rate(ctx, client_ip(request))
            call = await cand.get_call(appel_id)
            if call["college"] == "habitants":
                result, _outbox_id = await cand.submit_volunteer(ctx, appel_id, values)
            else:
                result, _outbox_id = await cand.submit_structure(ctx, appel_id, values)
        except DomainError as exc:
            if exc.code == "introuvable":
                raise
            # A closed call shows its notice, not the form; other errors go next to fields.
            erreurs = {} if exc.code in ("appel-clos", "appel-pas-ouvert") else form_errors(exc)
            return await self._form(
                request,
                appel_id,
                values,
                erreurs,
                status_of(exc),
                message={"kind": "erreur", "text": exc.detail},
            )
        prefix = "" if call["college"] == "habitants" else "S"
        target = f"/candidater/{appel_id}/confirmation?numero={prefix}{result['id']}"
        if result.get("perimetre") == "a-verifier":
            target += "&adresse=a-verifier"
        return Redirect(target, status_code=303)

    @get("/{appel_id:int}/confirmation", opt=public())
    async def confirmation(
        self, request: Request[Any, Any, Any], appel_id: int, numero: str = "", adresse: str = ""
    ) -> Template:
        call = await cand.get_call(appel_id)
        return render(
            request,
            "candidatures/confirmation.html",
            titre=_("Candidature enregistrée"),
            appel=call,
            numero=numero[:12],
            a_verifier=adresse == "a-verifier",
            courriel=bool(ctx_of(request).settings.smtp_url),
        )


# --- the lead's review ----------------------------------------------------------------


class ApplicationPages(Controller):
    path = "/conseils/{council_id:int}"
    include_in_schema = False

    async def _index(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        erreurs: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
        message: dict[str, str] | None = None,
    ) -> Template:
        ctx = ctx_of(request)
        council = await comp_report.council_row(council_id)
        today = cand.local_today(ctx.now())
        extra: dict[str, Any] = {} if message is None else {"message": message}
        user = user_of(request)
        scope = request.scope["resource_scope"]  # type: ignore[typeddict-item]
        return render(
            request,
            "candidatures/index.html",
            status_code=status,
            titre=_("Candidatures"),
            conseil=council,
            appels=await cand.list_calls(council_id, today),
            habitants=await cand.list_applications(council_id, "habitant"),
            structures=await cand.list_applications(council_id, "structure"),
            statuts=cand.STATUS_LABELS,
            perimetres=cand.PERIMETRE_LABELS,
            erreurs=erreurs or {},
            form=form or {"college": "habitants"},
            base_url=ctx.settings.public_base_url,
            adresse_publique_probleme=documents_address_warning(ctx.settings),
            sieges_volontaires=int((council["settings"] or {}).get("sieges_volontaires", 0)),
            volontaires=len(await comp_appointments.eligible_volunteers(council_id)),
            peut_tirer=is_allowed(user.principal, Action.RUN_DRAW, scope),
            fil=_fil(council, {"label": _("Candidatures")}),
            **extra,
        )

    @get("/candidatures", opt=allow(Action.MANAGE_APPLICATIONS, "council_id"))
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._index(request, council_id)

    @post("/appels", opt=allow(Action.MANAGE_APPLICATIONS, "council_id"))
    async def create_call(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> Template | Redirect:
        values = _form_dict(await request.form())
        try:
            data = cand.CallInput(
                college=values.get("college", ""),
                title=values.get("title", ""),
                opens_on=_date(values, "opens_on"),
                closes_on=_date(values, "closes_on"),
                text=values.get("text", ""),
            )
            await cand.create_call(ctx_of(request), actor_of(request), council_id, data)
        except DomainError as exc:
            return await self._index(request, council_id, form_errors(exc), values, status_of(exc))
        return see_other(f"/conseils/{council_id}/candidatures?ok=appel-cree")

    @get(
        "/candidatures/{kind:str}/{candidature_id:int}",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def detail(
        self, request: Request[Any, Any, Any], council_id: int, kind: str, candidature_id: int
    ) -> Template:
        return await self._detail(request, council_id, kind, candidature_id)

    async def _detail(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        kind: str,
        candidature_id: int,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        k = _kind(kind)
        council = await comp_report.council_row(council_id)
        row = await cand.get_application(k, candidature_id, council_id)
        call = await cand.get_call(row["appel"])
        return render(
            request,
            "candidatures/detail.html",
            status_code=status,
            titre=_("Candidature n° {n}").format(n=candidature_id),
            conseil=council,
            c=row,
            kind=kind,
            appel=call,
            statuts=cand.STATUS_LABELS,
            perimetres=cand.PERIMETRE_LABELS,
            erreurs=erreurs or {},
            seats=[(s.value, s.label) for s in Seat],
            peut_nommer=is_allowed(
                user_of(request).principal,
                Action.MANAGE_COMPOSITION,
                request.scope["resource_scope"],  # type: ignore[typeddict-item]
            ),
            fil=_fil(
                council,
                {"href": f"/conseils/{council_id}/candidatures", "label": _("Candidatures")},
                {"label": _("Candidature n° {n}").format(n=candidature_id)},
            ),
        )

    async def _detail_error(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        kind: str,
        candidature_id: int,
        exc: DomainError,
    ) -> Template:
        """An unknown application stays a 404; any other error goes next to its field."""
        if exc.code == "introuvable":
            raise exc
        return await self._detail(
            request, council_id, kind, candidature_id, form_errors(exc), status_of(exc)
        )

    @post(
        "/candidatures/{kind:str}/{candidature_id:int}/decision",
        opt=allow(Action.MANAGE_APPLICATIONS, "council_id"),
    )
    async def decide(
        self, request: Request[Any, Any, Any], council_id: int, kind: str, candidature_id: int
    ) -> Template | Redirect:
        values = _form_dict(await request.form())
        try:
            await cand.review(
                ctx_of(request),
                actor_of(request),
                _kind(kind),
                candidature_id,
                values.get("decision", ""),
                values.get("reason", ""),
                _int(values, "version"),
                council_id,
            )
        except DomainError as exc:
            return await self._detail_error(request, council_id, kind, candidature_id, exc)
        return see_other(f"/conseils/{council_id}/candidatures?ok=decision-enregistree")

    @post(
        "/candidatures/{kind:str}/{candidature_id:int}/nommer",
        opt=allow(Action.MANAGE_COMPOSITION, "council_id"),
    )
    async def appoint(
        self, request: Request[Any, Any, Any], council_id: int, kind: str, candidature_id: int
    ) -> Template | Redirect:
        values = _form_dict(await request.form())
        try:
            await comp_appointments.member_from_application(
                ctx_of(request),
                actor_of(request),
                council_id,
                _kind(kind),
                candidature_id,
                seat=values.get("seat", "titulaire"),
                mandate_start=_opt_date(values, "mandate_start"),
                override_reason=values.get("override_reason", ""),
            )
        except DomainError as exc:
            return await self._detail_error(request, council_id, kind, candidature_id, exc)
        return see_other(f"/conseils/{council_id}/composition?ok=membre-ajoute")

    @post("/volontaires/vivier", opt=allow(Action.RUN_DRAW, "council_id"))
    async def volunteer_pool(
        self, request: Request[Any, Any, Any], council_id: int
    ) -> Template | Redirect:
        try:
            pool = await comp_appointments.build_volunteer_pool(ctx_of(request), actor_of(request), council_id)
        except DomainError as exc:
            if not is_allowed(
                user_of(request).principal,
                Action.MANAGE_APPLICATIONS,
                request.scope["resource_scope"],
            ):  # type: ignore[typeddict-item]
                raise
            return await self._index(
                request,
                council_id,
                status=status_of(exc),
                message={"kind": "erreur", "text": exc.detail},
            )
        target = _draw_page_for_pool(council_id, int(pool["id"]))
        return see_other(target)


def _draw_page_for_pool(council_id: int, pool_id: int) -> str:
    """Where the lead continues with the volunteers' pool: the draw feature's preparation
    page (cc-draw/1 over this pool), else back to the applications page."""
    try:
        from service.usecases import tirage  # noqa: F401
    except ImportError:
        return f"/conseils/{council_id}/candidatures?ok=vivier-cree&vivier={pool_id}"
    return f"/conseils/{council_id}/tirages/nouveau?vivier={pool_id}"


def _kind(kind: str) -> str:
    if kind == "habitants":
        return "habitant"
    if kind == "structures":
        return "structure"
    from domain.errors import NotFound

    raise NotFound(_("Candidature introuvable."))


def _date(values: dict[str, str], key: str) -> date:
    raw = (values.get(key) or "").strip()
    try:
        if "/" in raw:
            d, m, y = raw.split("/")
            return check_day(date(int(y), int(m), int(d)), key)
        return check_day(date.fromisoformat(raw), key)
    except ValueError:
        raise InvalidInput(
            _("Date invalide (JJ/MM/AAAA)."), field=key, code="date-invalide"
        ) from None


def _opt_date(values: dict[str, str], key: str) -> date | None:
    return _date(values, key) if (values.get(key) or "").strip() else None


def _int(values: dict[str, str], key: str) -> int:
    try:
        return bounded_int(int(values.get(key) or ""), key)
    except ValueError:
        raise InvalidInput(_("Valeur entière attendue."), field=key) from None


def _opt_int(values: dict[str, str], key: str) -> int | None:
    return _int(values, key) if (values.get(key) or "").strip() else None


PAGE_CONTROLLERS = [PublicApplicationPages, ApplicationPages]


def feature_handlers() -> list[Any]:
    """Everything the applications feature serves (API and pages)."""
    from service.api.candidatures import ApplicationsController, PublicApplicationsController

    return [
        ApplicationsController,
        PublicApplicationsController,
        *PAGE_CONTROLLERS,
    ]
