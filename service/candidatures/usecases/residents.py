"""A volunteer resident applies on the public form (no account).

Public submissions are anonymous: the audit trail records them with the system actor
and ids only. The acknowledgement mail is written with the application (DESIGN.md rule 7).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from domain.calls import PerimeterStatus, age_on, local_today
from domain.errors import Conflict, FieldError, InvalidInput
from domain.i18n import _
from domain.organisation import normalise_key
from domain.registre.normalise import parse_address
from domain.registre.perimeter import Perimeter
from service import audit
from service.audit import Actor
from service.candidatures.store import CallRow, CandidatureStore, NewVolunteer
from service.candidatures.usecases import fields as f
from service.candidatures.usecases.calls import open_call
from service.context import AppContext
from service.outbox.model import OutgoingMail
from service.outbox.usecases import enqueue
from service.registre.usecases.lists import council_perimeter

STORE = CandidatureStore()


@dataclass(frozen=True)
class Submission:
    """A stored public application: its number, its call, and (volunteers) where the
    address stands against the perimeter."""

    id: int
    call: CallRow
    perimetre: str | None = None


async def _perimeter_status(council_id: int, adresse: str, code_postal: str, commune: str) -> str:
    """In / out of the council's imported perimeter, or « à vérifier » when none is imported."""
    perimeter = await council_perimeter(council_id)
    if perimeter is None or not len(perimeter):
        return PerimeterStatus.UNKNOWN.value
    return perimeter_status(perimeter, adresse, code_postal, commune)


def perimeter_status(perimeter: Perimeter, adresse: str, code_postal: str, commune: str) -> str:
    try:
        parsed = parse_address(adresse1=adresse, code_postal=code_postal, commune=commune)
    except InvalidInput:
        return PerimeterStatus.UNKNOWN.value
    inside = perimeter.contains(parsed)
    return (PerimeterStatus.INSIDE if inside else PerimeterStatus.OUTSIDE).value


def _sexe(form: f.Form, errors: list[FieldError]) -> str:
    sexe = str(form.get("sexe") or "").strip().upper()
    if sexe not in ("F", "M"):
        errors.append(
            FieldError(
                "sexe",
                _("Indiquez « femme » ou « homme » : la parité du collège en dépend."),
                code="champ-obligatoire",
            )
        )
    return sexe


def _acknowledgement(call: CallRow, number: int, to: str, territory: int) -> OutgoingMail:
    body = _(
        "Bonjour,\n\nNous avons bien reçu votre candidature au collège des habitants "
        "({conseil}), "
        "appel « {appel} ». Elle porte le numéro {n}.\nLe chef de projet vous "
        "recontactera après la clôture de "
        "l'appel, le {d}.\n\nVos données ne servent qu'à la constitution du conseil "
        "citoyen.\n"
    ).format(
        conseil=call.council_name,
        appel=call.title,
        n=number,
        d=call.closes_on.strftime("%d/%m/%Y"),
    )
    return OutgoingMail(
        to=to,
        subject=_("Votre candidature au conseil citoyen"),
        body=body,
        kind="candidature.accuse",
        ref=f"candidature:{number}",
        council_id=call.council,
        territory_id=territory,
    )


async def submit_volunteer(
    ctx: AppContext, call_id: int, form: f.Form, store: CandidatureStore = STORE
) -> tuple[Submission, int | None]:
    """A volunteer resident applies. Returns the stored application and the outbox id of
    the acknowledgement written with it (None without an e-mail address)."""
    call = await open_call(ctx, call_id, "habitants", store=store)
    now = ctx.now()
    today = local_today(now)
    errors: list[FieldError] = []
    prenom = f.text(form, "prenom", errors, _("Prénom"), max_len=100)
    nom = f.text(form, "nom", errors, _("Nom"), max_len=100)
    email, phone = f.contact(form, errors)
    adresse = f.text(form, "adresse", errors, _("Adresse"))
    complement = f.text(form, "complement", errors, _("Complément d'adresse"), required=False)
    cp = f.postcode(form, errors)
    commune = f.text(form, "commune", errors, _("Commune"), max_len=100)
    born = f.birth_date(form, errors, today)
    sexe = _sexe(form, errors)
    motivation = f.long_text(form, "motivation", errors, _("Motivation"))
    disponibilites = f.long_text(form, "disponibilites", errors, _("Disponibilités"), 1000)
    f.require_consent(form, errors)
    council = await store.council(call.council)
    if born is not None and age_on(born, today) < council.minimum_age:
        errors.append(
            FieldError(
                "birth_date",
                _("Il faut avoir au moins {n} ans pour siéger au conseil citoyen.").format(
                    n=council.minimum_age
                ),
                code="age-insuffisant",
            )
        )
    f.raise_errors(errors)
    assert born is not None
    # Outside the imported perimeter: flagged « à vérifier » for the lead to decide (a
    # perimeter file can miss a street or a number), never refused on the public form.
    status = await _perimeter_status(call.council, adresse, cp, commune)
    # Hashed: the key must fit its column whatever the names, and need not repeat them.
    person = f"{normalise_key(prenom)}|{normalise_key(nom)}|{born.isoformat()}"
    key = f"{call_id}:{hashlib.sha256(person.encode()).hexdigest()}"
    async with ctx.db.transaction():
        if await store.volunteer_exists(key):
            raise Conflict(
                _(
                    "Une candidature a déjà été déposée à ce nom, avec cette date de naissance, "
                    "pour cet appel."
                ),
                code="candidature-en-double",
                field="nom",
            )
        number = await store.insert_volunteer(
            NewVolunteer(
                appel=call_id,
                council=call.council,
                dedup_key=key,
                prenom=prenom,
                nom=nom,
                email=email,
                telephone=phone,
                adresse=adresse,
                complement=complement,
                code_postal=cp,
                commune=commune,
                birth_date=born,
                sexe=sexe,
                motivation=motivation,
                disponibilites=disponibilites,
                perimetre=status,
                submitted_at=now,
            )
        )
        await audit.record(
            ctx.db,
            actor=Actor.system("formulaire public"),
            action="candidature.depot",
            subject_type="candidature",
            subject_id=number,
            at=now,
            territory_id=council.territory,
            council_id=call.council,
            details={"appel": call_id, "college": "habitants", "perimetre": status},
        )
        outbox_id = None
        if email:
            mail = _acknowledgement(call, number, email, council.territory)
            outbox_id = await enqueue(ctx.db, mail, now=now)
    return Submission(number, call, status), outbox_id
