"""What the composition store gives and takes: frozen rows, and the store's interface.

Standard library and the domain only, so the use cases (and their unit tests on a fake
store) never import Piccolo. The real store is service/composition/store.py.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from domain.composition import College, Member, MemberStatus, Origin, PersonSeat, Seat, Sex
from domain.organisation import normalise_key
from domain.registre.exclusions import ExclusionList
from service.audit import Actor
from service.organisation.store import CouncilRow

# The postal address parts (NF Z10-011) kept for convocations sent by post.
ADDRESS_PARTS = (
    "complement_destinataire",
    "complement_lieu",
    "numero",
    "voie",
    "lieu_dit",
    "code_postal",
    "commune",
)


@dataclass(frozen=True)
class MemberValues:
    """The fields of a member record a lead sets (creation and modification)."""

    college: str
    origin: str
    seat: str
    prenom: str
    nom: str
    sexe: str
    person_key: str
    structure: str
    email: str
    telephone: str
    contact_consent: bool
    mandate_start: date
    mandate_end: date
    stratum: str | None
    rank: int | None
    account: int | None
    draw_id: int | None
    pool_key: str
    subject_type: str
    subject_id: int | None


@dataclass(frozen=True)
class MemberRow:
    """One row of ``membre``, in the table's column order."""

    id: int
    council: int
    college: str
    origin: str
    seat: str
    prenom: str
    nom: str
    sexe: str
    person_key: str
    structure: str
    email: str
    telephone: str
    contact_consent: bool
    adresse_complement_destinataire: str
    adresse_complement_lieu: str
    adresse_numero: str
    adresse_voie: str
    adresse_lieu_dit: str
    adresse_code_postal: str
    adresse_commune: str
    mandate_start: date
    mandate_end: date
    status: str
    status_since: date | None
    stratum: str | None
    rank: int | None
    draw_id: int | None
    pool_key: str
    subject_type: str
    subject_id: int | None
    replaces: int | None
    account: int | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIF.value

    # French labels for pages and reports.
    @property
    def college_label(self) -> str:
        return College(self.college).label

    @property
    def origin_label(self) -> str:
        return Origin(self.origin).label_for(self.sexe)

    @property
    def seat_label(self) -> str:
        return Seat(self.seat).label_for(self.sexe)

    @property
    def status_label(self) -> str:
        return MemberStatus(self.status).label

    @property
    def sexe_label(self) -> str:
        return Sex(self.sexe).label

    def address(self) -> dict[str, str]:
        """The postal address parts, keyed as ``ADDRESS_PARTS``."""
        return {k: str(getattr(self, f"adresse_{k}")) for k in ADDRESS_PARTS}

    def to_member(self) -> Member:
        """The domain's view of this record (what the rules judge)."""
        return Member(
            id=str(self.id),
            college=College(self.college),
            origin=Origin(self.origin),
            seat=Seat(self.seat),
            sex=Sex(self.sexe),
            mandate_start=self.mandate_start,
            mandate_end=self.mandate_end,
            status=MemberStatus(self.status),
            status_since=self.status_since,
            stratum=self.stratum,
            rank=self.rank,
        )

    def person_seat(self) -> PersonSeat:
        return PersonSeat(self.id, self.person_key, Origin(self.origin), self.is_active)


@dataclass(frozen=True)
class Mandate(MemberRow):
    """A member record of the signed-in person, with the council's name."""

    council_name: str = ""


@dataclass(frozen=True)
class MemberSeat:
    """A member record's seat and dates: what the indicators read of the composition."""

    id: int
    council: int
    college: str
    sexe: str
    seat: str
    mandate_start: date
    mandate_end: date
    status: str
    status_since: date | None


@dataclass(frozen=True)
class HistoryEntry:
    membre: int
    council: int
    at: datetime
    actor_id: int | None
    action: str  # creation | modification | depart | promotion
    snapshot: dict[str, Any]
    override_reason: str = ""
    overridden_rules: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryRow(HistoryEntry):
    id: int = 0
    prenom: str = ""
    nom: str = ""
    etat: str = ""  # the state in French (« Collège des habitants, titulaire, … »)


