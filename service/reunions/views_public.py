"""What the meetings pages show of residents' questions, the public pages and the member's
own page, read through the feature's use cases (presentation only)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from domain.errors import InvalidInput, NotFound
from domain.i18n import _
from domain.meetings import Question
from service.audit import Actor
from service.context import AppContext
from service.http.forms import optional_int
from service.reunions.usecases import agenda as ua
from service.reunions.usecases import meetings as um
from service.reunions.usecases import minutes as umin
from service.reunions.usecases import questions as uq
from service.reunions.usecases.acknowledgements import ANSWERS
from service.reunions.usecases.common import store
from service.reunions.views_minutes import diff_html, minutes_view

# --- questions -------------------------------------------------------------------------


def today(ctx: AppContext) -> date:
    return um.today(ctx)


class QuestionView(TypedDict):
    """A resident's question as the pages show it."""

    id: int | None
    texte: str
    date_posee: date
    origine_label: str
    destinataire_label: str
    statut_label: str
    reponse: str
    repondue_le: date | None
    delai_jours: int | None
    version: int


def _question_view(q: Question) -> QuestionView:
    return {"id": q.id, "texte": q.texte, "date_posee": q.raised_on, "origine_label": q.channel.label,
            "destinataire_label": q.addressee.label, "statut_label": q.status.label, "reponse": q.reponse,
            "repondue_le": q.answered_on, "delai_jours": q.answer_delay_days, "version": q.version}


async def questions(ctx: AppContext, council_id: int) -> list[QuestionView]:
    rows = await uq.list_questions(ctx, council_id)
    return [_question_view(q) for q in sorted(rows, key=lambda q: (q.raised_on, q.id or 0), reverse=True)]


def _optional_day(values: dict[str, str], field: str, label: str) -> date | None:
    """The form's date field, or None when left empty."""
    raw = values.get(field)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("{label} : date invalide (attendu : JJ/MM/AAAA).").format(label=label), field=field) from None


async def record_question(ctx: AppContext, actor: Actor, council_id: int, values: dict[str, str]) -> None:
    raised = _optional_day(values, "raised_on", _("Date"))
    await uq.record_question(ctx, actor, council_id, values.get("texte", ""), values.get("destinataire", ""),
                             channel="reunion", raised_on=raised,
                             meeting_id=optional_int(values.get("reunion_id", ""), "reunion_id", _("Réunion")))


async def answer_question(ctx: AppContext, actor: Actor, council_id: int, question_id: int,
                          values: dict[str, str]) -> None:
    on = _optional_day(values, "answered_on", _("Date de la réponse"))
    q = await store(ctx).get_question(question_id)
    await uq.answer_question(ctx, actor, question_id, values.get("reponse", ""), q.version, answered_on=on,
                             council_id=council_id)


async def check_question_rate(ctx: AppContext, client: str) -> None:
    """The public forms' rate limit (the application form's), counted apart for questions."""
    from service.candidatures.usecases.public_form import check_rate

    await check_rate(ctx, f"questions:{client}")


async def submit_public_question(ctx: AppContext, council_id: int, values: dict[str, Any]) -> None:
    if not values.get("consentement"):
        raise InvalidInput(_("Consentement : cochez la case pour que votre question soit publiée."),
                           field="consentement", code="consentement-manquant")
    author = " — ".join(x for x in (values.get("nom", ""), values.get("contact", "")) if x)
    await uq.record_question(ctx, Actor.system("formulaire public des questions"), council_id,
                             values.get("texte", ""), values.get("destinataire", ""), channel="formulaire",
                             auteur=author[:200])


# --- public pages ----------------------------------------------------------------------


async def public_board(ctx: AppContext, council_id: int) -> dict[str, Any]:
    now = ctx.now()
    upcoming: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for m in sorted(await um.list_meetings(ctx, council_id, publique_only=True), key=lambda m: m.debut):
        items = [i for i in await ua.agenda(ctx, m.id or 0) if i.kind != "question"]
        entry: dict[str, Any] = {"reunion": m, "points": items, "compte_rendu": None}
        published = [v for v in await umin.versions(ctx, m.id or 0) if v.state.value == "publie"]
        if published:
            entry["compte_rendu"] = minutes_view(published[-1], None)
        (upcoming if m.fin >= now and m.status.value in ("prevue", "convoquee", "reportee", "annulee")
         else past).append(entry)
    past.reverse()
    return {"a_venir": upcoming, "passees": past,
            "questions": [q for q in await questions(ctx, council_id)]}


