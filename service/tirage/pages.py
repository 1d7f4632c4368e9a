"""Pages of the draw by lot: the lead's draw page, the ceremony on a projector, the
printable commitment, the public record and the public key look-up.

Controllers decode the form into the API's own models (``service.tirage.schemas``, with
``service.http.forms.decode``), call the use cases of ``service.tirage.usecases`` and re-render
with the French error next to the field: a wrong value gets the words the API would answer."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from domain.access import Action, is_allowed
from domain.draw import plan as draw_plan
from domain.errors import DomainError, InvalidInput
from domain.i18n import _
from domain.registre.households import HOUSEHOLD_RULE
from service.http.auth import allow
from service.http.common import actor_of, ctx_of, resource_scope_of, user_of
from service.http.confirm import confirm_or_page
from service.http.errors import status_of
from service.http.forms import decode
from service.http.render import form_errors, form_text, render, see_other
from service.organisation import usecases as org
from service.organisation.store import CouncilRow
from service.tirage.schemas import AbandonIn, DrawPrepare, EntropyIn, KeyIn, ReplyIn, RoundIn
from service.tirage.usecases import ceremony, plan, records, replies, rounds
from service.tirage.usecases import people as people_uc
from service.tirage.usecases import pools as pools_uc

PARIS = ZoneInfo("Europe/Paris")


# The words naming each field in a decoded form's messages (« Sièges … : Valeur trop grande. »).
LABELS = {
    "pool_id": "Liste sur laquelle tirer",
    "seats": "Sièges à pourvoir par ce tirage",
    "odd_seat": "Siège impair",
    "one_per_household": "Une seule personne par foyer",
    "invitations": "Invitations du premier tour",
    "multiple": "Courriers du premier tour par siège",
    "label": "Intitulé",
    "place": "Lieu de la séance publique",
    "present": "Personnes présentes",
    "entropy": "Faces des dés ou texte public",
    "kind": "Nature de l'aléa",
    "counts": "Invitations du tour",
    "deadline": "Date limite de réponse",
    "key": "Personne invitée (clé)",
    "reply": "Réponse",
    "correction": "Motif de la correction",
    "reason": "Raison de l'abandon",
    "redo_pool_id": "Nouvelle liste",
}


def labels(**more: str) -> dict[str, str]:
    return {k: _(v) for k, v in {**LABELS, **more}.items()}


def given(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields that were filled in (trimmed): an empty one takes the model's
    default, or is « Champ obligatoire. » when the model has none, as in the API."""
    values = {name: form_text(form, name) for name in names}
    return {name: value for name, value in values.items() if value}


def entropy_body(form: Any) -> EntropyIn:
    """The public randomness as typed (not trimmed: a public text is kept as read)."""
    entropy = str(form.get("entropy", ""))
    data = {**given(form, ("kind",)), **({"entropy": entropy} if entropy.strip() else {})}
    return decode(EntropyIn, data, labels())


def _per_stratum(form: Any, prefix: str, strata: list[str]) -> dict[str, str]:
    """« prefix.F », « prefix.M »… as one mapping (an empty box counts 0)."""
    return {s: form_text(form, f"{prefix}.{s}") or "0" for s in strata}


def fil(conseil: CouncilRow, *more: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{conseil.id}", "label": conseil.name},
        {"href": f"/conseils/{conseil.id}/tirages", "label": _("Tirages au sort")},
        *more,
    ]


def _prepare_body(form: Any) -> DrawPrepare:
    """The draw's plan as the API reads it (``DrawPrepare``); the invitations per stratum
    only when one of them is filled in."""
    data = given(form, ("pool_id", "seats", "odd_seat", "multiple", "label", "place"))
    data["one_per_household"] = form_text(form, "one_per_household") == "oui"
    data["present"] = str(form.get("present", ""))
    strata = sorted(k.split(".", 1)[1] for k in form if k.startswith("invitations."))
    if any(form_text(form, f"invitations.{s}") for s in strata):
        data["invitations"] = _per_stratum(form, "invitations", strata)
    return decode(DrawPrepare, data, labels())


