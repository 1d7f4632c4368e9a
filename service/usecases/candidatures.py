"""Calls for applications, public applications (volunteer residents, associations and
local actors), and the lead's review.

Public submissions are anonymous: the audit trail records them with the system actor
and ids only. Applicants' personal data is read by the lead (MANAGE_APPLICATIONS) and
by the draw's letters through the subject loader, never by auditors.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from stdnum.fr import siret as stdnum_siret

from domain.adresse_postale import AdressePostale
from domain.calls import CLOSES_AFTER_OPENING, CallPeriod
from domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    InvalidState,
    NotFound,
    TooManyAttempts,
)
from domain.i18n import _, ngettext
from domain.organisation import normalise_key
from service import audit
from service.audit import Actor
from service.context import AppContext
from service.db.tables import Council
from service.db.tables_candidatures import (
    AppelCandidatures,
    CandidatureHabitant,
    CandidatureStructure,
    FormulairePublicEnvoi,
)
from service.db.versioned import versioned_update
from service.outbox.model import OutgoingMail
from service.outbox.usecases import enqueue
from service.usecases.subjects import Subject, selection_hook, subject_loader

PARIS = ZoneInfo("Europe/Paris")
COLLEGES = ("habitants", "associations_acteurs")
STATUSES = ("deposee", "acceptee", "refusee")
STATUS_LABELS = {"deposee": "Déposée", "acceptee": "Acceptée", "refusee": "Refusée"}
PERIMETRE_LABELS = {
    "dans-le-perimetre": "Dans le périmètre",
    "hors-perimetre": "Hors du périmètre importé : à vérifier",
    "a-verifier": "À vérifier (aucun périmètre importé)",
}
# Public forms: submissions per client address per hour (shared by every worker).
RATE_LIMIT_PER_HOUR = 20

_RNA = re.compile(r"^W(\d{3}|2[AB]\d)\d{6}$")
_CP = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


def local_today(now: datetime) -> date:
    """The date in France: a call closing « le 31 mars » closes at midnight in Paris."""
    return now.astimezone(PARIS).date()


# --- validation -----------------------------------------------------------------------


def check_siret(raw: str) -> str:
    value = re.sub(r"[\s.]", "", raw or "")
    if not value:
        return ""
    if not stdnum_siret.is_valid(value):
        raise InvalidInput(
            _(
                "Numéro SIRET « {v} » invalide : 14 chiffres dont le dernier est une clé de "
                "contrôle."
            ).format(v=raw),
            field="siret",
            code="siret-invalide",
        )
    return str(stdnum_siret.compact(value))


def check_rna(raw: str) -> str:
    value = re.sub(r"\s", "", raw or "").upper()
    if not value:
        return ""
    if not _RNA.match(value):
        raise InvalidInput(
            _(
                "Numéro RNA « {v} » invalide : la lettre W suivie de 9 caractères (ex. W372001234)."
            ).format(v=raw),
            field="rna",
            code="rna-invalide",
        )
    return value


def _text(
    form: dict[str, Any],
    key: str,
    errors: list[FieldError],
    label: str,
    *,
    required: bool = True,
    max_len: int = 200,
) -> str:
    value = " ".join(str(form.get(key) or "").split())
    if required and not value:
        errors.append(
            FieldError(
                key, _("{label} : champ obligatoire.").format(label=label), code="champ-obligatoire"
            )
        )
    elif len(value) > max_len:
        errors.append(
            FieldError(key, _("{label} : {n} caractères au plus.").format(label=label, n=max_len))
        )
    return value


def _long_text(
    form: dict[str, Any], key: str, errors: list[FieldError], label: str, max_len: int = 4000
) -> str:
    value = str(form.get(key) or "").strip()
    if len(value) > max_len:
        errors.append(
            FieldError(key, _("{label} : {n} caractères au plus.").format(label=label, n=max_len))
        )
    return value


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "on", "oui", "yes")


def _require_consent(form: dict[str, Any], errors: list[FieldError]) -> None:
    if not _truthy(form.get("consent")):
        errors.append(
            FieldError(
                "consent",
                _("Votre accord est nécessaire pour que votre candidature soit enregistrée."),
                code="consentement-manquant",
            )
        )


def _contact(form: dict[str, Any], errors: list[FieldError]) -> tuple[str, str]:
    email = str(form.get("email") or "").strip().lower()
    phone = str(form.get("telephone") or "").strip()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.append(
            FieldError("email", _("Adresse électronique invalide."), code="courriel-invalide")
        )
    if phone and not _PHONE.match(phone):
        errors.append(
            FieldError("telephone", _("Numéro de téléphone invalide."), code="telephone-invalide")
        )
    if not email and not phone:
        errors.append(
            FieldError(
                "email",
                _(
                    "Indiquez une adresse électronique ou un numéro de téléphone pour être "
                    "recontacté."
                ),
                code="contact-obligatoire",
            )
        )
    return email, phone


def _postcode(form: dict[str, Any], errors: list[FieldError], required: bool = True) -> str:
    cp = str(form.get("code_postal") or "").strip()
    if (cp or required) and not _CP.match(cp):
        errors.append(
            FieldError(
                "code_postal", _("Code postal invalide (5 chiffres)."), code="code-postal-invalide"
            )
        )
    return cp


def _raise(errors: list[FieldError]) -> None:
    if errors:
        first = errors[0]
        raise InvalidInput(
            first.message,
            field=first.field,
            errors=errors,
            code=None if first.code == "invalide" else first.code,
        )


# --- calls for applications -----------------------------------------------------------


@dataclass(frozen=True)
class CallInput:
    college: str
    title: str
    opens_on: date
    closes_on: date
    text: str = ""


def _check_call(data: CallInput) -> dict[str, Any]:
    errors: list[FieldError] = []
    if data.college not in COLLEGES:
        errors.append(
            FieldError(
                "college",
                _("Collège inconnu (attendu : habitants ou associations_acteurs)."),
                code="college-inconnu",
            )
        )
    title = " ".join((data.title or "").split())
    if not title:
        errors.append(FieldError("title", _("Le titre est obligatoire."), code="champ-obligatoire"))
    period = CLOSES_AFTER_OPENING.check(CallPeriod(data.opens_on, data.closes_on))
    if not period.ok:
        errors.append(FieldError("closes_on", period.message, code=period.code))
    _raise(errors)
    return {
        "college": data.college,
        "title": title[:200],
        "text": (data.text or "").strip(),
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
    }


async def _council_territory(council_id: int) -> int:
    row = (
        await Council.select(Council.territory, Council.archived_at)
        .where(Council.id == council_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Conseil citoyen introuvable."))
    return int(row["territory"])


async def create_call(
    ctx: AppContext, actor: Actor, council_id: int, data: CallInput
) -> dict[str, Any]:
    values = _check_call(data)
    now = ctx.now()
    async with ctx.db.transaction():
        territory = await _council_territory(council_id)
        row = (
            await AppelCandidatures.insert(
                AppelCandidatures(council=council_id, created_by=actor.id, created_at=now, **values)
            ).returning(AppelCandidatures.id)
        )[0]
        await audit.record(
            ctx.db,
            actor=actor,
            action="appel.creation",
            subject_type="appel_candidatures",
            subject_id=row["id"],
            at=now,
            territory_id=territory,
            council_id=council_id,
            after={k: str(v) for k, v in values.items()},
            details={
                "college": values["college"],
                "opens_on": str(values["opens_on"]),
                "closes_on": str(values["closes_on"]),
            },
        )
    return await get_call(row["id"])


async def update_call(
    ctx: AppContext,
    actor: Actor,
    call_id: int,
    data: CallInput,
    version: int,
    council_id: int | None = None,
) -> dict[str, Any]:
    values = _check_call(data)
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_call(call_id, council_id=council_id)
        await versioned_update(
            AppelCandidatures, call_id, version, values,
            message=_("Cet appel a été modifié par quelqu'un d'autre entre-temps : rechargez la page et recommencez."),
        )
        territory = await _council_territory(before["council"])
        await audit.record(
            ctx.db,
            actor=actor,
            action="appel.modification",
            subject_type="appel_candidatures",
            subject_id=call_id,
            at=now,
            territory_id=territory,
            council_id=before["council"],
            details={"closes_on": str(values["closes_on"])},
        )
    return await get_call(call_id)


def _call_out(row: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    out = dict(row)
    if today is not None:
        out["open"] = row["opens_on"] <= today <= row["closes_on"]
    return out


async def get_call(
    call_id: int, today: date | None = None, council_id: int | None = None
) -> dict[str, Any]:
    row = (
        await AppelCandidatures.select(
            *AppelCandidatures.all_columns(),
            AppelCandidatures.council.name.as_alias("council_name"),
        )
        .where(AppelCandidatures.id == call_id)
        .first()
    )
    if row is None or (council_id is not None and row["council"] != council_id):
        raise NotFound(_("Appel à candidatures introuvable."))
    return _call_out(dict(row), today)


async def list_calls(council_id: int, today: date | None = None) -> list[dict[str, Any]]:
    rows = (
        await AppelCandidatures.select()
        .where(AppelCandidatures.council == council_id)
        .order_by(AppelCandidatures.opens_on, ascending=False)
    )
    return [_call_out(dict(r), today) for r in rows]


# --- public submissions ---------------------------------------------------------------


async def check_rate(ctx: AppContext, client: str) -> None:
    """Refuse more than RATE_LIMIT_PER_HOUR submissions from one address, then count this one
    (in its own transaction: a refused submission must count too)."""
    now = ctx.now()
    key = f"ip:{client}"[:120]
    since = now - timedelta(hours=1)
    rows = (
        await FormulairePublicEnvoi.select(FormulairePublicEnvoi.at)
        .where((FormulairePublicEnvoi.subject_key == key) & (FormulairePublicEnvoi.at >= since))
        .order_by(FormulairePublicEnvoi.at)
        .limit(RATE_LIMIT_PER_HOUR + 1)
    )
    if len(rows) >= RATE_LIMIT_PER_HOUR:
        retry = max(1, int((rows[0]["at"] + timedelta(hours=1) - now).total_seconds()) + 1)
        raise TooManyAttempts(
            ngettext("Trop d'envois depuis votre connexion. Réessayez dans {m} minute.",
                     "Trop d'envois depuis votre connexion. Réessayez dans {m} minutes.",
                     max(1, retry // 60)).format(m=max(1, retry // 60)),
            retry_after=retry,
        )
    async with ctx.db.transaction():
        await FormulairePublicEnvoi.insert(FormulairePublicEnvoi(subject_key=key, at=now))
        await FormulairePublicEnvoi.delete().where(
            FormulairePublicEnvoi.at < now - timedelta(days=1)
        )


async def open_call(ctx: AppContext, call_id: int, college: str) -> dict[str, Any]:
    call = await get_call(call_id, local_today(ctx.now()))
    if call["college"] != college:
        raise NotFound(_("Appel à candidatures introuvable."))
    today = local_today(ctx.now())
    if today > call["closes_on"]:
        raise InvalidState(
            _(
                "Cet appel à candidatures est clos depuis le {d} : les candidatures ne sont plus "
                "reçues."
            ).format(d=call["closes_on"].strftime("%d/%m/%Y")),
            code="appel-clos",
        )
    if today < call["opens_on"]:
        raise InvalidState(
            _("Cet appel à candidatures n'ouvre que le {d}.").format(
                d=call["opens_on"].strftime("%d/%m/%Y")
            ),
            code="appel-pas-ouvert",
        )
    return call


async def _perimeter_status(council_id: int, adresse: str, code_postal: str, commune: str) -> str:
    """In / out of the council's imported perimeter, or « à vérifier » when none is imported."""
    try:
        from service.registre.usecases import lists as registre  # the registers feature

        lookup = getattr(registre, "council_perimeter", None)
    except ImportError:
        lookup = None
    if lookup is None:
        return "a-verifier"
    perimeter = lookup(council_id)
    if inspect.isawaitable(perimeter):
        perimeter = await perimeter
    if perimeter is None or not len(perimeter):
        return "a-verifier"
    return perimeter_status(perimeter, adresse, code_postal, commune)


