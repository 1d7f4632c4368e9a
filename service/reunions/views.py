"""What the meetings pages show, read through the feature's use cases and shaped for the
templates (names, labels, the agenda as a tree). Presentation only: every rule and every
write is the use cases' (the same ones the API calls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import DomainError, InvalidInput, NotFound
from domain.i18n import _
from domain.meetings import AgendaItem, Meeting
from service.audit import Actor
from service.context import AppContext
from service.organisation.store import CouncilRow
from service.reunions.schemas import ReunionCreate
from service.reunions.store import MemberRef
from service.reunions.usecases import agenda as ua
from service.reunions.usecases import attendance as uatt
from service.reunions.usecases import meetings as um
from service.reunions.usecases.common import store


async def council(council_id: int) -> CouncilRow:
    from service.organisation.usecases import get_council

    return await get_council(council_id)


async def meetings_of(ctx: AppContext, council_id: int) -> list[Meeting]:
    rows = await um.list_meetings(ctx, council_id)
    return sorted(rows, key=lambda m: m.debut, reverse=True)


async def meeting(ctx: AppContext, meeting_id: int) -> Meeting:
    return await um.get_meeting(ctx, meeting_id)


async def create_meeting(ctx: AppContext, actor: Actor, council_id: int, body: ReunionCreate) -> Meeting:
    return await um.create_meeting(ctx, actor, council_id, um.MeetingInput(
        titre=body.titre, debut=body.debut, fin=body.fin, lieu=body.lieu or "",
        kind=body.kind or "pleniere", publique=bool(body.publique)))


async def update_meeting(ctx: AppContext, actor: Actor, meeting_id: int, values: dict[str, Any], body: ReunionCreate) -> Meeting:
    return await um.update_meeting(ctx, actor, meeting_id, um.MeetingUpdate(
        version=_int(values.get("version")), titre=body.titre, debut=body.debut, fin=body.fin,
        lieu=body.lieu or "", publique=bool(body.publique)))


async def cancel_meeting(ctx: AppContext, actor: Actor, meeting_id: int, version: Any = None) -> Meeting:
    current = await um.get_meeting(ctx, meeting_id)
    return await um.cancel_meeting(ctx, actor, meeting_id, _int(version) if version else current.version)


async def postpone_meeting(ctx: AppContext, actor: Actor, meeting_id: int, debut: datetime, fin: datetime) -> Meeting:
    current = await um.get_meeting(ctx, meeting_id)
    _old, new = await um.postpone_meeting(ctx, actor, meeting_id, current.version, debut, fin)
    return new


def _int(raw: Any) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return -1


# --- agenda ---------------------------------------------------------------------------


@dataclass
class Node:
    id: int
    numero: str
    titre: str
    rapporteur: str
    duree_minutes: int | None
    kind: str
    version: int
    enfants: list[Node] = field(default_factory=list)
    premier: bool = False
    dernier: bool = False


def tree(items: list[AgendaItem]) -> list[Node]:
    """The numbered items (reading order, parents first) as nested nodes."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    for i in items:
        node = Node(i.id, i.numero, i.titre, i.rapporteur, i.duree_minutes, i.kind, i.version)
        nodes[i.id] = node
        parent = nodes.get(i.parent_id) if i.parent_id is not None else None
        (parent.enfants if parent is not None else roots).append(node)

    def mark(siblings: list[Node]) -> None:
        for k, n in enumerate(siblings):
            n.premier, n.dernier = k == 0, k == len(siblings) - 1
            mark(n.enfants)

    mark(roots)
    return roots


async def agenda(ctx: AppContext, meeting_id: int) -> list[AgendaItem]:
    return await ua.agenda(ctx, meeting_id)


async def add_item(ctx: AppContext, actor: Actor, meeting_id: int, body: Any) -> AgendaItem:
    return await ua.add_item(ctx, actor, meeting_id, body.titre, parent_id=body.parent_id,
                             rapporteur=body.rapporteur or "", duree_minutes=body.duree_minutes)


async def edit_item(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, values: dict[str, Any]) -> None:
    await ua.update_item(ctx, actor, meeting_id, item_id, _int(values.get("version")), titre=values["titre"],
                         rapporteur=values["rapporteur"], duree_minutes=values["duree_minutes"],
                         clear_duree=values["duree_minutes"] is None)