@dataclass(frozen=True)
class VolunteerRow:
    """An accepted volunteer application, as the volunteers' pool needs it."""

    id: int
    sexe: str
    adresse: str
    code_postal: str
    commune: str
    perimetre: str


def _sort_key(m: MemberRow) -> tuple[Any, ...]:
    # Titulaires before suppléants (ranked), in each college; names in alphabetical order.
    college_order = {c.value: i for i, c in enumerate(College)}
    return (
        college_order.get(m.college, 9),
        m.seat != "titulaire",
        m.status != "actif",
        m.rank or 0,
        normalise_key(m.nom),
        normalise_key(m.prenom),
        m.id,
    )


def sort_members(rows: list[MemberRow]) -> list[MemberRow]:
    """The order every list of members is shown in (the real and the fake stores)."""
    return sorted(rows, key=_sort_key)


class CompositionStorePort(Protocol):
    """Everything the composition's use cases read and write. Members and history are
    the feature's own tables; the rest is read from the features before it (council,
    accounts, applications, the register's exclusion list)."""

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    # members
    async def list_members(self, council_id: int) -> list[MemberRow]: ...
    async def get_member(self, member_id: int) -> MemberRow | None: ...
    async def member_by_draw_key(
        self, council_id: int, draw_id: int, pool_key: str
    ) -> MemberRow | None: ...
    async def draw_keys(self, council_id: int, draw_id: int) -> set[str]: ...
    async def seat_taken(self, member_id: int) -> bool: ...
    async def has_subject(self, council_id: int, subject_type: str, subject_id: int) -> bool: ...
    async def subject_ids(self, council_id: int, subject_type: str) -> set[int]: ...
    async def sitting_subjects(self, council_id: int) -> list[tuple[str, int]]: ...
    async def memberships(self, account_id: int) -> list[Mandate]: ...
    async def insert_member(self, council_id: int, values: MemberValues, now: datetime) -> int: ...
    async def update_member(
        self, member_id: int, version: int, values: MemberValues, now: datetime
    ) -> None: ...
    async def change_status(
        self, member_id: int, version: int, status: str, since: date, now: datetime
    ) -> None: ...
    async def take_seat(
        self, member_id: int, version: int, mandate_start: date, replaces: int, now: datetime
    ) -> None: ...
    async def set_address(
        self, member_id: int, version: int, parts: dict[str, str], now: datetime
    ) -> None: ...

    # history
    async def add_history(self, entry: HistoryEntry) -> None: ...
    async def history(self, council_id: int, limit: int) -> list[HistoryRow]: ...

    # read from the features before the composition
    async def council(self, council_id: int) -> CouncilRow: ...
    async def account_exists(self, account_id: int) -> bool: ...
    async def council_accounts(self, council_id: int) -> list[tuple[str, str]]: ...
    async def exclusion_list(self, council_id: int) -> ExclusionList: ...
    async def applicants_born(
        self, volunteer_ids: list[int], structure_ids: list[int]
    ) -> tuple[dict[int, date], dict[int, date]]: ...
    async def accepted_volunteers(self, council_id: int) -> list[VolunteerRow]: ...


class AuditWriter(Protocol):
    """Appends one event to the audit trail, in the caller's transaction."""

    async def __call__(
        self,
        *,
        actor: Actor,
        action: str,
        subject_type: str,
        subject_id: str | int = "",
        at: datetime,
        territory_id: int | None = None,
        council_id: int | None = None,
        after: Any = None,
        details: dict[str, Any] | None = None,
    ) -> object: ...


@dataclass(frozen=True)
class CompositionUnit:
    """The store and the audit writer a use case works with (the real ones by default,
    fakes in the unit tests)."""

    store: CompositionStorePort
    audit: AuditWriter