def perimeter_status(perimeter: Any, adresse: str, code_postal: str, commune: str) -> str:
    from domain.registre.normalise import parse_address

    try:
        parsed = parse_address(adresse1=adresse, code_postal=code_postal, commune=commune)
    except InvalidInput:
        return "a-verifier"
    return "dans-le-perimetre" if perimeter.contains(parsed) else "hors-perimetre"


def _birth_date(
    form: dict[str, Any], errors: list[FieldError], today: date, required: bool = True
) -> date | None:
    raw = str(form.get("birth_date") or "").strip()
    if not raw:
        if required:
            errors.append(
                FieldError(
                    "birth_date",
                    _("Date de naissance : champ obligatoire."),
                    code="champ-obligatoire",
                )
            )
        return None
    try:
        if "/" in raw:
            d, m, y = raw.split("/")
            value = date(int(y), int(m), int(d))
        else:
            value = date.fromisoformat(raw)
    except ValueError:
        errors.append(
            FieldError(
                "birth_date", _("Date de naissance invalide (JJ/MM/AAAA)."), code="date-invalide"
            )
        )
        return None
    if value > today or value.year < today.year - 120:
        errors.append(
            FieldError("birth_date", _("Date de naissance invraisemblable."), code="date-invalide")
        )
        return None
    return value


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def submit_volunteer(
    ctx: AppContext, call_id: int, form: dict[str, Any]
) -> tuple[dict[str, Any], int | None]:
    """A volunteer resident applies. Returns the stored application and the outbox id of
    the acknowledgement written with it (None without an e-mail address)."""
    call = await open_call(ctx, call_id, "habitants")
    now = ctx.now()
    today = local_today(now)
    errors: list[FieldError] = []
    prenom = _text(form, "prenom", errors, _("Prénom"), max_len=100)
    nom = _text(form, "nom", errors, _("Nom"), max_len=100)
    email, phone = _contact(form, errors)
    adresse = _text(form, "adresse", errors, _("Adresse"))
    complement = _text(form, "complement", errors, _("Complément d'adresse"), required=False)
    cp = _postcode(form, errors)
    commune = _text(form, "commune", errors, _("Commune"), max_len=100)
    born = _birth_date(form, errors, today)
    sexe = str(form.get("sexe") or "").strip().upper()
    if sexe not in ("F", "M"):
        errors.append(
            FieldError(
                "sexe",
                _("Indiquez « femme » ou « homme » : la parité du collège en dépend."),
                code="champ-obligatoire",
            )
        )
    motivation = _long_text(form, "motivation", errors, _("Motivation"))
    disponibilites = _long_text(form, "disponibilites", errors, _("Disponibilités"), 1000)
    _require_consent(form, errors)
    council = (
        await Council.select(Council.settings, Council.territory)
        .where(Council.id == call["council"])
        .output(load_json=True)
        .first()
    )
    assert council is not None
    min_age = int((council["settings"] or {}).get("age_minimum", 16))
    if born is not None and _age(born, today) < min_age:
        errors.append(
            FieldError(
                "birth_date",
                _("Il faut avoir au moins {n} ans pour siéger au conseil citoyen.").format(
                    n=min_age
                ),
                code="age-insuffisant",
            )
        )
    _raise(errors)
    assert born is not None
    # Outside the imported perimeter: flagged « à vérifier » for the lead to decide (a
    # perimeter file can miss a street or a number), never refused on the public form.
    status = await _perimeter_status(call["council"], adresse, cp, commune)
    # Hashed: the key must fit its column whatever the names, and need not repeat them.
    person = f"{normalise_key(prenom)}|{normalise_key(nom)}|{born.isoformat()}"
    key = f"{call_id}:{hashlib.sha256(person.encode()).hexdigest()}"
    async with ctx.db.transaction():
        if await CandidatureHabitant.exists().where(CandidatureHabitant.dedup_key == key):
            raise Conflict(
                _(
                    "Une candidature a déjà été déposée à ce nom, avec cette date de naissance, "
                    "pour cet appel."
                ),
                code="candidature-en-double",
                field="nom",
            )
        row = (
            await CandidatureHabitant.insert(
                CandidatureHabitant(
                    appel=call_id,
                    council=call["council"],
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
                    consent=True,
                    consent_at=now,
                    perimetre=status,
                    submitted_at=now,
                )
            ).returning(CandidatureHabitant.id)
        )[0]
        await audit.record(
            ctx.db,
            actor=Actor.system("formulaire public"),
            action="candidature.depot",
            subject_type="candidature",
            subject_id=row["id"],
            at=now,
            territory_id=int(council["territory"]),
            council_id=call["council"],
            details={"appel": call_id, "college": "habitants", "perimetre": status},
        )
        outbox_id = None
        if email:
            # The acknowledgement is written with the application (DESIGN.md rule 7).
            body = _(
                "Bonjour,\n\nNous avons bien reçu votre candidature au collège des habitants "
                "({conseil}), "
                "appel « {appel} ». Elle porte le numéro {n}.\nLe chef de projet vous "
                "recontactera après la clôture de "
                "l'appel, le {d}.\n\nVos données ne servent qu'à la constitution du conseil "
                "citoyen.\n"
            ).format(
                conseil=call["council_name"],
                appel=call["title"],
                n=row["id"],
                d=call["closes_on"].strftime("%d/%m/%Y"),
            )
            outbox_id = await enqueue(
                ctx.db,
                OutgoingMail(
                    to=email,
                    subject=_("Votre candidature au conseil citoyen"),
                    body=body,
                    kind="candidature.accuse",
                    ref=f"candidature:{row['id']}",
                    council_id=call["council"],
                    territory_id=int(council["territory"]),
                ),
                now=now,
            )
    return {"id": row["id"], "call": call, "perimetre": status}, outbox_id