async def move_item(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, *, up: bool, version: Any) -> None:
    """One place up or down among the item's siblings (the use case renumbers)."""
    items = await ua.agenda(ctx, meeting_id)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound(_("Point de l'ordre du jour introuvable."), field="point_id")
    siblings = [i.id for i in items if i.parent_id == item.parent_id]
    index = siblings.index(item_id) + (-1 if up else 1)
    await ua.move_item(ctx, actor, meeting_id, item_id, _int(version), parent_id=item.parent_id,
                       index=max(0, index))


async def delete_item(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, version: Any) -> None:
    await ua.delete_item(ctx, actor, meeting_id, item_id, _int(version))


async def attachments_by_item(ctx: AppContext, meeting_id: int) -> dict[int | None, list[Any]]:
    out: dict[int | None, list[Any]] = {}
    for a in await ua.attachments(ctx, meeting_id):
        out.setdefault(a.point_id, []).append(a)
    return out


async def attach(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, filename: str, content_type: str,
                 data: bytes) -> None:
    if not data:
        raise InvalidInput(_("Document : choisissez un fichier à joindre."), field="fichier", code="champ-obligatoire")
    await ua.add_attachment(ctx, actor, meeting_id, filename, content_type, data, point_id=item_id)


async def attachment(ctx: AppContext, meeting_id: int, attachment_id: int) -> tuple[Any, bytes]:
    return await ua.attachment_content(ctx, meeting_id, attachment_id)


# --- members' proposals ----------------------------------------------------------------

PROPOSAL_LABELS = {"proposee": "En attente", "acceptee": "Inscrite à l'ordre du jour", "refusee": "Refusée"}


async def proposals(ctx: AppContext, meeting: Meeting) -> list[dict[str, Any]]:
    st = store(ctx)
    out = []
    for p in await ua.proposals(ctx, meeting.id or 0):
        author = ""
        if p.membre_id is not None:
            try:
                author = (await st.member(p.membre_id)).display_name
            except DomainError:
                author = ""
        out.append({"id": p.id, "titre": p.titre, "texte": p.texte, "auteur": author or _("un membre"),
                    "proposee_le": p.created_at, "etat": p.status,
                    "etat_label": _(PROPOSAL_LABELS.get(p.status, p.status)), "motif_refus": p.reponse,
                    "version": p.version})
    return out


async def member_of(ctx: AppContext, council_id: int, account_id: int) -> MemberRef | None:
    return await store(ctx).member_of_account(council_id, account_id)


async def propose(ctx: AppContext, actor: Actor, account_id: int, meeting_id: int, values: dict[str, str]) -> None:
    from domain.errors import Forbidden

    current = await um.get_meeting(ctx, meeting_id)
    if await store(ctx).member_of_account(current.council_id, account_id) is None:
        raise Forbidden(_("Seuls les membres du conseil proposent des points à l'ordre du jour."),
                        code="pas-membre")
    await ua.propose_item(ctx, actor, meeting_id, values["titre"], values["texte"], account_id=account_id)


async def decide_proposal(ctx: AppContext, actor: Actor, meeting_id: int, proposal_id: int, accept: bool,
                          reason: str) -> None:
    p = await store(ctx).get_proposal(proposal_id)
    if accept:
        await ua.accept_proposal(ctx, actor, meeting_id, proposal_id, p.version)
    else:
        await ua.refuse_proposal(ctx, actor, meeting_id, proposal_id, p.version, reason)


async def pending_questions(ctx: AppContext, meeting: Meeting) -> list[Any]:
    """Before the convocation, the open questions that will join the agenda (after it,
    they are items of the agenda themselves)."""
    if meeting.status.value != "prevue":
        return []
    return [{"texte": q.texte, "date_posee": q.raised_on}
            for q in await store(ctx).questions(meeting.council_id) if q.status.value == "ouverte"]


# --- attendance and quorum -------------------------------------------------------------


