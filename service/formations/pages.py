"""Pages of the training feature: the lead's schedule and session pages (with the
tablet attendance page), and the council's schedule where members enrol themselves and
download their attestations. Pages call the same use cases as the API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from domain.access import Action, Role, is_allowed
from domain.errors import DomainError, InvalidInput
from domain.i18n import _
from domain.training import PARIS, Audience, EnrolmentStatus, HalfDayPart, Mark, format_hours
from service.composition.usecases import members as composition
from service.formations.store import TrainingStore
from service.formations.usecases import attendance, enrolment, schedule
from service.http.auth import allow, resolve_scope
from service.http.common import actor_of, ctx_of, user_of
from service.http.errors import status_of
from service.http.render import form_errors, form_text, render, see_other
from service.organisation import usecases as organisation
from service.organisation.store import TerritoryRow


def _store(request: Request[Any, Any, Any]) -> TrainingStore:
    return TrainingStore(ctx_of(request).db)


def _date(form: FormMultiDict, key: str) -> date | None:
    raw = form_text(form, key)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Date invalide : utilisez le format jj/mm/aaaa du calendrier."), field=key) from None


def _time(form: FormMultiDict, key: str, *, required: bool = False) -> time | None:
    raw = form_text(form, key)
    if not raw:
        if required:
            raise InvalidInput(_("Indiquez l'heure."), field=key)
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Heure invalide (format hh:mm)."), field=key) from None


def _int(form: FormMultiDict, key: str) -> int | None:
    raw = form_text(form, key)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidInput(_("Nombre entier attendu."), field=key)
    return int(raw)


def training_input(form: FormMultiDict, councils: list[int]) -> schedule.TrainingInput:
    picked = [int(c) for c in form.getall("conseils", []) if str(c).isdigit()] if hasattr(form, "getall") else []
    return schedule.TrainingInput(
        titre=form_text(form, "titre"), theme=form_text(form, "theme"), objectifs=form_text(form, "objectifs"),
        organisme=form_text(form, "organisme"), public=form_text(form, "public") or Audience.MEMBRES.value,
        auto_inscription=form_text(form, "auto_inscription") == "1", date_debut=_date(form, "date_debut"),
        date_fin=_date(form, "date_fin"), rappel_jours=_int(form, "rappel_jours") or 0,
        conseils=tuple(picked or (councils if len(councils) == 1 else [])),
    )


def session_input(form: FormMultiDict) -> schedule.SessionInput:
    day = _date(form, "jour")
    if day is None:
        raise InvalidInput(_("Indiquez le jour de la séance."), field="jour")
    start, end = _time(form, "debut", required=True), _time(form, "fin", required=True)
    assert start is not None and end is not None
    return schedule.SessionInput(
        debut=datetime.combine(day, start, PARIS), fin=datetime.combine(day, end, PARIS),
        pause_debut=_time(form, "pause_debut"), pause_fin=_time(form, "pause_fin"), lieu=form_text(form, "lieu"),
        lien_visio=form_text(form, "lien_visio"), capacite=_int(form, "capacite"),
    )


async def _can(request: Request[Any, Any, Any], action: Action, param: str, value: int) -> bool:
    return is_allowed(user_of(request).principal, action, await resolve_scope(param, {param: value}))


def _fil(territory: TerritoryRow, *more: dict[str, str]) -> list[dict[str, str]]:
    return [{"href": "/", "label": _("Tableau de bord")}, {"href": f"/territoires/{territory.id}", "label": territory.name},
            {"href": f"/territoires/{territory.id}/formations", "label": _("Formations")}, *more]


class TrainingPages(Controller):
    path = "/"
    include_in_schema = False

    # --- the territory's schedule (lead) ----------------------------------------------

    @get("/territoires/{territory_id:int}/formations", opt=allow(Action.READ_TRAININGS, "territory_id"))
    async def territory(self, request: Request[Any, Any, Any], territory_id: int) -> Template:
        return await self._territory_page(request, territory_id, {}, {})

    async def _territory_page(self, request: Request[Any, Any, Any], territory_id: int, form: dict[str, Any],
                              erreurs: dict[str, str], status: int = 200) -> Template:
        store = _store(request)
        territory = await organisation.get_territory(territory_id)
        items = await schedule.schedule_of_territory(store, territory_id)
        councils = await store.territory_councils(territory_id)
        return render(request, "formations/territoire.html", status_code=status, titre=_("Formations"), territoire=territory,
                      formations=items, conseils=councils, form=form, erreurs=erreurs, publics=list(Audience),
                      peut_gerer=await _can(request, Action.MANAGE_TRAININGS, "territory_id", territory_id),
                      fil=[*_fil(territory)[:-1], {"label": _("Formations")}])

    @post("/territoires/{territory_id:int}/formations", opt=allow(Action.MANAGE_TRAININGS, "territory_id"))
    async def create(self, request: Request[Any, Any, Any], territory_id: int) -> Template | Redirect:
        form = await request.form()
        store = _store(request)
        try:
            councils = [c for c, _n in await store.territory_councils(territory_id)]
            row = await schedule.create_training(ctx_of(request), actor_of(request), store, territory_id, training_input(form, councils))
        except DomainError as exc:
            return await self._territory_page(request, territory_id, dict(form), form_errors(exc), status_of(exc))
        return see_other(f"/formations/{row.id}?ok=enregistre")

    # --- one training (lead) ------------------------------------------------------------

    @get("/formations/{formation_id:int}", opt=allow(Action.READ_TRAININGS, "formation_id"))
    async def training(self, request: Request[Any, Any, Any], formation_id: int) -> Template:
        return await self._training_page(request, formation_id, {}, {})

    async def _training_page(self, request: Request[Any, Any, Any], formation_id: int, form: dict[str, Any],
                             erreurs: dict[str, str], status: int = 200) -> Template:
        store = _store(request)
        x = await schedule.schedule_of(store, formation_id)
        territory = await organisation.get_territory(x.training.territory_id)
        manage = await _can(request, Action.MANAGE_TRAININGS, "formation_id", formation_id)
        enrolments = await store.enrolments([s.id for s in x.sessions]) if manage else []
        counts = {s.id: (sum(1 for e in enrolments if e.seance_id == s.id and e.status is EnrolmentStatus.INSCRIT),
                         sum(1 for e in enrolments if e.seance_id == s.id and e.status is EnrolmentStatus.ATTENTE))
                  for s in x.sessions}
        hours = await attendance.hours_of_training(store, formation_id) if manage else []
        members = []
        if manage:
            for cid in x.training.council_ids:
                members += [m for m in await composition.list_members(cid) if m.is_active]
        councils = dict(await store.territory_councils(x.training.territory_id))
        return render(request, "formations/formation.html", status_code=status, titre=x.training.titre, f=x.training,
                      seances=x.sessions, comptes=counts, heures=hours, membres=members, peut_gerer=manage, form=form,
                      erreurs=erreurs, conseils=councils, publics=list(Audience), format_hours=format_hours,
                      fil=_fil(territory, {"label": x.training.titre}))

    @post("/formations/{formation_id:int}/modifier", opt=allow(Action.MANAGE_TRAININGS, "formation_id"))
    async def update(self, request: Request[Any, Any, Any], formation_id: int) -> Template | Redirect:
        form = await request.form()
        store = _store(request)
        try:
            current = await store.get_training(formation_id)
            version = _int(form, "version") or -1
            await schedule.update_training(ctx_of(request), actor_of(request), store, formation_id, version,
                                           training_input(form, list(current.council_ids)))
        except DomainError as exc:
            return await self._training_page(request, formation_id, dict(form), form_errors(exc), status_of(exc))
        return see_other(f"/formations/{formation_id}?ok=enregistre")

    @post("/formations/{formation_id:int}/seances", opt=allow(Action.MANAGE_TRAININGS, "formation_id"))
    async def add_session(self, request: Request[Any, Any, Any], formation_id: int) -> Template | Redirect:
        form = await request.form()
        try:
            await schedule.add_session(ctx_of(request), actor_of(request), _store(request), formation_id, session_input(form))
        except DomainError as exc:
            return await self._training_page(request, formation_id, dict(form), form_errors(exc), status_of(exc))
        return see_other(f"/formations/{formation_id}?ok=enregistre#seances")

    @post("/formations/{formation_id:int}/inscriptions", opt=allow(Action.MANAGE_TRAININGS, "formation_id"))
    async def enrol(self, request: Request[Any, Any, Any], formation_id: int) -> Template | Redirect:
        form = await request.form()
        try:
            member = _int(form, "membre_id")
            if member is not None:
                person = await enrolment.member_participant(member)
            else:
                person = enrolment.external_participant(form_text(form, "kind") or "habitant", form_text(form, "prenom"),
                                                        form_text(form, "nom"), form_text(form, "sexe"), form_text(form, "email"))
            await enrolment.enrol_in_training(ctx_of(request), actor_of(request), _store(request), formation_id, person)
        except DomainError as exc:
            return await self._training_page(request, formation_id, dict(form), form_errors(exc), status_of(exc))
        return see_other(f"/formations/{formation_id}?ok=enregistre#seances")

    # --- one session (lead): enrolled, waiting list, attendance ---------------------------

    @get("/seances/{seance_id:int}", opt=allow(Action.MANAGE_TRAININGS, "seance_id"))
    async def session(self, request: Request[Any, Any, Any], seance_id: int) -> Template:
        return await self._session_page(request, seance_id, "formations/seance.html")

    @get("/seances/{seance_id:int}/emargement", opt=allow(Action.MANAGE_TRAININGS, "seance_id"))
    async def tap_sheet(self, request: Request[Any, Any, Any], seance_id: int) -> Template:
        return await self._session_page(request, seance_id, "formations/emargement.html")

    async def _session_page(self, request: Request[Any, Any, Any], seance_id: int, template: str,
                            erreur: str = "", status: int = 200) -> Template:
        store = _store(request)
        sheet = await attendance.sheet(store, seance_id)
        territory = await organisation.get_territory(sheet.training.territory_id)
        queue = sorted((e for e in await store.enrolments([seance_id]) if e.status is EnrolmentStatus.ATTENTE),
                       key=lambda e: (e.created_at, e.id))
        message = {"kind": "erreur", "text": erreur} if erreur else None
        _t, _s, postal, sans_adresse = await attendance.printed_invitations(store, seance_id)
        return render(request, template, status_code=status, titre=_("Séance de formation"), feuille=sheet, attente=queue,
                      a_poster=len(postal), sans_adresse=sans_adresse,
                      marques=list(Mark), message=message, fil=_fil(
                          territory, {"href": f"/formations/{sheet.training.id}", "label": sheet.training.titre},
                          {"label": _("Séance")}))

    @post("/inscriptions/{inscription_id:int}/emargement", opt=allow(Action.MANAGE_TRAININGS, "inscription_id"))
    async def mark(self, request: Request[Any, Any, Any], inscription_id: int) -> Template | Redirect:
        form = await request.form()
        store = _store(request)
        e = await store.get_enrolment(inscription_id)
        try:
            await attendance.record_mark(ctx_of(request), actor_of(request), store, inscription_id,
                                         form_text(form, "demi_journee"), form_text(form, "marque"))
        except DomainError as exc:
            return await self._session_page(request, e.seance_id, "formations/emargement.html", exc.detail, status_of(exc))
        return see_other(f"/seances/{e.seance_id}/emargement#personne-{inscription_id}")

    @post("/inscriptions/{inscription_id:int}/annuler", opt=allow(Action.MANAGE_TRAININGS, "inscription_id"))
    async def cancel(self, request: Request[Any, Any, Any], inscription_id: int) -> Template | Redirect:
        store = _store(request)
        e = await store.get_enrolment(inscription_id)
        try:
            await enrolment.cancel(ctx_of(request), actor_of(request), store, inscription_id, by_person=False)
        except DomainError as exc:
            return await self._session_page(request, e.seance_id, "formations/seance.html", exc.detail, status_of(exc))
        return see_other(f"/seances/{e.seance_id}?ok=enregistre")

    @post("/seances/{seance_id:int}/annuler", opt=allow(Action.MANAGE_TRAININGS, "seance_id"))
    async def cancel_session(self, request: Request[Any, Any, Any], seance_id: int) -> Template | Redirect:
        form = await request.form()
        store = _store(request)
        if form_text(form, "confirmer") != "1":
            return await self._session_page(request, seance_id, "formations/seance.html",
                                            _("Cochez la case de confirmation : l'annulation d'une séance ne peut pas être défaite."), 422)
        try:
            s = await schedule.cancel_session(ctx_of(request), actor_of(request), store, seance_id, _int(form, "version") or -1)
        except DomainError as exc:
            return await self._session_page(request, seance_id, "formations/seance.html", exc.detail, status_of(exc))
        return see_other(f"/formations/{s.formation_id}?ok=enregistre")

    # --- the council's schedule (members) ---------------------------------------------------

    @get("/conseils/{council_id:int}/formations", opt=allow(Action.READ_TRAININGS, "council_id"))
    async def council(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._council_page(request, council_id)

    async def _council_page(self, request: Request[Any, Any, Any], council_id: int, erreur: str = "", status: int = 200) -> Template:
        store = _store(request)
        user = user_of(request)
        council = await organisation.get_council(council_id)
        items = await schedule.schedule_of_council(store, council_id)
        mine = await enrolment.my_trainings(store, council_id, user.account_id)
        is_member = bool(await enrolment.my_member_ids(council_id, user.account_id))
        enrolled_sessions = {m.session.id for m in mine.enrolments}
        message = {"kind": "erreur", "text": erreur} if erreur else None
        return render(request, "formations/conseil.html", status_code=status, titre=_("Formations"), conseil=council,
                      formations=items, mes=mine, est_membre=is_member,
                      est_femme=any(m.enrolment.sexe == "F" for m in mine.enrolments), deja=enrolled_sessions, message=message,
                      maintenant=ctx_of(request).now(), format_hours=format_hours,
                      peut_gerer=user.has_role(Role.CHEF_DE_PROJET) or user.principal.is_admin,
                      fil=[{"href": "/", "label": _("Tableau de bord")},
                           {"href": f"/conseils/{council_id}", "label": council.name}, {"label": _("Formations")}])

    @post("/conseils/{council_id:int}/formations/{formation_id:int}/inscription", opt=allow(Action.ENROL_TRAINING, "council_id"))
    async def enrol_myself(self, request: Request[Any, Any, Any], council_id: int, formation_id: int) -> Template | Redirect:
        try:
            await enrolment.enrol_self(ctx_of(request), actor_of(request), _store(request), council_id, formation_id,
                                       user_of(request).account_id)
        except DomainError as exc:
            return await self._council_page(request, council_id, exc.detail, status_of(exc))
        return see_other(f"/conseils/{council_id}/formations?ok=enregistre")

    @post("/conseils/{council_id:int}/inscriptions/{inscription_id:int}/annuler", opt=allow(Action.ENROL_TRAINING, "council_id"))
    async def cancel_mine(self, request: Request[Any, Any, Any], council_id: int, inscription_id: int) -> Template | Redirect:
        store = _store(request)
        try:
            await enrolment.own_enrolment(store, inscription_id, council_id, user_of(request).account_id)
            await enrolment.cancel(ctx_of(request), actor_of(request), store, inscription_id, by_person=True)
        except DomainError as exc:
            return await self._council_page(request, council_id, exc.detail, status_of(exc))
        return see_other(f"/conseils/{council_id}/formations?ok=enregistre")


PAGE_CONTROLLERS = [TrainingPages]
__all__ = ["PAGE_CONTROLLERS", "HalfDayPart"]