async def submit_structure(
    ctx: AppContext, call_id: int, form: dict[str, Any]
) -> tuple[dict[str, Any], int | None]:
    call = await open_call(ctx, call_id, "associations_acteurs")
    now = ctx.now()
    today = local_today(now)
    errors: list[FieldError] = []
    structure = _text(form, "structure", errors, _("Nom de la structure"))
    kind = str(form.get("kind") or "association").strip()
    if kind not in ("association", "acteur"):
        errors.append(FieldError("kind", _("Type de structure inconnu.")))
    siret = rna = ""
    try:
        siret = check_siret(str(form.get("siret") or ""))
    except InvalidInput as exc:
        errors.append(FieldError("siret", exc.detail, code=exc.code))
    try:
        rna = check_rna(str(form.get("rna") or ""))
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
    activite = _long_text(form, "activite", errors, _("Activité dans le quartier"))
    if not activite:
        errors.append(
            FieldError(
                "activite",
                _("Décrivez l'activité de la structure dans le quartier."),
                code="champ-obligatoire",
            )
        )
    adresse = _text(form, "adresse", errors, _("Adresse"), required=False)
    cp = _postcode(form, errors, required=False)
    commune = _text(form, "commune", errors, _("Commune"), required=False, max_len=100)
    rep_prenom = _text(
        form, "representant_prenom", errors, _("Prénom du représentant"), max_len=100
    )
    rep_nom = _text(form, "representant_nom", errors, _("Nom du représentant"), max_len=100)
    rep_sexe = str(form.get("representant_sexe") or "").strip().upper()
    if rep_sexe not in ("F", "M", ""):
        errors.append(FieldError("representant_sexe", _("Valeur non autorisée.")))
    rep_born = _birth_date(form, errors, today, required=False)
    email, phone = _contact(form, errors)
    if not _truthy(form.get("no_institutional_tie")):
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
    _require_consent(form, errors)
    _raise(errors)
    ident = f"siret:{siret}" if siret else f"rna:{rna}"
    key = f"{call_id}:{ident}"
    council = await Council.select(Council.territory).where(Council.id == call["council"]).first()
    assert council is not None
    async with ctx.db.transaction():
        clash = await CandidatureStructure.exists().where(
            (CandidatureStructure.dedup_key == key)
            | (
                (CandidatureStructure.appel == call_id)
                & (CandidatureStructure.rna == rna)
                & (CandidatureStructure.rna != "")
            )
            | (
                (CandidatureStructure.appel == call_id)
                & (CandidatureStructure.siret == siret)
                & (CandidatureStructure.siret != "")
            )
        )
        if clash:
            raise Conflict(
                _("Cette structure a déjà déposé une candidature pour cet appel."),
                code="candidature-en-double",
                field="siret" if siret else "rna",
            )
        row = (
            await CandidatureStructure.insert(
                CandidatureStructure(
                    appel=call_id,
                    council=call["council"],
                    dedup_key=key,
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
                    no_institutional_tie=True,
                    consent=True,
                    consent_at=now,
                    submitted_at=now,
                )
            ).returning(CandidatureStructure.id)
        )[0]
        await audit.record(
            ctx.db,
            actor=Actor.system("formulaire public"),
            action="candidature.depot",
            subject_type="candidature_structure",
            subject_id=row["id"],
            at=now,
            territory_id=int(council["territory"]),
            council_id=call["council"],
            details={"appel": call_id, "college": "associations_acteurs"},
        )
        outbox_id = None
        if email:
            body = _(
                "Bonjour,\n\nNous avons bien reçu la candidature de « {s} » au collège des "
                "associations et acteurs locaux "
                "({conseil}). Elle porte le numéro S{n}.\nLe chef de projet vous recontactera "
                "après la clôture de "
                "l'appel, le {d}.\n"
            ).format(
                s=structure,
                conseil=call["council_name"],
                n=row["id"],
                d=call["closes_on"].strftime("%d/%m/%Y"),
            )
            outbox_id = await enqueue(
                ctx.db,
                OutgoingMail(
                    to=email,
                    subject=_("Candidature de votre structure au conseil citoyen"),
                    body=body,
                    kind="candidature.accuse",
                    ref=f"candidature_structure:{row['id']}",
                    council_id=call["council"],
                    territory_id=int(council["territory"]),
                ),
                now=now,
            )
    return {"id": row["id"], "call": call}, outbox_id


