"""The composition's storage: the only code that queries ``membre`` and
``membre_historique`` (service/composition/rows.py says what it returns).

The council, accounts, applications and the register's exclusion list belong to the
features before the composition: they are read here through those features' use cases
or stores, never their tables (DESIGN.md §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from domain.i18n import _
from domain.registre.exclusions import ExclusionList
from service.composition.rows import (
    HistoryEntry,
    HistoryRow,
    Mandate,
    MemberRow,
    MemberSeat,
    MemberValues,
    VolunteerRow,
    sort_members,
)
from service.composition.tables import Membre, MembreHistorique
from service.comptes.store import AccountStore
from service.db.engine import Database
from service.db.versioned import versioned_update
from service.organisation.store import CouncilRow, OrganisationStore

_MEMBER_FIELDS = tuple(f.name for f in fields(MemberRow))


def _member(row: dict[str, Any]) -> MemberRow:
    return MemberRow(**{k: row[k] for k in _MEMBER_FIELDS})


_SEAT_COLUMNS = (
    Membre.id, Membre.council, Membre.college, Membre.sexe, Membre.seat, Membre.mandate_start,
    Membre.mandate_end, Membre.status, Membre.status_since,
)


class CompositionStore:
    """Reads need no ``db`` (the tables are bound to the engine when the app or the CLI
    starts); writes run in ``transaction()``, which does."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        if self.db is None:
            raise RuntimeError("CompositionStore.transaction needs the Database")
        return self.db.transaction()

    # --- members ------------------------------------------------------------------

    async def list_members(self, council_id: int) -> list[MemberRow]:
        rows = await Membre.select().where(Membre.council == council_id)
        return sort_members([_member(r) for r in rows])

    async def get_member(self, member_id: int) -> MemberRow | None:
        row = await Membre.select().where(Membre.id == member_id).first()
        return None if row is None else _member(row)

    async def member_by_draw_key(
        self, council_id: int, draw_id: int, pool_key: str
    ) -> MemberRow | None:
        row = (
            await Membre.select()
            .where(
                (Membre.draw_id == draw_id)
                & (Membre.pool_key == pool_key)
                & (Membre.council == council_id)
            )
            .first()
        )
        return None if row is None else _member(row)

    async def draw_keys(self, council_id: int, draw_id: int) -> set[str]:
        rows = await Membre.select(Membre.pool_key).where(
            (Membre.council == council_id) & (Membre.draw_id == draw_id)
        )
        return {str(r["pool_key"]) for r in rows}

    async def seat_taken(self, member_id: int) -> bool:
        return bool(await Membre.exists().where(Membre.replaces == member_id))

    async def has_subject(self, council_id: int, subject_type: str, subject_id: int) -> bool:
        return bool(
            await Membre.exists().where(
                (Membre.council == council_id)
                & (Membre.subject_type == subject_type)
                & (Membre.subject_id == subject_id)
            )
        )

    async def subject_ids(self, council_id: int, subject_type: str) -> set[int]:
        rows = await Membre.select(Membre.subject_id).where(
            (Membre.council == council_id) & (Membre.subject_type == subject_type)
        )
        return {int(r["subject_id"]) for r in rows if r["subject_id"] is not None}

    async def sitting_subjects(self, council_id: int) -> list[tuple[str, int]]:
        rows = await Membre.select(Membre.subject_type, Membre.subject_id).where(
            (Membre.council == council_id) & (Membre.status == "actif")
        )
        return [(r["subject_type"], int(r["subject_id"])) for r in rows if r["subject_id"]]

    async def memberships(self, account_id: int) -> list[Mandate]:
        rows = (
            await Membre.select()
            .where(Membre.account == account_id)
            .order_by(Membre.mandate_start, ascending=False)
        )
        if not rows:
            return []
        # The councils' names are the organisation's: one look-up for all the mandates.
        names = await OrganisationStore(self.db).council_names([int(r["council"]) for r in rows])
        return [
            Mandate(**{k: r[k] for k in _MEMBER_FIELDS}, council_name=names.get(int(r["council"]), ""))
            for r in rows
        ]

    async def insert_member(self, council_id: int, values: MemberValues, now: datetime) -> int:
        row = (
            await Membre.insert(
                Membre(council=council_id, created_at=now, updated_at=now, **asdict(values))
            ).returning(Membre.id)
        )[0]
        return int(row["id"])

    async def _versioned(self, member_id: int, version: int, values: dict[str, Any]) -> None:
        await versioned_update(
            Membre,
            member_id,
            version,
            values,
            message=_(
                "Ce membre a été modifié par quelqu'un d'autre entre-temps : rechargez la page "
                "pour voir sa fiche à jour, puis recommencez."
            ),
        )

    async def update_member(
        self, member_id: int, version: int, values: MemberValues, now: datetime
    ) -> None:
        await self._versioned(member_id, version, {**asdict(values), "updated_at": now})

    async def change_status(
        self, member_id: int, version: int, status: str, since: date, now: datetime
    ) -> None:
        await self._versioned(
            member_id, version, {"status": status, "status_since": since, "updated_at": now}
        )

    async def take_seat(
        self, member_id: int, version: int, mandate_start: date, replaces: int, now: datetime
    ) -> None:
        await self._versioned(
            member_id,
            version,
            {
                "seat": "titulaire",
                "mandate_start": mandate_start,
                "replaces": replaces,
                "updated_at": now,
            },
        )

    async def set_address(
        self, member_id: int, version: int, parts: dict[str, str], now: datetime
    ) -> None:
        values: dict[str, Any] = {f"adresse_{k}": v for k, v in parts.items()}
        await self._versioned(member_id, version, {**values, "updated_at": now})

    # --- facts for the contrat de ville's indicators ----------------------------------

    async def seats_of_councils(self, council_ids: Sequence[int]) -> list[MemberSeat]:
        """Every member record of the councils, in one query whatever their number."""
        if not council_ids:
            return []
        rows = await Membre.select(*_SEAT_COLUMNS).where(Membre.council.is_in(list(council_ids)))
        return [MemberSeat(**r) for r in rows]

    async def seats_by_id(self, member_ids: Sequence[int]) -> list[MemberSeat]:
        if not member_ids:
            return []
        rows = await Membre.select(*_SEAT_COLUMNS).where(Membre.id.is_in(list(member_ids)))
        return [MemberSeat(**r) for r in rows]

    # --- history --------------------------------------------------------------------

    async def add_history(self, entry: HistoryEntry) -> None:
        await MembreHistorique.insert(MembreHistorique(**asdict(entry)))

    async def history(self, council_id: int, limit: int) -> list[HistoryRow]:
        rows = (
            await MembreHistorique.select(
                *MembreHistorique.all_columns(),
                MembreHistorique.membre.prenom.as_alias("prenom"),
                MembreHistorique.membre.nom.as_alias("nom"),
            )
            .where(MembreHistorique.council == council_id)
            .order_by(MembreHistorique.id, ascending=False)
            .limit(limit)
            .output(load_json=True)
        )
        return [
            HistoryRow(
                id=int(r["id"]),
                membre=int(r["membre"]),
                council=int(r["council"]),
                at=r["at"],
                actor_id=r["actor_id"],
                action=r["action"],
                snapshot=r["snapshot"] or {},
                override_reason=r["override_reason"],
                overridden_rules=list(r["overridden_rules"] or []),
                prenom=r["prenom"],
                nom=r["nom"],
            )
            for r in rows
        ]

    # --- read from the features before the composition -------------------------------

    async def council(self, council_id: int) -> CouncilRow:
        from service.organisation.usecases import get_council

        return await get_council(council_id)

    async def account_exists(self, account_id: int) -> bool:
        return await AccountStore(self.db).account_exists(account_id)

    async def council_accounts(self, council_id: int) -> list[tuple[str, str]]:
        contacts = await AccountStore(self.db).council_contacts(council_id, ["membre", "secretaire"])
        labels = {c.id: f"{c.display_name} <{c.email}>" for c in contacts}
        return [(str(k), v) for k, v in sorted(labels.items(), key=lambda kv: kv[1].casefold())]

    async def exclusion_list(self, council_id: int) -> ExclusionList:
        from service.registre.usecases.lists import exclusion_list

        return await exclusion_list(council_id)

    async def applicants_born(
        self, volunteer_ids: list[int], structure_ids: list[int]
    ) -> tuple[dict[int, date], dict[int, date]]:
        # Applications are the candidatures feature's: read through its store.
        from service.candidatures.store import CandidatureStore

        applications = CandidatureStore()
        return (await applications.birth_dates("habitant", volunteer_ids),
                await applications.birth_dates("structure", structure_ids))

    async def accepted_volunteers(self, council_id: int) -> list[VolunteerRow]:
        from service.candidatures.store import CandidatureStore

        return [
            VolunteerRow(id=a.id, sexe=a.sexe, adresse=a.adresse, code_postal=a.code_postal, commune=a.commune,
                         perimetre=a.perimetre)
            for a in await CandidatureStore().accepted_volunteers(council_id)
        ]
