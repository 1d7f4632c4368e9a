"""The agenda: items and sub-items, reordering, members' proposals, attachments.

Every change of the agenda's structure locks the meeting row first (its version and
sequence go up), so two edits of one agenda are serialised and a stale version is a 409.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from domain.errors import InvalidInput, InvalidState, NotFound
from domain.i18n import _
from domain.meetings import AgendaItem, AgendaTree, check_duration
from domain.meetings.attachments import check_attachment
from domain.meetings.model import check_editable, check_title
from service.audit import Actor
from service.context import AppContext
from service.reunions.store import Attachment
from service.reunions.store_minutes import Proposal
from service.reunions.usecases.common import record, store

RAPPORTEUR_MAX = 200


def _rapporteur(raw: str) -> str:
    r = " ".join((raw or "").split())
    if len(r) > RAPPORTEUR_MAX:
        raise InvalidInput(_("Le nom du rapporteur est trop long."), field="rapporteur", code="texte-trop-long")
    return r


async def agenda(ctx: AppContext, meeting_id: int) -> list[AgendaItem]:
    st = store(ctx)
    await st.get_meeting(meeting_id)
    return await st.agenda(meeting_id)


async def _item_of(ctx: AppContext, meeting_id: int, item_id: int) -> AgendaItem:
    item = await store(ctx).get_item(item_id)
    if item.meeting_id != meeting_id:
        raise NotFound(_("Point de l'ordre du jour introuvable."), field="point_id")
    return item


async def add_item(
    ctx: AppContext, actor: Actor, meeting_id: int, titre: str, *, parent_id: int | None = None,
    rapporteur: str = "", duree_minutes: int | None = None, version: int | None = None, kind: str = "",
    ref_id: int | None = None,
) -> AgendaItem:
    st = store(ctx)
    titre, rapporteur = check_title(titre), _rapporteur(rapporteur)
    duree = check_duration(duree_minutes)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, version, ctx.now())
        check_editable(meeting)
        tree = AgendaTree(await st.agenda(meeting_id))
        tree.check_parent(parent_id)
        item_id = await st.insert_item(AgendaItem(
            id=0, meeting_id=meeting_id, parent_id=parent_id, position=tree.next_position(parent_id),
            titre=titre, rapporteur=rapporteur, duree_minutes=duree, kind=kind, ref_id=ref_id), ctx.now())
        await record(ctx, actor, "reunion.point.ajout", meeting, subject_type="reunion_point", subject_id=item_id,
                     details={"reunion_id": meeting_id})
    return next(i for i in await st.agenda(meeting_id) if i.id == item_id)


async def update_item(
    ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, version: int, *, titre: str | None = None,
    rapporteur: str | None = None, duree_minutes: int | None = None, clear_duree: bool = False,
) -> AgendaItem:
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.get_meeting(meeting_id)
        check_editable(meeting)
        item = await _item_of(ctx, meeting_id, item_id)
        changed = replace(
            item,
            titre=check_title(titre) if titre is not None else item.titre,
            rapporteur=_rapporteur(rapporteur) if rapporteur is not None else item.rapporteur,
            duree_minutes=None if clear_duree else (check_duration(duree_minutes) if duree_minutes is not None else item.duree_minutes),
        )
        await st.update_item(changed, version)
        await st.lock_meeting(meeting_id, None, ctx.now())
        await record(ctx, actor, "reunion.point.modification", meeting, subject_type="reunion_point",
                     subject_id=item_id, before={"titre": item.titre}, after={"titre": changed.titre})
    return next(i for i in await st.agenda(meeting_id) if i.id == item_id)


async def move_item(
    ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, version: int, *, parent_id: int | None, index: int
) -> list[AgendaItem]:
    """Place the item at ``index`` (0-based) among ``parent_id``'s children; returns the
    whole agenda renumbered. ``version`` is the item's."""
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        check_editable(meeting)
        item = await _item_of(ctx, meeting_id, item_id)
        if item.version != version:
            raise InvalidState(
                _("Ce point a été modifié par quelqu'un d'autre entre-temps : rechargez la page et recommencez."),
                code="modification-concurrente", field="version")
        items = await st.agenda(meeting_id)
        changes = AgendaTree(items).move(item_id, parent_id, index)
        changes.setdefault(item_id, (item.parent_id, item.position))  # its version goes up even if unmoved
        await st.place_items(changes)
        after = await st.agenda(meeting_id)
        if sorted(i.id for i in after) != sorted(i.id for i in items):  # never lose an item
            raise RuntimeError("agenda items lost while reordering")
        await record(ctx, actor, "reunion.point.deplacement", meeting, subject_type="reunion_point",
                     subject_id=item_id, details={"parent_id": parent_id, "index": index})
    return after


async def delete_item(ctx: AppContext, actor: Actor, meeting_id: int, item_id: int, version: int) -> None:
    """Delete an item and its sub-items; refused while a decision refers to one of them."""
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.lock_meeting(meeting_id, None, ctx.now())
        item = await _item_of(ctx, meeting_id, item_id)
        if item.version != version:
            raise InvalidState(
                _("Ce point a été modifié par quelqu'un d'autre entre-temps : rechargez la page et recommencez."),
                code="modification-concurrente", field="version")
        tree = AgendaTree(await st.agenda(meeting_id))
        doomed = [item_id, *sorted(tree.descendants(item_id))]
        if await st.items_with_decisions(doomed):
            raise InvalidState(
                _("Ce point ne peut pas être supprimé : une décision y est rattachée."),
                code="point-avec-decision", field="point_id")
        check_editable(meeting)
        await st.delete_items(doomed)
        await record(ctx, actor, "reunion.point.suppression", meeting, subject_type="reunion_point",
                     subject_id=item_id, details={"points": len(doomed)})