# --- the lead's review ----------------------------------------------------------------

KINDS = {"habitant": CandidatureHabitant, "structure": CandidatureStructure}


async def list_applications(
    council_id: int, kind: str, status: str | None = None, call_id: int | None = None
) -> list[dict[str, Any]]:
    table = KINDS[kind]
    q = table.select().where(table.council == council_id)
    if status:
        q = q.where(table.status == status)
    if call_id is not None:
        q = q.where(table.appel == call_id)
    return [dict(r) for r in await q.order_by(table.id)]


async def get_application(
    kind: str, application_id: int, council_id: int | None = None
) -> dict[str, Any]:
    table = KINDS[kind]
    row = await table.select().where(table.id == application_id).first()
    if row is None or (council_id is not None and row["council"] != council_id):
        raise NotFound(_("Candidature introuvable."))
    return dict(row)


async def review(
    ctx: AppContext,
    actor: Actor,
    kind: str,
    application_id: int,
    decision: str,
    reason: str,
    version: int,
    council_id: int | None = None,
) -> dict[str, Any]:
    """Accept or reject (a reason is required to reject). Optimistic: two leads reviewing
    the same application at once → the second gets a conflict."""
    if decision not in ("acceptee", "refusee"):
        raise InvalidInput(
            _("Décision inconnue (attendu : acceptee ou refusee)."), field="decision"
        )
    reason = (reason or "").strip()
    if decision == "refusee" and len(reason) < 5:
        raise InvalidInput(
            _(
                "Indiquez le motif du refus (5 caractères au moins) : il sera communiqué au "
                "candidat."
            ),
            field="reason",
            code="motif-obligatoire",
        )
    table = KINDS[kind]
    now = ctx.now()
    async with ctx.db.transaction():
        before = await get_application(kind, application_id, council_id)
        await versioned_update(
            table, application_id, version,
            {table.status: decision, table.reason: reason, table.reviewed_by: actor.id, table.reviewed_at: now},
            message=_("Cette candidature a été examinée par quelqu'un d'autre entre-temps : rechargez la page."),
        )
        territory = await _council_territory(before["council"])
        await audit.record(
            ctx.db,
            actor=actor,
            action=f"candidature.{'acceptation' if decision == 'acceptee' else 'refus'}",
            subject_type="candidature" if kind == "habitant" else "candidature_structure",
            subject_id=application_id,
            at=now,
            territory_id=territory,
            council_id=before["council"],
            details={"avant": before["status"], "apres": decision},
        )
    return await get_application(kind, application_id)