async def attendance(ctx: AppContext, meeting: Meeting) -> dict[str, Any]:
    view = await uatt.attendance(ctx, meeting.id or 0)
    names = {m.id: m.display_name for m in view.members}
    holders = {r.porteur_id: g for g, r in view.rows.items() if r.porteur_id is not None}
    members: list[dict[str, Any]] = []
    for m in sorted(view.members, key=lambda x: (x.nom.lower(), x.prenom.lower())):
        row = view.rows.get(m.id)
        members.append({
            "id": m.id, "nom": m.display_name,
            "siege": _("Titulaire") if m.titulaire else _("Suppléant"),
            "etat": row.presence.value if row else "", "etat_label": row.presence.label if row else "",
            "pouvoir_a_id": row.porteur_id if row else None,
            "pouvoir_a": names.get(row.porteur_id, "") if row and row.porteur_id else "",
            "porteur_de": names.get(holders[m.id], "") if m.id in holders else "",
        })
    await _with_answers(ctx, meeting, members, names)
    present_ids = [int(x["id"]) for x in members if x["etat"] == "present"]
    second = None
    if meeting.status.value == "quorum_non_atteint":
        second = next((x for x in await um.list_meetings(ctx, meeting.council_id)
                       if x.second_convocation_of == meeting.id and x.status.value != "annulee"), None)
    return {
        "membres": members,
        "porteurs": [{"id": i, "nom": names[i]} for i in present_ids],
        "quorum": view.quorum, "nb_pouvoirs": len(view.proxies),
        # Before the first tap the quorum is not "missed" yet: the page shows it as pending.
        "emargement_commence": any(x["etat"] for x in members),
        "ouvert": meeting.status.value == "convoquee",
        "seconde_convocation_proposee": meeting.status.value == "quorum_non_atteint",
        "seconde": second,
    }


async def _with_answers(ctx: AppContext, meeting: Meeting, members: list[dict[str, Any]], names: dict[int, str]) -> None:
    """What each member answered to the convocation, shown beside them (the secretary
    records the sitting; the answer pre-selects the proxy's holder)."""
    from service.reunions.usecases import convocations as uc

    answers = {r.membre_id: r for r in await uc.list_convocations(ctx, meeting.id or 0)}
    labels = {"present": _("présent"), "absent_excuse": _("absent excusé")}
    for mb in members:
        row = answers.get(mb["id"])
        mb["reponse"], mb["pouvoir_souhaite_id"] = "", None
        if row is None or not row.answer:
            continue
        if row.answer == "pouvoir" and row.proxy_holder_id is not None:
            mb["reponse"] = _("pouvoir donné à {n}").format(n=names.get(row.proxy_holder_id, ""))
            mb["pouvoir_souhaite_id"] = row.proxy_holder_id
        else:
            mb["reponse"] = labels.get(row.answer, "")


async def record_presence(ctx: AppContext, actor: Actor, meeting_id: int, member_id: int, state: str) -> None:
    await uatt.record_presence(ctx, actor, meeting_id, member_id, state)


async def give_proxy(ctx: AppContext, actor: Actor, meeting_id: int, member_id: int, holder_id: int | None) -> None:
    if holder_id is None:
        await uatt.withdraw_proxy(ctx, actor, meeting_id, member_id)
    else:
        await uatt.give_proxy(ctx, actor, meeting_id, member_id, holder_id)


async def close_attendance(ctx: AppContext, actor: Actor, meeting_id: int) -> None:
    current = await um.get_meeting(ctx, meeting_id)
    await uatt.close_attendance(ctx, actor, meeting_id, current.version)


async def second_convocation(ctx: AppContext, actor: Actor, meeting_id: int, debut: datetime, fin: datetime) -> Meeting:
    return await um.create_second_convocation(ctx, actor, meeting_id, debut, fin)


# --- decisions -------------------------------------------------------------------------


async def decisions(ctx: AppContext, meeting: Meeting) -> dict[str, Any]:
    from domain.meetings.attendance import VoteResult

    items = [i for i in await ua.agenda(ctx, meeting.id or 0) if i.kind != "questions"]
    latest: dict[int, Any] = {}
    for d in await uatt.decisions(ctx, meeting.id or 0):
        result = VoteResult(d.consensus, d.pour, d.contre, d.abstention, d.adopte, bool(d.voix_president))
        latest[d.point_id] = {"texte": d.texte, "consensus": d.consensus, "pour": d.pour, "contre": d.contre,
                              "abstention": d.abstention, "message": result.message}
    return {"points": items, "decisions": latest, "peut_decider": meeting.status.value == "tenue"}