# --- proposals by members ---------------------------------------------------------


async def propose_item(
    ctx: AppContext, actor: Actor, meeting_id: int, titre: str, texte: str = "", *, account_id: int | None,
) -> Proposal:
    """A member proposes an item; the secretary accepts it into the agenda or refuses it
    with a reason."""
    st = store(ctx)
    titre = check_title(titre)
    if len(texte) > 5000:
        raise InvalidInput(_("Le texte dépasse 5000 caractères."), field="texte", code="texte-trop-long")
    async with ctx.db.transaction():
        meeting = await st.get_meeting(meeting_id)
        check_editable(meeting)
        member = None if account_id is None else await st.member_of_account(meeting.council_id, account_id)
        proposal = await st.insert_proposal(meeting_id, member.id if member else None, account_id, titre,
                                            texte.strip(), ctx.now())
        await record(ctx, actor, "reunion.proposition", meeting, subject_type="reunion_proposition",
                     subject_id=proposal.id)
    return proposal


async def proposals(ctx: AppContext, meeting_id: int) -> list[Proposal]:
    return await store(ctx).proposals(meeting_id)


async def _proposal_of(ctx: AppContext, meeting_id: int, proposal_id: int) -> Proposal:
    p = await store(ctx).get_proposal(proposal_id)
    if p.meeting_id != meeting_id:
        raise NotFound(_("Proposition introuvable."), field="proposition_id")
    if p.status != "proposee":
        raise InvalidState(_("Cette proposition a déjà reçu une réponse."), code="proposition-deja-traitee",
                           field="status")
    return p


async def accept_proposal(
    ctx: AppContext, actor: Actor, meeting_id: int, proposal_id: int, version: int, *, parent_id: int | None = None,
) -> Proposal:
    st = store(ctx)
    async with ctx.db.transaction():
        p = await _proposal_of(ctx, meeting_id, proposal_id)
        item = await add_item(ctx, actor, meeting_id, p.titre, parent_id=parent_id)
        decided = await st.decide_proposal(proposal_id, version, "acceptee", "", item.id, ctx.now())
        await record(ctx, actor, "reunion.proposition.acceptee", None, council_id=(await st.get_meeting(meeting_id)).council_id,
                     subject_type="reunion_proposition", subject_id=proposal_id)
    return decided


async def refuse_proposal(
    ctx: AppContext, actor: Actor, meeting_id: int, proposal_id: int, version: int, reponse: str
) -> Proposal:
    st = store(ctx)
    if not (reponse or "").strip():
        raise InvalidInput(_("Indiquez pourquoi la proposition n'est pas retenue."), field="reponse",
                           code="champ-obligatoire")
    async with ctx.db.transaction():
        await _proposal_of(ctx, meeting_id, proposal_id)
        decided = await st.decide_proposal(proposal_id, version, "refusee", reponse.strip(), None, ctx.now())
        await record(ctx, actor, "reunion.proposition.refusee", None,
                     council_id=(await st.get_meeting(meeting_id)).council_id,
                     subject_type="reunion_proposition", subject_id=proposal_id)
    return decided


# --- attachments ----------------------------------------------------------------------


async def add_attachment(
    ctx: AppContext, actor: Actor, meeting_id: int, filename: str, declared_type: str, data: bytes,
    *, point_id: int | None = None,
) -> Attachment:
    checked = check_attachment(filename, declared_type, data)
    st = store(ctx)
    async with ctx.db.transaction():
        meeting = await st.get_meeting(meeting_id)
        if point_id is not None:
            await _item_of(ctx, meeting_id, point_id)
        digest = hashlib.sha256(data).hexdigest()
        att = await st.insert_attachment(meeting_id, point_id, checked.filename, checked.content_type, data,
                                         digest, actor.id, ctx.now())
        await record(ctx, actor, "reunion.piece_jointe.ajout", meeting, subject_type="reunion_piece_jointe",
                     subject_id=att.id, details={"sha256": digest, "taille": len(data)})
    return att


async def attachments(ctx: AppContext, meeting_id: int) -> list[Attachment]:
    return await store(ctx).attachments(meeting_id)


async def attachment_content(ctx: AppContext, meeting_id: int, attachment_id: int) -> tuple[Attachment, bytes]:
    att, data = await store(ctx).get_attachment(attachment_id)
    if att.meeting_id != meeting_id:
        raise NotFound(_("Pièce jointe introuvable."), field="piece_id")
    return att, data


async def delete_attachment(ctx: AppContext, actor: Actor, meeting_id: int, attachment_id: int) -> None:
    st = store(ctx)
    async with ctx.db.transaction():
        await attachment_content(ctx, meeting_id, attachment_id)
        meeting = await st.get_meeting(meeting_id)
        await st.delete_attachment(attachment_id)
        await record(ctx, actor, "reunion.piece_jointe.suppression", meeting, subject_type="reunion_piece_jointe",
                     subject_id=attachment_id)
