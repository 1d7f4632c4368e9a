"""Public pages of a council's meetings (no login, readable on a phone), the residents'
question form (consent, rate limit, honeypot), the secretary's questions page, the lead's
absences page and the member's own meetings page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from domain.access import Action, is_allowed
from domain.errors import DomainError, TooManyAttempts
from domain.i18n import _
from domain.meetings.questions import Addressee
from service.http.auth import allow, authenticated, public
from service.http.common import actor_of, client_ip, ctx_of, resource_scope_of, user_of
from service.http.errors import status_of
from service.http.forms import form_values
from service.http.render import form_errors, render, see_other
from service.reunions import views, views_public


def _addressees() -> list[tuple[str, str]]:
    return [(a.value, a.label) for a in Addressee]


class PublicMeetingPages(Controller):
    path = "/conseils/{council_id:int}"
    include_in_schema = False

    @get("/reunions", opt=public())
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        ctx = ctx_of(request)
        council = await views.council(council_id)
        data = await views_public.public_board(ctx, council_id)
        return render(request, "reunions/public.html", titre=_("Les réunions du conseil citoyen"),
                      conseil=council, **data)

    @get("/reunions/{reunion_id:int}/compte-rendu", opt=public())
    async def minutes(self, request: Request[Any, Any, Any], council_id: int, reunion_id: int,
                      version: int | None = None) -> Template:
        ctx = ctx_of(request)
        council = await views.council(council_id)
        data = await views_public.public_minutes(ctx, council_id, reunion_id, version)
        return render(request, "reunions/public_compte_rendu.html", titre=_("Compte rendu"), conseil=council, **data)

    @get("/reunions/{reunion_id:int}/compte-rendu/pdf", opt=public())
    async def minutes_pdf(self, request: Request[Any, Any, Any], council_id: int, reunion_id: int) -> Response[bytes]:
        data = await views_public.public_minutes_pdf(ctx_of(request), council_id, reunion_id)
        return Response(data, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="compte-rendu-{reunion_id}.pdf"'})

    async def _question_form(self, request: Request[Any, Any, Any], council_id: int, *, form: dict[str, Any],
                             erreurs: dict[str, str], status: int = 200, envoyee: bool = False,
                             headers: dict[str, str] | None = None) -> Template:
        council = await views.council(council_id)
        page = render(request, "reunions/question_form.html", status_code=status,
                      titre=_("Poser une question au conseil citoyen"), conseil=council, form=form,
                      erreurs=erreurs, destinataires=_addressees(), envoyee=envoyee)
        if headers:
            page.headers.update(headers)
        return page

    @get("/questions/nouvelle", opt=public())
    async def question_form(self, request: Request[Any, Any, Any], council_id: int, envoyee: str = "") -> Template:
        return await self._question_form(request, council_id, form={"destinataire": "ville"}, erreurs={},
                                         envoyee=envoyee == "oui")

    @post("/questions/nouvelle", opt=public())
    async def ask(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        ctx = ctx_of(request)
        form = await request.form()
        values: dict[str, Any] = form_values(form, ("texte", "destinataire", "nom", "contact", "site"))
        values["consentement"] = form.get("consentement") == "oui"
        await views.council(council_id)  # an unknown council is a 404, not a rate-limit hit
        try:
            await views_public.check_question_rate(ctx, client_ip(request))
            if values.pop("site"):
                # A robot filled the hidden field: answer as if recorded, keep nothing.
                return see_other(f"/conseils/{council_id}/questions/nouvelle?envoyee=oui")
            await views_public.submit_public_question(ctx, council_id, values)
        except TooManyAttempts as exc:
            return await self._question_form(request, council_id, form=values, erreurs={"texte": exc.detail},
                                             status=429, headers={"Retry-After": str(exc.retry_after)})
        except DomainError as exc:
            return await self._question_form(request, council_id, form=values, erreurs=form_errors(exc),
                                             status=status_of(exc))
        return see_other(f"/conseils/{council_id}/questions/nouvelle?envoyee=oui")


class QuestionPages(Controller):
    path = "/conseils/{council_id:int}"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], council_id: int, status: int = 200, **extra: Any) -> Template:
        ctx = ctx_of(request)
        council = await views.council(council_id)
        scope = resource_scope_of(request)
        meetings = await views.meetings_of(ctx, council_id)
        return render(
            request, "reunions/questions.html", status_code=status, titre=_("Questions des habitants"),
            conseil=council, questions=await views_public.questions(ctx, council_id),
            peut_gerer=is_allowed(user_of(request).principal, Action.MANAGE_MEETINGS, scope),
            destinataires=_addressees(),
            reunions=[("", _("— aucune —"))] + [(str(m.id), f"{m.titre} ({m.debut:%d/%m/%Y})") for m in meetings],
            aujourdhui=views_public.today(ctx).isoformat(), erreurs=extra.get("erreurs", {}), form=extra.get("form", {}),
            erreurs_reponse=extra.get("erreurs_reponse", {}), reponse_id=extra.get("reponse_id"),
            fil=[{"href": "/", "label": _("Tableau de bord")},
                 {"href": f"/conseils/{council_id}", "label": council.name},
                 {"href": f"/conseils/{council_id}/reunions/gestion", "label": _("Réunions")},
                 {"label": _("Questions des habitants")}],
        )

    @get("/questions", opt=allow(Action.READ_MEETINGS, "council_id"))
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._page(request, council_id)

    @post("/questions", opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def record(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("texte", "destinataire", "reunion_id", "raised_on"))
        try:
            await views_public.record_question(ctx_of(request), actor_of(request), council_id, values)
        except DomainError as exc:
            return await self._page(request, council_id, status_of(exc), erreurs=form_errors(exc), form=values)
        return see_other(f"/conseils/{council_id}/questions?ok=question-enregistree")

    @post("/questions/{question_id:int}/reponse", opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def answer(self, request: Request[Any, Any, Any], council_id: int, question_id: int) -> Template | Redirect:
        values = form_values(await request.form(), ("reponse", "answered_on"))
        try:
            await views_public.answer_question(ctx_of(request), actor_of(request), council_id, question_id, values)
        except DomainError as exc:
            return await self._page(request, council_id, status_of(exc), erreurs_reponse=form_errors(exc),
                                    reponse_id=question_id)
        return see_other(f"/conseils/{council_id}/questions?ok=question-repondue#question-{question_id}")

    @post("/absences/{membre_id:int}/fin-de-mandat", opt=allow(Action.MANAGE_COMPOSITION, "council_id"))
    async def end_mandate(self, request: Request[Any, Any, Any], council_id: int, membre_id: int) -> Template | Redirect:
        try:
            message = await views_public.end_mandate_for_absences(ctx_of(request), actor_of(request), council_id, membre_id)
        except DomainError as exc:
            return await self.absences(request, council_id, status=status_of(exc),
                                       message={"kind": "erreur", "text": exc.detail})
        return await self.absences(request, council_id, message={"kind": "succes", "text": message})

    @get("/absences", opt=allow(Action.MANAGE_MEETINGS, "council_id"))
    async def absences_page(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self.absences(request, council_id)

    async def absences(self, request: Request[Any, Any, Any], council_id: int, status: int = 200,
                       message: dict[str, str] | None = None) -> Template:
        ctx = ctx_of(request)
        council = await views.council(council_id)
        scope = resource_scope_of(request)
        settings = council.settings
        threshold = int(settings.get("absences_fin_mandat", 3))
        return render(
            request, "reunions/absences.html", status_code=status, message=message,
            titre=_("Absences répétées"), conseil=council,
            propositions=await views.absence_cases(ctx, council_id),
            peut_composer=is_allowed(user_of(request).principal, Action.MANAGE_COMPOSITION, scope),
            regle=_("Au bout de {n} absences non excusées de suite, la fin du mandat pour absences est proposée "
                    "au chef de projet ; une absence excusée ou un pouvoir donné n'interrompt pas la série, une "
                    "présence la remet à zéro.").format(n=threshold),
            fil=[{"href": "/", "label": _("Tableau de bord")},
                 {"href": f"/conseils/{council_id}", "label": council.name},
                 {"href": f"/conseils/{council_id}/reunions/gestion", "label": _("Réunions")},
                 {"label": _("Absences répétées")}],
        )


class MyMeetingPages(Controller):
    path = "/mes-reunions"
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], status: int = 200, **extra: Any) -> Template:
        ctx = ctx_of(request)
        user = user_of(request)
        return render(request, "reunions/mes_reunions.html", status_code=status, titre=_("Mes réunions"),
                      **await views_public.my_meetings(ctx, user.account_id), **extra,
                      fil=[{"href": "/", "label": _("Tableau de bord")}, {"label": _("Mes réunions")}])

    @get("/", opt=authenticated())
    async def mine(self, request: Request[Any, Any, Any]) -> Template:
        return await self._page(request)

    @post("/agenda/renouveler", opt=authenticated())
    async def renew(self, request: Request[Any, Any, Any]) -> Template:
        """The secret address is shown once, now (only its digest is kept)."""
        try:
            url = await views_public.renew_feed(ctx_of(request), actor_of(request), user_of(request).account_id)
        except DomainError as exc:
            return await self._page(request, status_of(exc), message={"kind": "erreur", "text": exc.detail})
        return await self._page(request, 201, flux=url, message={"kind": "succes", "text": _(
            "Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus. Copiez-la maintenant : "
            "elle ne sera plus affichée.")})

    @post("/agenda/revoquer", opt=authenticated())
    async def revoke(self, request: Request[Any, Any, Any]) -> Redirect:
        await views_public.revoke_feed(ctx_of(request), actor_of(request), user_of(request).account_id)
        return see_other("/mes-reunions?ok=agenda-revoque#agenda")


PUBLIC_PAGES = [PublicMeetingPages, QuestionPages, MyMeetingPages]
