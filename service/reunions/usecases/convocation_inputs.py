"""What a convocation needs from the council: letterhead, signature and settings (read
through the organisation and letters use cases), and the recipient's shape."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from domain.organisation import CouncilSettings
from service.courriers.documents import CouncilInfo, letterhead_of
from service.courriers.usecases import templates as letters_uc
from service.organisation import usecases as org
from service.organisation.store import CouncilRow
from service.reunions.documents import CouncilSheet


@dataclass(frozen=True)
class Recipient:
    membre_id: int
    civilite: str
    prenom: str
    nom: str
    seat: str
    email: str = ""
    address: tuple[str, ...] = ()
    postal_key: tuple[object, ...] = ()

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.prenom, self.nom) if p)


@dataclass(frozen=True)
class CouncilContext:
    council_id: int
    territory_id: int | None
    name: str
    settings: CouncilSettings
    sheet: CouncilSheet


def settings_of(council: CouncilRow) -> CouncilSettings:
    raw = council.settings
    known = {f.name for f in dataclasses.fields(CouncilSettings)}
    return CouncilSettings(**{k: v for k, v in raw.items() if k in known})


async def council_context(council_id: int, base_url: str) -> CouncilContext:
    council = await org.get_council(council_id)
    wording = await letters_uc.get_wording(council_id)
    info: CouncilInfo = await letters_uc.council_info(council_id, base_url)
    letterhead = letterhead_of(wording, info)
    sheet = CouncilSheet(
        letterhead=letterhead,
        council_name=letterhead.council or council.name,
        lieu=wording.lieu,
        signataire=wording.signataire,
        fonction_signataire=wording.fonction_signataire,
    )
    return CouncilContext(
        council_id=council_id,
        territory_id=council.territory,
        name=council.name,
        settings=settings_of(council),
        sheet=sheet,
    )
