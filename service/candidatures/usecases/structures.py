"""An association or a local actor applies on the public form (no account)."""

from __future__ import annotations

from datetime import datetime

from domain.calls import local_today
from domain.errors import Conflict, FieldError, InvalidInput
from domain.i18n import _
from service import audit
from service.audit import Actor
from service.candidatures.store import CallRow, CandidatureStore, NewStructure
from service.candidatures.usecases import fields as f
from service.candidatures.usecases.calls import open_call
from service.candidatures.usecases.residents import Submission
from service.context import AppContext
from service.outbox.model import OutgoingMail
from service.outbox.usecases import enqueue

STORE = CandidatureStore()


def _identifiers(form: f.Form, errors: list[FieldError]) -> tuple[str, str]:
    """SIRET and RNA: at least one, each valid."""
    siret = rna = ""
    try:
        siret = f.check_siret(str(form.get("siret") or ""))
    except InvalidInput as exc:
        errors.append(FieldError("siret", exc.detail, code=exc.code))
    try:
        rna = f.check_rna(str(form.get("rna") or ""))
    except InvalidInput as exc:
        errors.append(FieldError("rna", exc.detail, code=exc.code))
    if not siret and not rna and not any(e.field in ("siret", "rna") for e in errors):
        errors.append(
            FieldError(
                "siret",
                _("Indiquez le numéro SIRET ou, pour une association, le numéro RNA."),
                code="identifiant-obligatoire",
            )
        )
    return siret, rna


def _declarations(form: f.Form, errors: list[FieldError]) -> None:
    if not f.truthy(form.get("no_institutional_tie")):
        errors.append(
            FieldError(
                "no_institutional_tie",
                _(
                    "La structure doit déclarer n'avoir aucun lien direct avec une institution "
                    "déjà représentée "
                    "(loi n° 2014-173, art. 7)."
                ),
                code="declaration-manquante",
            )
        )
    f.require_consent(form, errors)


def _read(form: f.Form, call: CallRow, now: datetime, errors: list[FieldError]) -> NewStructure:
    today = local_today(now)
    structure = f.text(form, "structure", errors, _("Nom de la structure"))
    kind = str(form.get("kind") or "association").strip()
    if kind not in ("association", "acteur"):
        errors.append(FieldError("kind", _("Type de structure inconnu.")))
    siret, rna = _identifiers(form, errors)
    activite = f.long_text(form, "activite", errors, _("Activité dans le quartier"))
    if not activite:
        errors.append(
            FieldError(
                "activite",
                _("Décrivez l'activité de la structure dans le quartier."),
                code="champ-obligatoire",
            )
        )
    adresse = f.text(form, "adresse", errors, _("Adresse"), required=False)
    cp = f.postcode(form, errors, required=False)
    commune = f.text(form, "commune", errors, _("Commune"), required=False, max_len=100)
    rep_prenom = f.text(
        form, "representant_prenom", errors, _("Prénom du représentant"), max_len=100
    )
    rep_nom = f.text(form, "representant_nom", errors, _("Nom du représentant"), max_len=100)
    rep_sexe = str(form.get("representant_sexe") or "").strip().upper()
    if rep_sexe not in ("F", "M", ""):
        errors.append(FieldError("representant_sexe", _("Valeur non autorisée.")))
    rep_born = f.birth_date(form, errors, today, required=False)
    email, phone = f.contact(form, errors)
    _declarations(form, errors)
    ident = f"siret:{siret}" if siret else f"rna:{rna}"
    return NewStructure(
        appel=call.id,
        council=call.council,
        dedup_key=f"{call.id}:{ident}",
        structure=structure,
        kind=kind,
        siret=siret,
        rna=rna,
        activite=activite,
        adresse=adresse,
        code_postal=cp,
        commune=commune,
        representant_prenom=rep_prenom,
        representant_nom=rep_nom,
        representant_sexe=rep_sexe,
        representant_birth_date=rep_born,
        email=email,
        telephone=phone,
        submitted_at=now,
    )


def _acknowledgement(call: CallRow, new: NewStructure, number: int, territory: int) -> OutgoingMail:
    body = _(
        "Bonjour,\n\nNous avons bien reçu la candidature de « {s} » au collège des "
        "associations et acteurs locaux "
        "({conseil}). Elle porte le numéro S{n}.\nLe chef de projet vous recontactera "
        "après la clôture de "
        "l'appel, le {d}.\n"
    ).format(
        s=new.structure,
        conseil=call.council_name,
        n=number,
        d=call.closes_on.strftime("%d/%m/%Y"),
    )
    return OutgoingMail(
        to=new.email,
        subject=_("Candidature de votre structure au conseil citoyen"),
        body=body,
        kind="candidature.accuse",
        ref=f"candidature_structure:{number}",
        council_id=call.council,
        territory_id=territory,
    )


async def submit_structure(
    ctx: AppContext, call_id: int, form: f.Form, store: CandidatureStore = STORE
) -> tuple[Submission, int | None]:
    call = await open_call(ctx, call_id, "associations_acteurs", store=store)
    now = ctx.now()
    errors: list[FieldError] = []
    new = _read(form, call, now, errors)
    f.raise_errors(errors)
    council = await store.council(call.council)
    async with ctx.db.transaction():
        if await store.structure_exists(call_id, new.dedup_key, new.siret, new.rna):
            raise Conflict(
                _("Cette structure a déjà déposé une candidature pour cet appel."),
                code="candidature-en-double",
                field="siret" if new.siret else "rna",
            )
        number = await store.insert_structure(new)
        await audit.record(
            ctx.db,
            actor=Actor.system("formulaire public"),
            action="candidature.depot",
            subject_type="candidature_structure",
            subject_id=number,
            at=now,
            territory_id=council.territory,
            council_id=call.council,
            details={"appel": call_id, "college": "associations_acteurs"},
        )
        outbox_id = None
        if new.email:
            mail = _acknowledgement(call, new, number, council.territory)
            outbox_id = await enqueue(ctx.db, mail, now=now)
    return Submission(number, call), outbox_id