async def record_decision(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, texte: str, consensus: bool,
                          counts: dict[str, int | None]) -> None:
    await uatt.record_decision(ctx, actor, meeting_id, item_id, texte=texte, consensus_=consensus,
                               pour=counts["pour"] or 0, contre=counts["contre"] or 0,
                               abstention=counts["abstention"] or 0)


# --- absences --------------------------------------------------------------------------


async def absence_cases(ctx: AppContext, council_id: int) -> list[dict[str, Any]]:
    return [{"membre_id": c.member.id, "nom": c.member.display_name, "serie": c.proposal.streak,
             "dates": c.proposal.dates, "message": c.proposal.message}
            for c in await uatt.absence_proposals(ctx, council_id)]


# --- convocations ----------------------------------------------------------------------

CHANNELS = {"email": "Courriel", "courrier": "Courrier"}


async def convocations(ctx: AppContext, meeting: Meeting) -> dict[str, Any]:
    """The convocations feature's board, with the page's links and the notice rule."""
    from service.documents.formatting import format_date_long
    from service.reunions.usecases.common import council_settings
    from service.reunions.usecases.convocation_board import convocation_board

    board = await convocation_board(ctx, meeting.id or 0)
    css = {"envoi": "en_attente", "a_poster": "en_attente", "poste": "envoye"}
    out = [{
        "nom": line.member_name, "canal": line.channel_label, "envoyee_le": line.sent_at, "sha256": line.sha256,
        "etat": css.get(line.state, line.state), "etat_label": line.state_label, "erreur": line.error,
        "accuse_le": line.acknowledged_at, "reponse": line.answer_label, "remplacee": False,
        "pdf": f"/reunions/{meeting.id}/convocations/{line.convocation_id}/pdf",
    } for line in board.lines]
    settings, _c = await council_settings(meeting.council_id)
    return {
        "convocations": out,
        "version_convocation": board.version,
        "convocable": meeting.status.value in ("prevue", "convoquee"),
        "lot_papier": f"/api/v1/reunions/{meeting.id}/convocations/courrier.pdf" if board.to_post else "",
        "courriel_absent": not ctx.settings.smtp_url and any(x["canal"] == _("courriel") for x in out),
        "delai_texte": _("Règle du conseil : au moins {n} jours francs entre l'envoi et la réunion du {d} "
                         "(ni le jour d'envoi ni celui de la réunion ne comptent).").format(
            n=settings.delai_convocation_jours_francs, d=format_date_long(meeting.on)),
    }


async def mark_posted(ctx: AppContext, actor: Actor, meeting_id: int) -> None:
    from service.reunions.usecases import convocation_post

    await convocation_post.mark_posted(ctx, actor, meeting_id)


async def send_convocations(ctx: AppContext, actor: Actor, meeting_id: int, urgence: bool, motif: str) -> None:
    from service.reunions.usecases import convocations as uc

    await uc.send_convocations(ctx, actor, meeting_id, urgence=urgence, motif=motif)


async def convocation_pdf(ctx: AppContext, meeting_id: int, convocation_id: int, account_id: int | None) -> bytes:
    """One convocation's PDF: for the secretary, or for the member it was sent to
    (``account_id`` given: checked against the member's account)."""
    from service.reunions.store_convocations import ConvocationStore
    from service.reunions.usecases import convocations as uc

    rows = {r.id: r for r in await uc.list_convocations(ctx, meeting_id, all_versions=True)}
    row = rows.get(convocation_id)
    if row is None:
        raise NotFound(_("Convocation introuvable."), field="convocation_id")
    if account_id is not None:
        member = await store(ctx).member(row.membre_id)
        if member.account_id != account_id:
            raise NotFound(_("Convocation introuvable."), field="convocation_id")
    pdfs = await ConvocationStore(ctx.db).pdfs([convocation_id])
    return pdfs[convocation_id]
