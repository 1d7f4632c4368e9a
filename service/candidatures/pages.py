"""Pages of the applications: the public application forms (no account) and the lead's
review (calls, applications, decision, appointment, the volunteers' pool)."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from domain.access import Action, is_allowed
from domain.calls import PERIMETRE_LABELS, STATUS_LABELS, PerimeterStatus, local_today
from domain.composition import Seat
from domain.errors import DomainError, FieldError, InvalidInput, NotFound
from domain.i18n import _
from service.candidatures.schemas import CallCreate, Decision, PublicApplication
from service.candidatures.usecases import calls, public_form, residents, review, structures
from service.candidatures.usecases.residents import Submission
from service.composition.api import FromApplication  # the composition's « appoint » input
from service.composition.usecases import appointments as comp_appointments
from service.composition.usecases import report as comp_report
from service.http.auth import allow, public
from service.http.common import actor_of, client_ip, ctx_of, resource_scope_of, user_of
from service.http.errors import _fr, status_of
from service.http.forms import form_dict, read_date, read_int, read_opt_date
from service.http.render import form_errors, render, see_other
from service.organisation.store import CouncilRow
from service.public_address import documents_address_warning


def _fil(council: CouncilRow, *rest: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{council.id}", "label": council.name},
        *rest,
    ]


def _kind(kind: str) -> str:
    """The URL's plural (« habitants », « structures ») as the use cases' kind."""
    if kind == "habitants":
        return "habitant"
    if kind == "structures":
        return "structure"
    raise NotFound(_("Candidature introuvable."))


M = TypeVar("M", bound=BaseModel)


def _decode(model: type[M], data: dict[str, Any]) -> M:
    """Validate a web form with the API's model; failures become one InvalidInput with a
    French message per field (the same words as the API's problem+json)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(str(e["loc"][0]) if e.get("loc") else "formulaire", _fr(str(e.get("msg", ""))))
            for e in exc.errors()
        ]
        raise InvalidInput(errors[0].message, field=errors[0].field, errors=errors) from None


def _call_form(values: dict[str, str]) -> CallCreate:
    """The « open a call » form, decoded into the API's model (dates typed JJ/MM/AAAA too)."""
    return _decode(
        CallCreate,
        {
            "college": values.get("college", ""),
            "title": values.get("title", ""),
            "opens_on": read_date(values, "opens_on"),
            "closes_on": read_date(values, "closes_on"),
            "text": values.get("text", ""),
        }
    )


def _decision_form(values: dict[str, str]) -> Decision:
    return _decode(
        Decision,
        {
            "decision": values.get("decision", ""),
            "reason": values.get("reason", ""),
            "version": read_int(values, "version"),
        }
    )


def _draw_page_for_pool(council_id: int, pool_id: int) -> str:
    """Where the lead continues with the volunteers' pool: the draw feature's preparation
    page (cc-draw/1 over this pool)."""
    return f"/conseils/{council_id}/tirages/nouveau?vivier={pool_id}"


