"""The applications feature's store: the only code that queries its tables (DESIGN.md §2).

Typed methods return frozen dataclasses whose field names are the columns' (the pages'
templates and the API models read them by name). No rule is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from domain.errors import NotFound
from domain.i18n import _
from service.candidatures.tables import (
    AppelCandidatures,
    CandidatureHabitant,
    CandidatureStructure,
    FormulairePublicEnvoi,
)
from service.db.versioned import versioned_update
from service.organisation.store import OrganisationStore

Kind = Literal["habitant", "structure"]
KINDS: tuple[Kind, ...] = ("habitant", "structure")


@dataclass(frozen=True)
class CallRow:
    id: int
    council: int
    college: str
    title: str
    text: str
    opens_on: date
    closes_on: date
    created_by: int | None
    created_at: datetime
    version: int
    council_name: str = ""
    # Whether the call takes applications today (None when the caller gave no date).
    open: bool | None = None

    def on(self, today: date | None) -> CallRow:
        if today is None:
            return self
        return replace(self, open=self.opens_on <= today <= self.closes_on)


@dataclass(frozen=True)
class CallValues:
    college: str
    title: str
    text: str
    opens_on: date
    closes_on: date


@dataclass(frozen=True)
class VolunteerApplicationRow:
    id: int
    appel: int
    council: int
    dedup_key: str
    prenom: str
    nom: str
    email: str
    telephone: str
    adresse: str
    complement: str
    code_postal: str
    commune: str
    birth_date: date
    sexe: str
    motivation: str
    disponibilites: str
    consent: bool
    consent_at: datetime | None
    perimetre: str
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    selected_at: datetime | None
    submitted_at: datetime
    version: int


@dataclass(frozen=True)
class StructureApplicationRow:
    id: int
    appel: int
    council: int
    dedup_key: str
    structure: str
    kind: str
    siret: str
    rna: str
    activite: str
    adresse: str
    code_postal: str
    commune: str
    representant_prenom: str
    representant_nom: str
    representant_sexe: str
    representant_birth_date: date | None
    email: str
    telephone: str
    no_institutional_tie: bool
    consent: bool
    consent_at: datetime | None
    status: str
    reason: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    submitted_at: datetime
    version: int


ApplicationRow = VolunteerApplicationRow | StructureApplicationRow


@dataclass(frozen=True)
class NewVolunteer:
    appel: int
    council: int
    dedup_key: str
    prenom: str
    nom: str
    email: str
    telephone: str
    adresse: str
    complement: str
    code_postal: str
    commune: str
    birth_date: date
    sexe: str
    motivation: str
    disponibilites: str
    perimetre: str
    submitted_at: datetime


@dataclass(frozen=True)
class NewStructure:
    appel: int
    council: int
    dedup_key: str
    structure: str
    kind: str
    siret: str
    rna: str
    activite: str
    adresse: str
    code_postal: str
    commune: str
    representant_prenom: str
    representant_nom: str
    representant_sexe: str
    representant_birth_date: date | None
    email: str
    telephone: str
    submitted_at: datetime


@dataclass(frozen=True)
class CouncilFacts:
    """What the applications need of their council (read through the organisation's
    store)."""

    id: int
    territory: int
    settings: dict[str, Any]

    @property
    def minimum_age(self) -> int:
        return int(self.settings.get("age_minimum", 16))

    @property
    def retention_days(self) -> int:
        return int(self.settings.get("conservation_jours", 183))


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def _row(cls: type[R], row: dict[str, Any]) -> R:
    """A row as the dataclass, keeping the columns it declares (joins may add others)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row.items() if k in names})


_TABLES: dict[Kind, type[CandidatureHabitant] | type[CandidatureStructure]] = {
    "habitant": CandidatureHabitant,
    "structure": CandidatureStructure,
}
_ROWS: dict[Kind, type[VolunteerApplicationRow] | type[StructureApplicationRow]] = {
    "habitant": VolunteerApplicationRow,
    "structure": StructureApplicationRow,
}


