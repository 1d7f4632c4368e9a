"""HTTP API of the meetings: meetings, agenda, members' proposals, attachments.
Attendance, decisions and minutes: api_seance.py; questions, absences, addresses:
api_questions.py. Convocations are the convocations feature's (R-CONVOC)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from domain.access import Action, Role, is_allowed
from domain.errors import Forbidden, InvalidInput
from domain.i18n import _
from domain.meetings.attachments import MAX_BYTES
from service.http.auth import allow, authenticated, resolve_scope
from service.http.common import actor_of, ctx_of, user_of
from service.reunions import schemas as s
from service.reunions.usecases import agenda as ag
from service.reunions.usecases import meetings as mt

TAGS = ["Réunions"]


class ReunionsConseilController(Controller):
    path = "/api/v1/conseils/{council_id:int}/reunions"
    tags = TAGS

    @post("/", operation_id="createReunion", summary="Créer une réunion du conseil",
          opt=allow(Action.MANAGE_MEETINGS, "council_id"), status_code=HTTP_201_CREATED)
    async def create(self, request: Request[Any, Any, Any], council_id: int, data: s.ReunionCreate) -> s.Reunion:
        m = await mt.create_meeting(ctx_of(request), actor_of(request), council_id, mt.MeetingInput(
            titre=data.titre, debut=data.debut, fin=data.fin, lieu=data.lieu, kind=data.kind, publique=data.publique))
        return s.reunion_out(m)

    @get("/", operation_id="listReunions", summary="Lister les réunions du conseil",
         opt=allow(Action.READ_MEETINGS, "council_id"))
    async def list_meetings(self, request: Request[Any, Any, Any], council_id: int) -> list[s.Reunion]:
        return [s.reunion_out(m) for m in await mt.list_meetings(ctx_of(request), council_id)]


class ReunionController(Controller):
    path = "/api/v1/reunions/{reunion_id:int}"
    tags = TAGS

    @get("/", operation_id="getReunion", summary="Consulter une réunion et son ordre du jour",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def detail(self, request: Request[Any, Any, Any], reunion_id: int) -> s.ReunionDetail:
        ctx = ctx_of(request)
        m = await mt.get_meeting(ctx, reunion_id)
        return s.ReunionDetail(reunion=s.reunion_out(m), ordre_du_jour=[s.point_out(i) for i in await ag.agenda(ctx, reunion_id)])

    @patch("/", operation_id="updateReunion", summary="Modifier une réunion (version lue obligatoire)",
           opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def update(self, request: Request[Any, Any, Any], reunion_id: int, data: s.ReunionUpdate) -> s.Reunion:
        m = await mt.update_meeting(ctx_of(request), actor_of(request), reunion_id, mt.MeetingUpdate(
            version=data.version, titre=data.titre, debut=data.debut, fin=data.fin, lieu=data.lieu, kind=data.kind,
            publique=data.publique))
        return s.reunion_out(m)

    @post("/annulation", operation_id="cancelReunion", summary="Annuler une réunion",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def cancel(self, request: Request[Any, Any, Any], reunion_id: int, data: s.VersionIn) -> s.Reunion:
        return s.reunion_out(await mt.cancel_meeting(ctx_of(request), actor_of(request), reunion_id, data.version))

    @post("/report", operation_id="postponeReunion", summary="Reporter une réunion à une nouvelle date",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def postpone(self, request: Request[Any, Any, Any], reunion_id: int, data: s.ReportIn) -> s.Report:
        old, new = await mt.postpone_meeting(ctx_of(request), actor_of(request), reunion_id, data.version,
                                             data.debut, data.fin)
        return s.Report(reportee=s.reunion_out(old), nouvelle=s.reunion_out(new))

    @get("/seconde-convocation", operation_id="getSecondeConvocation",
         summary="Proposition de seconde convocation (quorum non atteint)",
         opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def second_proposal(self, request: Request[Any, Any, Any], reunion_id: int) -> s.SecondeConvocationProposition:
        p = await mt.second_convocation_proposal(ctx_of(request), reunion_id)
        return s.SecondeConvocationProposition(reunion_id=reunion_id, date_au_plus_tot=p.earliest, message=p.message)

    @post("/seconde-convocation", operation_id="createSecondeConvocation",
          summary="Créer la seconde réunion, qui délibère sans quorum",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def second(self, request: Request[Any, Any, Any], reunion_id: int, data: s.SecondeConvocationIn) -> s.Reunion:
        m = await mt.create_second_convocation(ctx_of(request), actor_of(request), reunion_id, data.debut, data.fin,
                                               data.lieu)
        return s.reunion_out(m)

    # --- agenda ------------------------------------------------------------------------

    @get("/ordre-du-jour", operation_id="getOrdreDuJour", summary="Ordre du jour numéroté",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def agenda(self, request: Request[Any, Any, Any], reunion_id: int) -> list[s.Point]:
        return [s.point_out(i) for i in await ag.agenda(ctx_of(request), reunion_id)]

    @post("/ordre-du-jour", operation_id="addPoint", summary="Ajouter un point (ou un sous-point) à l'ordre du jour",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED)
    async def add(self, request: Request[Any, Any, Any], reunion_id: int, data: s.PointCreate) -> s.Point:
        item = await ag.add_item(ctx_of(request), actor_of(request), reunion_id, data.titre, parent_id=data.parent_id,
                                 rapporteur=data.rapporteur, duree_minutes=data.duree_minutes, version=data.version)
        return s.point_out(item)

    @patch("/ordre-du-jour/{point_id:int}", operation_id="updatePoint", summary="Modifier un point de l'ordre du jour",
           opt=allow(Action.MANAGE_MEETINGS, "reunion_id"))
    async def update_point(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int,
                           data: s.PointUpdate) -> s.Point:
        item = await ag.update_item(ctx_of(request), actor_of(request), reunion_id, point_id, data.version,
                                    titre=data.titre, rapporteur=data.rapporteur, duree_minutes=data.duree_minutes,
                                    clear_duree="duree_minutes" in data.model_fields_set and data.duree_minutes is None)
        return s.point_out(item)

    @post("/ordre-du-jour/{point_id:int}/deplacement", operation_id="movePoint",
          summary="Déplacer un point (nouveau parent, nouvelle place)",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def move(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int,
                   data: s.PointMove) -> list[s.Point]:
        items = await ag.move_item(ctx_of(request), actor_of(request), reunion_id, point_id, data.version,
                                   parent_id=data.parent_id, index=data.index)
        return [s.point_out(i) for i in items]

    @delete("/ordre-du-jour/{point_id:int}", operation_id="deletePoint",
            summary="Supprimer un point et ses sous-points (refusé si une décision s'y rattache)",
            opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_204_NO_CONTENT)
    async def remove(self, request: Request[Any, Any, Any], reunion_id: int, point_id: int, version: int) -> None:
        await ag.delete_item(ctx_of(request), actor_of(request), reunion_id, point_id, version)

    # --- proposals by members ---------------------------------------------------------

    @get("/propositions", operation_id="listPropositions", summary="Points proposés par les membres",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def proposals(self, request: Request[Any, Any, Any], reunion_id: int) -> list[s.Proposition]:
        return [s.proposition_out(p) for p in await ag.proposals(ctx_of(request), reunion_id)]

    @post("/propositions", operation_id="proposePoint", summary="Proposer un point (membre du conseil)",
          opt=authenticated(), status_code=HTTP_201_CREATED)
    async def propose(self, request: Request[Any, Any, Any], reunion_id: int, data: s.PropositionCreate) -> s.Proposition:
        user = user_of(request)
        scope = await resolve_scope("reunion_id", {"reunion_id": reunion_id})
        member_of_council = any(a.role is Role.MEMBRE and a.council_id == scope.council_id
                                for a in user.principal.assignments)
        if not (member_of_council or is_allowed(user.principal, Action.MANAGE_MEETINGS, scope)):
            raise Forbidden(_("Seuls les membres du conseil proposent des points à l'ordre du jour."))
        p = await ag.propose_item(ctx_of(request), actor_of(request), reunion_id, data.titre, data.texte,
                                  account_id=user.account_id)
        return s.proposition_out(p)

    @post("/propositions/{proposition_id:int}/acceptation", operation_id="acceptProposition",
          summary="Accepter une proposition : elle devient un point de l'ordre du jour",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def accept(self, request: Request[Any, Any, Any], reunion_id: int, proposition_id: int,
                     data: s.PropositionAccept) -> s.Proposition:
        p = await ag.accept_proposal(ctx_of(request), actor_of(request), reunion_id, proposition_id, data.version,
                                     parent_id=data.parent_id)
        return s.proposition_out(p)

    @post("/propositions/{proposition_id:int}/refus", operation_id="refuseProposition",
          summary="Refuser une proposition en expliquant pourquoi",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=200)
    async def refuse(self, request: Request[Any, Any, Any], reunion_id: int, proposition_id: int,
                     data: s.PropositionRefuse) -> s.Proposition:
        p = await ag.refuse_proposal(ctx_of(request), actor_of(request), reunion_id, proposition_id, data.version,
                                     data.reponse)
        return s.proposition_out(p)

    # --- attachments --------------------------------------------------------------------

    @get("/pieces-jointes", operation_id="listPiecesJointes", summary="Documents joints à l'ordre du jour",
         opt=allow(Action.READ_MEETINGS, "reunion_id"))
    async def attachments(self, request: Request[Any, Any, Any], reunion_id: int) -> list[s.PieceJointe]:
        return [s.piece_out(a) for a in await ag.attachments(ctx_of(request), reunion_id)]

    @post("/pieces-jointes", operation_id="uploadPieceJointe",
          summary="Joindre un document (PDF, ODT, PNG ou JPEG ; formulaire multipart, champ « fichier »)",
          opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_201_CREATED,
          request_max_body_size=MAX_BYTES + 64 * 1024)
    async def upload(self, request: Request[Any, Any, Any], reunion_id: int) -> s.PieceJointe:
        try:
            form = await request.form()
        except Exception:  # not a form at all
            raise InvalidInput(_("Envoyez le document dans un formulaire multipart, champ « fichier »."),
                               field="fichier", code="fichier-manquant") from None
        upload = form.get("fichier")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(_("Aucun fichier reçu : champ « fichier » attendu."), field="fichier",
                               code="fichier-manquant")
        raw_point = str(form.get("point_id") or "").strip()
        if raw_point and not raw_point.isdigit():
            raise InvalidInput(_("Le point doit être un identifiant numérique."), field="point_id")
        data = await upload.read()
        att = await ag.add_attachment(ctx_of(request), actor_of(request), reunion_id, upload.filename or "",
                                      upload.content_type or "", data, point_id=int(raw_point) if raw_point else None)
        return s.piece_out(att)

    @get("/pieces-jointes/{piece_id:int}", operation_id="downloadPieceJointe", summary="Télécharger un document joint",
         opt=allow(Action.READ_MEETINGS, "reunion_id"), media_type="application/octet-stream")
    async def download(self, request: Request[Any, Any, Any], reunion_id: int, piece_id: int) -> Response[bytes]:
        att, data = await ag.attachment_content(ctx_of(request), reunion_id, piece_id)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in att.filename)
        return Response(data, media_type=att.content_type, headers={
            "Content-Disposition": f'attachment; filename="{safe}"', "X-Content-Type-Options": "nosniff"})

    @delete("/pieces-jointes/{piece_id:int}", operation_id="deletePieceJointe", summary="Retirer un document joint",
            opt=allow(Action.MANAGE_MEETINGS, "reunion_id"), status_code=HTTP_204_NO_CONTENT)
    async def remove_attachment(self, request: Request[Any, Any, Any], reunion_id: int, piece_id: int) -> None:
        await ag.delete_attachment(ctx_of(request), actor_of(request), reunion_id, piece_id)


def handlers() -> list[Any]:
    from service.reunions.api_questions import QUESTION_HANDLERS
    from service.reunions.api_seance import SEANCE_HANDLERS

    return [ReunionsConseilController, ReunionController, *SEANCE_HANDLERS, *QUESTION_HANDLERS]

