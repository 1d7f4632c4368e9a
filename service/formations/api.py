"""HTTP API of the training feature: decode → use case → encode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.status_codes import HTTP_201_CREATED

from domain.access import Action
from domain.training import EnrolmentStatus
from service.formations import schemas as s
from service.formations.documents import attendance_sheet_pdf, attestations_pdf, invitations_pdf
from service.formations.issuer import issuer_of
from service.formations.store import SessionRow, TrainingStore
from service.formations.usecases import attendance, enrolment, schedule
from service.formations.usecases.schedule import SessionInput, TrainingInput
from service.http.auth import allow
from service.http.common import actor_of, ctx_of, user_of

PDF = "application/pdf"


def store_of(request: Request[Any, Any, Any]) -> TrainingStore:
    return TrainingStore(ctx_of(request).db)


def _training_input(data: s.FormationCreate) -> TrainingInput:
    return TrainingInput(titre=data.titre, theme=data.theme, objectifs=data.objectifs, organisme=data.organisme,
                         public=data.public, auto_inscription=data.auto_inscription, date_debut=data.date_debut,
                         date_fin=data.date_fin, rappel_jours=data.rappel_jours, conseils=tuple(data.conseils))


def _session_input(data: s.SeanceCreate) -> SessionInput:
    return SessionInput(debut=data.debut, fin=data.fin, pause_debut=data.pause_debut, pause_fin=data.pause_fin,
                        lieu=data.lieu, lien_visio=data.lien_visio, capacite=data.capacite)


async def counted(store: TrainingStore, sessions: Sequence[SessionRow]) -> list[s.Seance]:
    rows = await store.enrolments([x.id for x in sessions])
    out = []
    for x in sessions:
        mine = [e for e in rows if e.seance_id == x.id]
        out.append(s.Seance.of(x, sum(1 for e in mine if e.status is EnrolmentStatus.INSCRIT),
                               sum(1 for e in mine if e.status is EnrolmentStatus.ATTENTE)))
    return out


async def formation_out(store: TrainingStore, x: schedule.Schedule) -> s.Formation:
    """A training with its sessions, each with its enrolled and waiting counts."""
    return s.Formation.of(x.training, await counted(store, x.sessions))


def pdf_response(content: bytes, filename: str) -> Response[bytes]:
    return Response(content, media_type=PDF, headers={"Content-Disposition": f'inline; filename="{filename}"'})


class TerritoryTrainingController(Controller):
    path = "/api/v1/territoires/{territory_id:int}/formations"
    tags = ["Formations"]

    @get("/", operation_id="listTerritoryTrainings", opt=allow(Action.READ_TRAININGS, "territory_id"),
         summary="Programme de formation du territoire")
    async def list_(self, request: Request[Any, Any, Any], territory_id: int) -> list[s.Formation]:
        store = store_of(request)
        return [await formation_out(store, x) for x in await schedule.schedule_of_territory(store, territory_id)]

    @post("/", operation_id="createTraining", opt=allow(Action.MANAGE_TRAININGS, "territory_id"), status_code=HTTP_201_CREATED,
          summary="Créer une formation")
    async def create(self, request: Request[Any, Any, Any], territory_id: int, data: s.FormationCreate) -> s.Formation:
        row = await schedule.create_training(ctx_of(request), actor_of(request), store_of(request), territory_id, _training_input(data))
        return s.Formation.of(row)


class TrainingController(Controller):
    path = "/api/v1/formations/{formation_id:int}"
    tags = ["Formations"]

    @get("/", operation_id="getTraining", opt=allow(Action.READ_TRAININGS, "formation_id"), summary="Une formation et ses séances")
    async def get_(self, request: Request[Any, Any, Any], formation_id: int) -> s.Formation:
        store = store_of(request)
        return await formation_out(store, await schedule.schedule_of(store, formation_id))

    @patch("/", operation_id="updateTraining", opt=allow(Action.MANAGE_TRAININGS, "formation_id"), summary="Modifier une formation")
    async def update(self, request: Request[Any, Any, Any], formation_id: int, data: s.FormationUpdate) -> s.Formation:
        row = await schedule.update_training(ctx_of(request), actor_of(request), store_of(request), formation_id, data.version,
                                             _training_input(data))
        return s.Formation.of(row)

    @post("/seances", operation_id="addTrainingSession", opt=allow(Action.MANAGE_TRAININGS, "formation_id"),
          status_code=HTTP_201_CREATED, summary="Ajouter une séance")
    async def add_session(self, request: Request[Any, Any, Any], formation_id: int, data: s.SeanceCreate) -> s.Seance:
        row = await schedule.add_session(ctx_of(request), actor_of(request), store_of(request), formation_id, _session_input(data))
        return s.Seance.of(row)

    @post("/inscriptions", operation_id="enrolInTraining", opt=allow(Action.MANAGE_TRAININGS, "formation_id"),
          status_code=HTTP_201_CREATED, summary="Inscrire une personne à toutes les séances à venir")
    async def enrol(self, request: Request[Any, Any, Any], formation_id: int, data: s.InscriptionCreate) -> list[s.Inscription]:
        person = await _participant(data)
        results = await enrolment.enrol_in_training(ctx_of(request), actor_of(request), store_of(request), formation_id, person)
        return [s.Inscription.of(r.enrolment, r.position) for r in results]

    @get("/heures", operation_id="trainingHours", opt=allow(Action.MANAGE_TRAININGS, "formation_id"),
         summary="Heures suivies par personne")
    async def hours(self, request: Request[Any, Any, Any], formation_id: int) -> list[s.HeuresPersonne]:
        return [s.HeuresPersonne.of(p) for p in await attendance.hours_of_training(store_of(request), formation_id)]

    @get("/attestations.pdf", operation_id="trainingAttestations", opt=allow(Action.MANAGE_TRAININGS, "formation_id"),
         summary="Attestations de toutes les personnes présentes (PDF)", media_type=PDF)
    async def attestations(self, request: Request[Any, Any, Any], formation_id: int) -> Response[bytes]:
        ctx, store = ctx_of(request), store_of(request)
        training, people = await attendance.attestations_of(store, formation_id)
        pdf = attestations_pdf(training, people, await issuer_of(training), created=ctx.now())
        return pdf_response(pdf, f"attestations-formation-{formation_id}.pdf")


async def _participant(data: s.InscriptionCreate) -> enrolment.Participant:
    if data.membre_id is not None:
        return await enrolment.member_participant(data.membre_id)
    return enrolment.external_participant(data.kind, data.prenom, data.nom, data.sexe, data.email)


class SessionController(Controller):
    path = "/api/v1/seances/{seance_id:int}"
    tags = ["Formations"]

    @patch("/", operation_id="updateTrainingSession", opt=allow(Action.MANAGE_TRAININGS, "seance_id"), summary="Modifier une séance")
    async def update(self, request: Request[Any, Any, Any], seance_id: int, data: s.SeanceUpdate) -> s.Seance:
        row = await schedule.update_session(ctx_of(request), actor_of(request), store_of(request), seance_id, data.version,
                                            _session_input(data))
        return s.Seance.of(row)

    @post("/annulation", operation_id="cancelTrainingSession", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
          summary="Annuler une séance")
    async def cancel(self, request: Request[Any, Any, Any], seance_id: int, data: s.Version) -> s.Seance:
        row = await schedule.cancel_session(ctx_of(request), actor_of(request), store_of(request), seance_id, data.version)
        return s.Seance.of(row)

    @get("/inscriptions", operation_id="listSessionEnrolments", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
         summary="Inscrits et liste d'attente d'une séance")
    async def enrolments(self, request: Request[Any, Any, Any], seance_id: int) -> list[s.Inscription]:
        store = store_of(request)
        return [s.Inscription.of(e, await enrolment.waiting_position(store, e)) for e in await store.enrolments([seance_id])]

    @post("/inscriptions", operation_id="enrolInSession", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
          status_code=HTTP_201_CREATED, summary="Inscrire une personne à une séance")
    async def enrol(self, request: Request[Any, Any, Any], seance_id: int, data: s.InscriptionCreate) -> s.Inscription:
        result = await enrolment.enrol(ctx_of(request), actor_of(request), store_of(request), seance_id, await _participant(data))
        return s.Inscription.of(result.enrolment, result.position)

    @get("/emargement", operation_id="sessionAttendance", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
         summary="Feuille d'émargement (données)")
    async def sheet(self, request: Request[Any, Any, Any], seance_id: int) -> s.FeuilleEmargement:
        return s.FeuilleEmargement.of(await attendance.sheet(store_of(request), seance_id))

    @get("/emargement.pdf", operation_id="sessionAttendancePdf", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
         summary="Feuille d'émargement à imprimer (PDF)", media_type=PDF)
    async def sheet_pdf(self, request: Request[Any, Any, Any], seance_id: int) -> Response[bytes]:
        sheet = await attendance.sheet(store_of(request), seance_id)
        pdf = attendance_sheet_pdf(sheet, await issuer_of(sheet.training), created=ctx_of(request).now())
        return pdf_response(pdf, f"emargement-seance-{seance_id}.pdf")


    @get("/invitations.pdf", operation_id="sessionPrintedInvitations", opt=allow(Action.MANAGE_TRAININGS, "seance_id"),
         summary="Invitations à poster aux inscrits sans adresse électronique (PDF, ordre du tri postal)", media_type=PDF)
    async def printed(self, request: Request[Any, Any, Any], seance_id: int) -> Response[bytes]:
        training, session, people, missing = await attendance.printed_invitations(store_of(request), seance_id)
        pdf = invitations_pdf(training, session, people, await issuer_of(training), created=ctx_of(request).now())
        response = pdf_response(pdf, f"invitations-seance-{seance_id}.pdf")
        response.headers["X-Sans-Adresse"] = str(len(missing))
        return response


class EnrolmentController(Controller):
    path = "/api/v1/inscriptions/{inscription_id:int}"
    tags = ["Formations"]

    @delete("/", operation_id="cancelEnrolment", opt=allow(Action.MANAGE_TRAININGS, "inscription_id"), status_code=200,
            summary="Désinscrire (la place libérée va au premier de la liste d'attente)")
    async def cancel(self, request: Request[Any, Any, Any], inscription_id: int) -> s.Inscription:
        row = await enrolment.cancel(ctx_of(request), actor_of(request), store_of(request), inscription_id, by_person=False)
        return s.Inscription.of(row)

    @put("/emargement", operation_id="recordAttendance", opt=allow(Action.MANAGE_TRAININGS, "inscription_id"),
         summary="Noter une présence (par demi-journée)")
    async def mark(self, request: Request[Any, Any, Any], inscription_id: int, data: s.EmargementIn) -> s.FeuilleEmargement:
        sheet = await attendance.record_mark(ctx_of(request), actor_of(request), store_of(request), inscription_id,
                                             data.demi_journee, data.marque)
        return s.FeuilleEmargement.of(sheet)


class CouncilTrainingController(Controller):
    """What a council's members see and do: the schedule, their own enrolments."""

    path = "/api/v1/conseils/{council_id:int}"
    tags = ["Formations"]

    @get("/formations", operation_id="listCouncilTrainings", opt=allow(Action.READ_TRAININGS, "council_id"),
         summary="Formations ouvertes au conseil")
    async def list_(self, request: Request[Any, Any, Any], council_id: int) -> list[s.Formation]:
        store = store_of(request)
        return [await formation_out(store, x) for x in await schedule.schedule_of_council(store, council_id)]

    @post("/formations/{formation_id:int}/inscription", operation_id="enrolMyself", opt=allow(Action.ENROL_TRAINING, "council_id"),
          status_code=HTTP_201_CREATED, summary="M'inscrire à une formation")
    async def enrol_myself(self, request: Request[Any, Any, Any], council_id: int, formation_id: int) -> list[s.Inscription]:
        store = store_of(request)
        results = await enrolment.enrol_self(ctx_of(request), actor_of(request), store, council_id, formation_id,
                                             user_of(request).account_id)
        return [s.Inscription.of(r.enrolment, r.position) for r in results]

    @delete("/inscriptions/{inscription_id:int}", operation_id="cancelMyEnrolment", opt=allow(Action.ENROL_TRAINING, "council_id"),
            status_code=200, summary="Annuler mon inscription (jusqu'au début de la séance)")
    async def cancel_mine(self, request: Request[Any, Any, Any], council_id: int, inscription_id: int) -> s.Inscription:
        store = store_of(request)
        await enrolment.own_enrolment(store, inscription_id, council_id, user_of(request).account_id)
        row = await enrolment.cancel(ctx_of(request), actor_of(request), store, inscription_id, by_person=True)
        return s.Inscription.of(row)

    @get("/mes-formations", operation_id="myTrainings", opt=allow(Action.ENROL_TRAINING, "council_id"),
         summary="Mes inscriptions et mes heures de formation")
    async def mine(self, request: Request[Any, Any, Any], council_id: int) -> s.MesFormations:
        store = store_of(request)
        return await my_trainings(store, council_id, user_of(request).account_id)

    @get("/formations/{formation_id:int}/attestation.pdf", operation_id="myAttestation",
         opt=allow(Action.ENROL_TRAINING, "council_id"), summary="Mon attestation de formation (PDF)", media_type=PDF)
    async def my_attestation(self, request: Request[Any, Any, Any], council_id: int, formation_id: int) -> Response[bytes]:
        store = store_of(request)
        key = await enrolment.my_person_key(council_id, user_of(request).account_id)
        training, person = await attendance.attestation_of(store, formation_id, key)
        pdf = attestations_pdf(training, [person], await issuer_of(training), created=ctx_of(request).now())
        return pdf_response(pdf, f"attestation-formation-{formation_id}.pdf")


async def my_trainings(store: TrainingStore, council_id: int, account_id: int) -> s.MesFormations:
    view = await enrolment.my_trainings(store, council_id, account_id)
    return s.MesFormations(
        inscriptions=[s.MonInscription(inscription=s.Inscription.of(i.enrolment, i.position), formation_id=i.training.id,
                                       titre=i.training.titre, seance=s.Seance.of(i.session)) for i in view.enrolments],
        heures=[s.MesHeures(formation_id=t.id, titre=t.titre, heures=round(float(h.hours), 2), heures_texte=s.format_hours(h.hours),
                            dates=list(h.days)) for t, h in view.hours],
    )


API_CONTROLLERS = [TerritoryTrainingController, TrainingController, SessionController, EnrolmentController, CouncilTrainingController]