class CandidatureStore:
    # --- councils -----------------------------------------------------------------------

    async def council(self, council_id: int) -> CouncilFacts:
        found = await self.councils(council_id)
        if not found:
            raise NotFound(_("Conseil citoyen introuvable."))
        return found[0]

    async def councils(self, council_id: int | None = None) -> list[CouncilFacts]:
        """Every council (archived ones too), or only ``council_id``."""
        rows = await OrganisationStore().council_settings(None if council_id is None else [council_id])
        return [CouncilFacts(r.id, r.territory, r.settings) for r in rows]

    # --- calls --------------------------------------------------------------------------

    async def insert_call(self, council_id: int, values: CallValues, by: int | None, at: datetime) -> int:
        rows = await AppelCandidatures.insert(
            AppelCandidatures(
                council=council_id,
                created_by=by,
                created_at=at,
                college=values.college,
                title=values.title,
                text=values.text,
                opens_on=values.opens_on,
                closes_on=values.closes_on,
            )
        ).returning(AppelCandidatures.id)
        return int(rows[0]["id"])

    async def update_call(self, call_id: int, version: int, values: CallValues) -> None:
        await versioned_update(
            AppelCandidatures,
            call_id,
            version,
            {
                "college": values.college,
                "title": values.title,
                "text": values.text,
                "opens_on": values.opens_on,
                "closes_on": values.closes_on,
            },
            message=_(
                "Cet appel a été modifié par quelqu'un d'autre entre-temps : rechargez la page "
                "et recommencez."
            ),
        )

    async def _with_council_names(self, rows: Sequence[dict[str, Any]]) -> list[CallRow]:
        """The calls with their councils' names, read in one query from the organisation."""
        if not rows:
            return []
        names = await OrganisationStore().council_names([int(r["council"]) for r in rows])
        return [_row(CallRow, {**r, "council_name": names.get(int(r["council"]), "")}) for r in rows]

    async def call(self, call_id: int) -> CallRow | None:
        row = await AppelCandidatures.select().where(AppelCandidatures.id == call_id).first()
        return None if row is None else (await self._with_council_names([row]))[0]

    async def calls(self, council_id: int) -> list[CallRow]:
        rows = await (
            AppelCandidatures.select()
            .where(AppelCandidatures.council == council_id)
            .order_by(AppelCandidatures.opens_on, ascending=False)
        )
        return await self._with_council_names(rows)

    async def calls_closed_before(self, council_id: int, cutoff: date) -> list[int]:
        rows = await AppelCandidatures.select(AppelCandidatures.id).where(
            (AppelCandidatures.council == council_id) & (AppelCandidatures.closes_on < cutoff)
        )
        return [int(r["id"]) for r in rows]

    # --- the public forms' rate limit ---------------------------------------------------

    async def submissions_since(self, key: str, since: datetime, limit: int) -> list[datetime]:
        rows = (
            await FormulairePublicEnvoi.select(FormulairePublicEnvoi.at)
            .where((FormulairePublicEnvoi.subject_key == key) & (FormulairePublicEnvoi.at >= since))
            .order_by(FormulairePublicEnvoi.at)
            .limit(limit)
        )
        return [r["at"] for r in rows]

    async def record_submission(self, key: str, at: datetime, keep: timedelta) -> None:
        """Count one submission and forget those older than ``keep``."""
        await FormulairePublicEnvoi.insert(FormulairePublicEnvoi(subject_key=key, at=at))
        await FormulairePublicEnvoi.delete().where(FormulairePublicEnvoi.at < at - keep)

    # --- applications -------------------------------------------------------------------

    async def volunteer_exists(self, dedup_key: str) -> bool:
        return bool(
            await CandidatureHabitant.exists().where(CandidatureHabitant.dedup_key == dedup_key)
        )

    async def insert_volunteer(self, new: NewVolunteer) -> int:
        rows = await CandidatureHabitant.insert(
            CandidatureHabitant(
                **{f.name: getattr(new, f.name) for f in fields(new)},
                consent=True,
                consent_at=new.submitted_at,
            )
        ).returning(CandidatureHabitant.id)
        return int(rows[0]["id"])

    async def structure_exists(self, call_id: int, dedup_key: str, siret: str, rna: str) -> bool:
        """The same key, or the same SIRET or RNA on the same call."""
        t = CandidatureStructure
        return bool(
            await t.exists().where(
                (t.dedup_key == dedup_key)
                | ((t.appel == call_id) & (t.rna == rna) & (t.rna != ""))
                | ((t.appel == call_id) & (t.siret == siret) & (t.siret != ""))
            )
        )

    async def insert_structure(self, new: NewStructure) -> int:
        rows = await CandidatureStructure.insert(
            CandidatureStructure(
                **{f.name: getattr(new, f.name) for f in fields(new)},
                no_institutional_tie=True,
                consent=True,
                consent_at=new.submitted_at,
            )
        ).returning(CandidatureStructure.id)
        return int(rows[0]["id"])

    async def volunteers(
        self, council_id: int, status: str | None = None, call_id: int | None = None
    ) -> list[VolunteerApplicationRow]:
        t = CandidatureHabitant
        q = t.select().where(t.council == council_id)
        if status:
            q = q.where(t.status == status)
        if call_id is not None:
            q = q.where(t.appel == call_id)
        return [_row(VolunteerApplicationRow, r) for r in await q.order_by(t.id)]

    async def structures(
        self, council_id: int, status: str | None = None, call_id: int | None = None
    ) -> list[StructureApplicationRow]:
        t = CandidatureStructure
        q = t.select().where(t.council == council_id)
        if status:
            q = q.where(t.status == status)
        if call_id is not None:
            q = q.where(t.appel == call_id)
        return [_row(StructureApplicationRow, r) for r in await q.order_by(t.id)]

    async def application(self, kind: Kind, application_id: int) -> ApplicationRow | None:
        table = _TABLES[kind]
        row = await table.select().where(table.id == application_id).first()
        return None if row is None else _row(_ROWS[kind], row)

    async def volunteers_by_id(self, ids: Sequence[int]) -> list[VolunteerApplicationRow]:
        rows = await CandidatureHabitant.select().where(CandidatureHabitant.id.is_in(list(ids)))
        return [_row(VolunteerApplicationRow, r) for r in rows]

    async def record_decision(
        self,
        kind: Kind,
        application_id: int,
        version: int,
        decision: str,
        reason: str,
        by: int | None,
        at: datetime,
    ) -> None:
        table = _TABLES[kind]
        await versioned_update(
            table,
            application_id,
            version,
            {table.status: decision, table.reason: reason, table.reviewed_by: by, table.reviewed_at: at},
            message=_(
                "Cette candidature a été examinée par quelqu'un d'autre entre-temps : rechargez "
                "la page."
            ),
        )

    async def birth_dates(self, kind: Kind, ids: Sequence[int]) -> dict[int, date]:
        """Known birth dates of applicants (of structures' representatives), by application."""
        if not ids:
            return {}
        if kind == "habitant":
            rows = await CandidatureHabitant.select(
                CandidatureHabitant.id, CandidatureHabitant.birth_date.as_alias("born")
            ).where(CandidatureHabitant.id.is_in(list(ids)))
        else:
            rows = await CandidatureStructure.select(
                CandidatureStructure.id, CandidatureStructure.representant_birth_date.as_alias("born")
            ).where(CandidatureStructure.id.is_in(list(ids)))
        return {int(r["id"]): r["born"] for r in rows if r["born"] is not None}

    async def accepted_volunteers(self, council_id: int) -> list[VolunteerApplicationRow]:
        """Accepted volunteers whose address is not known to be outside the perimeter."""
        t = CandidatureHabitant
        rows = await t.select().where(
            (t.council == council_id) & (t.status == "acceptee") & (t.perimetre != "hors-perimetre")
        ).order_by(t.id)
        return [_row(VolunteerApplicationRow, r) for r in rows]

    async def mark_volunteers_selected(self, ids: Sequence[int], at: datetime) -> None:
        await CandidatureHabitant.update({CandidatureHabitant.selected_at: at}).where(
            CandidatureHabitant.id.is_in(list(ids))
        )

    # --- retention ----------------------------------------------------------------------

    async def unselected_volunteers_of(self, call_ids: Sequence[int]) -> list[int]:
        rows = await CandidatureHabitant.select(CandidatureHabitant.id).where(
            CandidatureHabitant.appel.is_in(list(call_ids))
            & CandidatureHabitant.selected_at.is_null()
        )
        return [int(r["id"]) for r in rows]

    async def structures_of(self, call_ids: Sequence[int]) -> list[int]:
        rows = await CandidatureStructure.select(CandidatureStructure.id).where(
            CandidatureStructure.appel.is_in(list(call_ids))
        )
        return [int(r["id"]) for r in rows]

    async def delete_applications(self, volunteers: Sequence[int], structures: Sequence[int]) -> None:
        if volunteers:
            await CandidatureHabitant.delete().where(CandidatureHabitant.id.is_in(list(volunteers)))
        if structures:
            await CandidatureStructure.delete().where(CandidatureStructure.id.is_in(list(structures)))


def default_store() -> CandidatureStore:
    return CandidatureStore()