def _confirmation_url(appel_id: int, college: str, result: Submission) -> str:
    prefix = "" if college == "habitants" else "S"
    target = f"/candidater/{appel_id}/confirmation?numero={prefix}{result.id}"
    # Outside the imported perimeter, or no perimeter: the lead checks the address.
    if result.perimetre is not None and PerimeterStatus(result.perimetre).to_check:
        target += "&adresse=a-verifier"
    return target


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
        call = await calls.get_call(appel_id, local_today(ctx.now()))
        template = (
            "candidatures/public_habitant.html"
            if call.college == "habitants"
            else "candidatures/public_structure.html"
        )
        extra: dict[str, Any] = {}
        if message is not None:
            extra["message"] = message
        return render(
            request,
            template,
            status_code=status,
            titre=call.title,
            appel=call,
            form=values,
            erreurs=erreurs,
            clos=not call.open,
            **extra,
        )

    @get("/{appel_id:int}", opt=public())
    async def form(self, request: Request[Any, Any, Any], appel_id: int) -> Template:
        return await self._form(request, appel_id, {}, {})

    @post("/{appel_id:int}", opt=public())
    async def submit(self, request: Request[Any, Any, Any], appel_id: int) -> Template | Redirect:
        ctx = ctx_of(request)
        values = form_dict(await request.form())
        try:
            await public_form.check_rate(ctx, client_ip(request))
            call = await calls.get_call(appel_id)
            form = PublicApplication.from_web_form(values).as_form()
            if call.college == "habitants":
                result, _outbox_id = await residents.submit_volunteer(ctx, appel_id, form)
            else:
                result, _outbox_id = await structures.submit_structure(ctx, appel_id, form)
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
        return Redirect(_confirmation_url(appel_id, call.college, result), status_code=303)

    @get("/{appel_id:int}/confirmation", opt=public())
    async def confirmation(
        self, request: Request[Any, Any, Any], appel_id: int, numero: str = "", adresse: str = ""
    ) -> Template:
        call = await calls.get_call(appel_id)
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
        today = local_today(ctx.now())
        extra: dict[str, Any] = {} if message is None else {"message": message}
        user = user_of(request)
        scope = resource_scope_of(request)
        return render(
            request,
            "candidatures/index.html",
            status_code=status,
            titre=_("Candidatures"),
            conseil=council,
            appels=await calls.list_calls(council_id, today),
            habitants=await review.list_volunteers(council_id),
            structures=await review.list_structures(council_id),
            statuts=STATUS_LABELS,
            perimetres=PERIMETRE_LABELS,
            erreurs=erreurs or {},
            form=form or {"college": "habitants"},
            base_url=ctx.settings.public_base_url,
            adresse_publique_probleme=documents_address_warning(ctx.settings),
            sieges_volontaires=int(council.settings.get("sieges_volontaires", 0)),
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
        values = form_dict(await request.form())
        try:
            data = _call_form(values)
            await calls.create_call(
                ctx_of(request),
                actor_of(request),
                council_id,
                calls.CallInput(data.college, data.title, data.opens_on, data.closes_on, data.text),
            )
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
        row = await review.get_application(k, candidature_id, council_id)
        call = await calls.get_call(row.appel)
        return render(
            request,
            "candidatures/detail.html",
            status_code=status,
            titre=_("Candidature n° {n}").format(n=candidature_id),
            conseil=council,
            c=row,
            kind=kind,
            appel=call,
            statuts=STATUS_LABELS,
            perimetres=PERIMETRE_LABELS,
            erreurs=erreurs or {},
            seats=[(s.value, s.label) for s in Seat],
            peut_nommer=is_allowed(
                user_of(request).principal,
                Action.MANAGE_COMPOSITION,
                resource_scope_of(request),
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
        values = form_dict(await request.form())
        try:
            data = _decision_form(values)
            await review.review(
                ctx_of(request),
                actor_of(request),
                _kind(kind),
                candidature_id,
                data.decision,
                data.reason,
                data.version,
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
        values = form_dict(await request.form())
        try:
            data = _decode(
                FromApplication,
                {
                    "kind": _kind(kind),
                    "candidature_id": candidature_id,
                    "seat": values.get("seat", "titulaire"),
                    "mandate_start": read_opt_date(values, "mandate_start"),
                    "override_reason": values.get("override_reason", ""),
                },
            )
            await comp_appointments.member_from_application(
                ctx_of(request),
                actor_of(request),
                council_id,
                data.kind,
                data.candidature_id,
                seat=data.seat,
                mandate_start=data.mandate_start,
                override_reason=data.override_reason,
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
                resource_scope_of(request),
            ):
                raise
            return await self._index(
                request,
                council_id,
                status=status_of(exc),
                message={"kind": "erreur", "text": exc.detail},
            )
        return see_other(_draw_page_for_pool(council_id, int(pool["id"])))


PAGE_CONTROLLERS = [PublicApplicationPages, ApplicationPages]