def _deadline(text: str) -> datetime | None:
    """A ``date`` input's day as its last minute in Paris (the API takes a date-time)."""
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(_("Date limite attendue au format AAAA-MM-JJ."), field="deadline") from None
    return datetime.combine(day, time(23, 59), PARIS)


class DrawPages(Controller):
    path = "/conseils/{council_id:int}/tirages"
    include_in_schema = False

    @get("/", opt=allow(Action.READ_DRAW_PUBLIC, "council_id"))
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        conseil = await org.get_council(council_id)
        scope = resource_scope_of(request)
        user = user_of(request)
        return render(
            request,
            "tirage/liste.html",
            titre=_("Tirages au sort"),
            conseil=conseil,
            tirages=await records.list_draws(council_id),
            peut_tirer=is_allowed(user.principal, Action.RUN_DRAW, scope),
            peut_auditer=is_allowed(user.principal, Action.READ_DRAW_AUDIT, scope),
            fil=[*fil(conseil)[:-1], {"label": _("Tirages au sort")}],
        )

    async def _new_form(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        form: dict[str, Any],
        erreurs: dict[str, str],
        proposition: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        conseil = await org.get_council(council_id)
        viviers = await pools_uc.list_pools(council_id)
        pool_id = form.get("pool_id") or (str(viviers[0]["id"]) if viviers else "")
        vivier = next((p for p in viviers if str(p["id"]) == str(pool_id)), None)
        ecartes_foyer = await pools_uc.household_set_aside(int(vivier["id"])) if vivier else None
        return render(
            request,
            "tirage/nouveau.html",
            status_code=status,
            titre=_("Préparer un tirage"),
            conseil=conseil,
            viviers=viviers,
            vivier=vivier,
            form=form,
            erreurs=erreurs,
            proposition=proposition,
            multiple_defaut=draw_plan.DEFAULT_MULTIPLE,
            regle_foyer=HOUSEHOLD_RULE,
            ecartes_foyer=ecartes_foyer,
            fil=fil(conseil, {"label": _("Préparer un tirage")}),
        )

    @get("/nouveau", opt=allow(Action.RUN_DRAW, "council_id"))
    async def new_form(
        self, request: Request[Any, Any, Any], council_id: int, vivier: int | None = None
    ) -> Template:
        form = {"one_per_household": "oui", "multiple": str(draw_plan.DEFAULT_MULTIPLE)}
        if vivier is not None:
            form["pool_id"] = str(vivier)
        return await self._new_form(request, council_id, form, {})

    @post("/nouveau", opt=allow(Action.RUN_DRAW, "council_id"))
    async def new(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        raw = await request.form()
        form = {k: form_text(raw, k) for k in raw}
        if "one_per_household" not in form:
            form["one_per_household"] = "non"
        try:
            body = _prepare_body(raw)
            if form.get("action") == "proposer":
                proposition = await plan.propose_plan(council_id, body.pool_id, body.to_input())
                return await self._new_form(request, council_id, form, {}, proposition)
            d = await ceremony.prepare_draw(
                ctx_of(request),
                actor_of(request),
                council_id,
                body.pool_id,
                body.to_input(),
                label=body.label,
                place=body.place,
                present=body.present,
            )
        except DomainError as exc:
            return await self._new_form(
                request, council_id, form, form_errors(exc), status=status_of(exc)
            )
        return see_other(f"/conseils/{council_id}/tirages/{d['id']}?ok=tirage-prepare")

    async def _page(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        draw_id: int,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
        q: str = "",
    ) -> Template:
        conseil = await org.get_council(council_id)
        etat = await records.draw_state(draw_id, council_id)
        # Names and contact details: this page is the lead's (RUN_DRAW); the auditor's
        # pages and files show keys only.
        personnes = await people_uc.invited_people(ctx_of(request), draw_id, etat["reference"])
        trouvees = (await people_uc.invited_people(
            ctx_of(request), draw_id, etat["reference"], q) if q.strip() else None)
        proposition = None
        if etat["status"] in ("ranked", "rounds"):
            proposition = await rounds.propose_round(draw_id, council_id)
        scope = resource_scope_of(request)
        user = user_of(request)
        return render(
            request,
            "tirage/detail.html",
            status_code=status,
            titre=etat["reference"],
            conseil=conseil,
            t=etat,
            personnes=personnes,
            recherche=q,
            trouvees=trouvees,
            proposition=proposition,
            erreurs=erreurs or {},
            form=form or {},
            viviers=await pools_uc.list_pools(council_id),
            now=ctx_of(request).now(),
            peut_auditer=is_allowed(user.principal, Action.READ_DRAW_AUDIT, scope),
            fil=fil(conseil, {"label": etat["reference"]}),
        )

    @get("/{draw_id:int}", opt=allow(Action.RUN_DRAW, "council_id"))
    async def detail(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, q: str = ""
    ) -> Template:
        return await self._page(request, council_id, draw_id, q=q[:100])

    async def _redisplay(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, raw: Any, exc: DomainError
    ) -> Template:
        """The draw page again, the error next to its field and what was typed kept."""
        return await self._page(
            request, council_id, draw_id, form_errors(exc), status_of(exc), {k: form_text(raw, k) for k in raw}
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        draw_id: int,
        flash: str,
        action: Any,
        target: str = "",
    ) -> Template | Redirect:
        raw = await request.form()
        try:
            await action(raw)
        except DomainError as exc:
            return await self._redisplay(request, council_id, draw_id, raw, exc)
        # The query before the fragment: "…#reponses?ok=…" would lose the confirmation.
        return see_other(f"/conseils/{council_id}/tirages/{draw_id}?ok={flash}{target}")

    @post("/{draw_id:int}/engager", opt=allow(Action.RUN_DRAW, "council_id"))
    async def commit(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            await ceremony.commit_draw(ctx_of(request), actor_of(request), council_id, draw_id)

        draw_url = f"/conseils/{council_id}/tirages/{draw_id}"
        page = await confirm_or_page(
            request, titre=_("Publier l'engagement du tirage"),
            consequences=[
                _("La liste des personnes et le plan du tirage sont figés : ils ne pourront plus changer pour ce tirage."),
                _("L'empreinte de la liste est publiée au registre public : ce tirage ne pourra plus qu'être "
                  "mené à son terme ou abandonné, et un abandon reste public."),
            ],
            action=f"{draw_url}/engager", bouton=_("Publier l'engagement"), retour=draw_url)
        if page is not None:
            return page
        return await self._act(request, council_id, draw_id, "tirage-engage", go)

    @post("/{draw_id:int}/seance", opt=allow(Action.RUN_DRAW, "council_id"))
    async def session(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            await ceremony.update_session_info(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw_id,
                place=form_text(raw, "place"),
                present=str(raw.get("present", "")),
            )

        return await self._act(request, council_id, draw_id, "seance-enregistree", go)

    @post("/{draw_id:int}/alea", opt=allow(Action.RUN_DRAW, "council_id"))
    async def entropy(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            body = entropy_body(raw)
            await ceremony.enter_entropy(
                ctx_of(request), actor_of(request), council_id, draw_id, body.entropy, body.kind
            )
            await ceremony.rank_draw(ctx_of(request), actor_of(request), council_id, draw_id)

        return await self._act(request, council_id, draw_id, "tirage-classe", go)

    @post("/{draw_id:int}/classer", opt=allow(Action.RUN_DRAW, "council_id"))
    async def rank(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            await ceremony.rank_draw(ctx_of(request), actor_of(request), council_id, draw_id)

        return await self._act(request, council_id, draw_id, "tirage-classe", go)

    @post("/{draw_id:int}/tours", opt=allow(Action.RUN_DRAW, "council_id"))
    async def open_round(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            d = await records.get_draw(draw_id, council_id)
            data: dict[str, Any] = {"deadline": _deadline(form_text(raw, "deadline"))}
            if d["status"] == "rounds":  # later rounds: the lead's counts; round 1 follows the plan
                data["counts"] = _per_stratum(raw, "counts", sorted(d["strata_counts"]))
            body = decode(RoundIn, data, labels())
            deadline = body.deadline.astimezone(UTC) if body.deadline else None
            await rounds.open_round(
                ctx_of(request), actor_of(request), council_id, draw_id, body.counts, deadline=deadline
            )

        return await self._act(request, council_id, draw_id, "tour-ouvert", go)

    @post("/{draw_id:int}/tours/{round_no:int}/cloture", opt=allow(Action.RUN_DRAW, "council_id"))
    async def close_round(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            await rounds.close_round(ctx_of(request), actor_of(request), council_id, draw_id, round_no)

        draw_url = f"/conseils/{council_id}/tirages/{draw_id}"
        page = await confirm_or_page(
            request, titre=_("Clore le tour {n}").format(n=round_no),
            consequences=[
                _("Les personnes de ce tour qui n'ont pas répondu sont enregistrées « sans réponse » ; "
                  "ce marquage ne peut pas être annulé."),
                _("Leurs places reviennent aux personnes suivantes de la liste, aux prochains tours."),
            ],
            action=f"{draw_url}/tours/{round_no}/cloture", bouton=_("Clore le tour"), retour=f"{draw_url}#reponses")
        if page is not None:
            return page

        return await self._act(request, council_id, draw_id, "tour-clos", go, "#reponses")

    @post("/{draw_id:int}/reponse", opt=allow(Action.RUN_DRAW, "council_id"))
    async def reply(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            body = decode(ReplyIn, given(raw, ("key", "reply", "correction")), labels())
            await replies.record_reply(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw_id,
                body.key,
                body.reply,
                correction=body.correction,
            )

        return await self._act(request, council_id, draw_id, "reponse-enregistree", go, "#reponses")

    @post("/{draw_id:int}/reponses-csv", opt=allow(Action.RUN_DRAW, "council_id"))
    async def replies_csv(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            upload = raw.get("fichier")
            if upload is None or isinstance(upload, str):
                raise InvalidInput(_("Choisissez un fichier CSV."), field="fichier")
            await replies.import_replies_csv(
                ctx_of(request), actor_of(request), council_id, draw_id, await upload.read()
            )

        return await self._act(request, council_id, draw_id, "reponses-importees", go, "#reponses")

    @post("/{draw_id:int}/depart", opt=allow(Action.RUN_DRAW, "council_id"))
    async def departure(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        async def go(raw: Any) -> None:
            body = decode(KeyIn, given(raw, ("key",)), labels(key="Départ d'un titulaire ou suppléant (clé)"))
            await replies.record_departure(ctx_of(request), actor_of(request), council_id, draw_id, body.key)

        return await self._act(request, council_id, draw_id, "siege-libere", go, "#sieges")

    @post("/{draw_id:int}/abandonner", opt=allow(Action.RUN_DRAW, "council_id"))
    async def abandon(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int
    ) -> Template | Redirect:
        raw = await request.form()
        try:
            body = decode(AbandonIn, given(raw, ("reason", "redo_pool_id")), labels())
            d = await ceremony.abandon_draw(
                ctx_of(request),
                actor_of(request),
                council_id,
                draw_id,
                body.reason,
                redo_pool_id=body.redo_pool_id,
            )
        except DomainError as exc:
            return await self._redisplay(request, council_id, draw_id, raw, exc)
        return see_other(f"/conseils/{council_id}/tirages/{d['id']}?ok=tirage-abandonne")


PAGE_CONTROLLERS = [DrawPages]