async def public_minutes(ctx: AppContext, council_id: int, meeting_id: int, version: int | None) -> dict[str, Any]:
    meeting = await um.get_meeting(ctx, meeting_id)
    published = [v for v in await umin.versions(ctx, meeting_id) if v.state.value == "publie"]
    if meeting.council_id != council_id or not meeting.publique or not published:
        raise NotFound(_("Aucun compte rendu publié pour cette réunion."))
    chosen = next((v for v in published if v.numero_version == version), published[-1])
    idx = published.index(chosen)
    diff = diff_html(published[idx - 1].texte, chosen.texte) if idx > 0 else ""
    return {"reunion": meeting, "cr": minutes_view(chosen, None), "difference": diff,
            "pdf_cr": f"/conseils/{council_id}/reunions/{meeting_id}/compte-rendu/pdf"
            if chosen is published[-1] else "",
            "anciennes": [minutes_view(v, None) for v in published if v is not chosen]}


# --- the member's own page --------------------------------------------------------------


async def my_meetings(ctx: AppContext, account_id: int) -> dict[str, Any]:
    from service.composition.usecases import members as composition
    from service.reunions.usecases import convocations as uc

    councils: list[dict[str, Any]] = []
    seen: set[int] = set()
    for mb in await composition.my_memberships(account_id):
        cid = mb.council
        if cid in seen:
            continue
        seen.add(cid)
        member = await store(ctx).member_of_account(cid, account_id)
        entries = []
        for m in sorted(await um.list_meetings(ctx, cid), key=lambda m: m.debut, reverse=True):
            conv = None
            if member is not None:
                mine = [r for r in await uc.list_convocations(ctx, m.id or 0) if r.membre_id == member.id]
                if mine:
                    r = mine[0]
                    conv = {"envoyee_le": r.sent_at, "accuse_le": r.acknowledged_at,
                            "reponse": _(ANSWERS[r.answer]) if r.answer in ANSWERS else "",
                            "pdf": f"/reunions/{m.id}/convocations/{r.id}/pdf"}
            entries.append({"reunion": m, "convocation": conv})
        councils.append({"id": cid, "name": mb.council_name, "reunions": entries, "membre": member})
    return {"conseils": councils}


async def renew_feed(ctx: AppContext, actor: Actor, account_id: int) -> str:
    from service.reunions import calendars

    for c in (await my_meetings(ctx, account_id))["conseils"]:
        if c["membre"] is not None:
            return (await calendars.regenerate_link(ctx, actor, c["id"], c["membre"].id)).url
    raise InvalidInput(_("Votre compte n'est lié à aucun membre d'un conseil : pas d'agenda personnel."),
                       field="compte", code="pas-membre")


async def revoke_feed(ctx: AppContext, actor: Actor, account_id: int) -> None:
    from service.reunions import calendars

    for c in (await my_meetings(ctx, account_id))["conseils"]:
        if c["membre"] is not None:
            await calendars.revoke_link(ctx, actor, c["id"], c["membre"].id)


async def public_minutes_pdf(ctx: AppContext, council_id: int, meeting_id: int) -> bytes:
    from service.reunions.usecases.minutes_document import minutes_document

    meeting = await um.get_meeting(ctx, meeting_id)
    if meeting.council_id != council_id or not meeting.publique:
        raise NotFound(_("Aucun compte rendu publié pour cette réunion."))
    return await minutes_document(ctx, meeting_id, published_only=True)


async def end_mandate_for_absences(ctx: AppContext, actor: Actor, council_id: int, member_id: int) -> str:
    """The lead confirms the proposal: the composition's own lifecycle does the rest."""
    from service.composition.usecases import members as composition
    from service.reunions.usecases import attendance as uatt

    member = await composition.get_member(member_id, council_id)
    result = await uatt.confirm_absence_end(ctx, actor, council_id, member_id, member.version)
    return result.message or _("Fin du mandat pour absences enregistrée.")