# --- scopes and subjects --------------------------------------------------------------


@subject_loader("candidature")
async def load_volunteers(ids: Sequence[int]) -> dict[int, Subject]:
    rows = await CandidatureHabitant.select().where(CandidatureHabitant.id.is_in(list(ids)))
    out: dict[int, Subject] = {}
    for r in rows:
        civ = "Madame" if r["sexe"] == "F" else "Monsieur"
        out[r["id"]] = Subject(
            subject_type="candidature",
            subject_id=r["id"],
            civilite=civ,
            prenom=r["prenom"],
            nom=r["nom"],
            sexe=r["sexe"],
            birth_year=r["birth_date"].year if r["birth_date"] else None,
            address=AdressePostale(
                civilite=civ,
                prenom=r["prenom"],
                nom=r["nom"],
                complement_lieu=r["complement"],
                voie=r["adresse"],
                code_postal=r["code_postal"],
                commune=r["commune"],
            ),
            email=r["email"],
            telephone=r["telephone"],
        )
    return out


@selection_hook("candidature")
async def mark_volunteers_selected(ids: Sequence[int], at: datetime) -> None:
    await CandidatureHabitant.update({CandidatureHabitant.selected_at: at}).where(
        CandidatureHabitant.id.is_in(list(ids))
    )


# --- retention ------------------------------------------------------------------------


async def purge_applications(
    ctx: AppContext, actor: Actor, council_id: int | None = None, *, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Delete the applications of people who did not join the council, once the council's
    retention period (``conservation_jours``) has passed since their call closed.

    Kept: applications of members, and of volunteers invited by a draw (their pool key
    stays verifiable in the pool file either way — it holds no personal data). Returns,
    per council with something to purge, the counts removed (or that would be).
    """
    from service.db.tables_candidatures import Membre

    today = local_today(ctx.now())
    q = Council.select(Council.id, Council.territory, Council.settings).output(load_json=True)
    if council_id is not None:
        q = q.where(Council.id == council_id)
    results: list[dict[str, Any]] = []
    for council in await q:
        days = int((council["settings"] or {}).get("conservation_jours", 183))
        cutoff = today - timedelta(days=days)
        calls = [
            r["id"]
            for r in await AppelCandidatures.select(AppelCandidatures.id).where(
                (AppelCandidatures.council == council["id"])
                & (AppelCandidatures.closes_on < cutoff)
            )
        ]
        if not calls:
            continue
        kept: dict[str, set[int]] = {"candidature": set(), "structure": set()}
        for m in await Membre.select(Membre.subject_type, Membre.subject_id).where(
            (Membre.council == council["id"]) & Membre.subject_id.is_not_null()
        ):
            kept.setdefault(m["subject_type"], set()).add(int(m["subject_id"]))
        volunteers = [
            r["id"]
            for r in await CandidatureHabitant.select(CandidatureHabitant.id).where(
                CandidatureHabitant.appel.is_in(calls) & CandidatureHabitant.selected_at.is_null()
            )
            if r["id"] not in kept["candidature"]
        ]
        structures = [
            r["id"]
            for r in await CandidatureStructure.select(CandidatureStructure.id).where(
                CandidatureStructure.appel.is_in(calls)
            )
            if r["id"] not in kept["structure"]
        ]
        if not volunteers and not structures:
            continue
        result = {
            "conseil": council["id"],
            "candidatures_habitants": len(volunteers),
            "candidatures_structures": len(structures),
        }
        results.append(result)
        if dry_run:
            continue
        async with ctx.db.transaction():
            if volunteers:
                await CandidatureHabitant.delete().where(CandidatureHabitant.id.is_in(volunteers))
            if structures:
                await CandidatureStructure.delete().where(CandidatureStructure.id.is_in(structures))
            await audit.record(
                ctx.db,
                actor=actor,
                action="candidatures.purge",
                subject_type="conseil",
                subject_id=council["id"],
                at=ctx.now(),
                territory_id=int(council["territory"]),
                council_id=int(council["id"]),
                details={**result, "avant_le": cutoff.isoformat()},
            )
    return results
