"""The audit trail's hash chain (DESIGN.md rule 6), computed the same everywhere.

Each event's hash covers the previous hash and a canonical form of the event, so editing,
inserting or deleting a row breaks the chain at a point ``verify_chain`` can name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.i18n import _

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value in canonical form (before/after states, payloads)."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("aware datetime required")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainedEvent:
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: str
    territory_id: int | None
    council_id: int | None
    details: Mapping[str, Any]
    payload_digest: str
    prev_hash: str
    hash: str = ""
    mac: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": timestamp(self.at),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "territory_id": self.territory_id,
            "council_id": self.council_id,
            "details": dict(self.details),
            "payload_digest": self.payload_digest,
        }


def chain_hash(prev_hash: str, event: ChainedEvent) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical_json(event.body())).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    message: str = ""


def verify_chain(
    events: Iterable[ChainedEvent], head_seq: int | None, head_hash: str | None
) -> ChainReport:
    """Walk events in ``seq`` order; the head row guards against deleting the tail."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for ev in events:
        if ev.seq != expected_seq:
            if ev.seq > expected_seq:
                msg = _("Événement n° {seq} manquant : la chaîne saute de {a} à {b}.").format(
                    seq=expected_seq, a=expected_seq - 1, b=ev.seq
                )
                return ChainReport(False, checked, expected_seq, msg)
            msg = _("Événement n° {seq} en double ou inséré.").format(seq=ev.seq)
            return ChainReport(False, checked, ev.seq, msg)
        if ev.prev_hash != prev_hash:
            msg = _(
                "Événement n° {seq} : l'empreinte précédente ne correspond pas "
                "(ligne supprimée, insérée ou modifiée avant lui)."
            ).format(seq=ev.seq)
            return ChainReport(False, checked, ev.seq, msg)
        if chain_hash(prev_hash, ev) != ev.hash:
            msg = _("Événement n° {seq} modifié : son empreinte ne correspond plus à son contenu.").format(
                seq=ev.seq
            )
            return ChainReport(False, checked, ev.seq, msg)
        prev_hash = ev.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    if (head_seq or 0) != last_seq or (last_seq and head_hash != prev_hash):
        msg = _(
            "La tête du journal indique {head} événements mais {n} sont présents : "
            "des événements récents ont été supprimés."
        ).format(head=head_seq or 0, n=last_seq)
        return ChainReport(False, checked, last_seq + 1, msg)
    return ChainReport(True, checked, None, _("Journal intègre : {n} événements vérifiés.").format(n=checked))


# --- the keyed chain --------------------------------------------------------------------
# The plain SHA-256 chain above lets anyone holding an exported copy check it; but whoever
# can write the database can also recompute it end to end. The keyed chain seals each
# event's hash with an HMAC whose key is not in the database: a rewrite that recomputes
# every plain hash still breaks the seals.


def chain_mac(key: bytes, prev_mac: str, event_hash: str) -> str:
    return hmac.new(key, prev_mac.encode("ascii") + b"\n" + event_hash.encode("ascii"), hashlib.sha256).hexdigest()


def verify_macs(events: Iterable[ChainedEvent], key: bytes, head_mac: str | None) -> ChainReport:
    """Check the keyed chain (after ``verify_chain`` has checked the plain one).

    Events written before the journal was sealed (a database upgraded from an earlier
    version) carry no seal: a leading run of them is accepted and reported. Rewriting one
    of them is still caught: the first sealed event's seal covers its plain hash, which
    chains every event before it."""
    items = list(events)
    legacy = 0
    while legacy < len(items) and not items[legacy].mac:
        legacy += 1
    prev = GENESIS
    checked = 0
    for ev in items[legacy:]:
        if not ev.mac or not hmac.compare_digest(chain_mac(key, prev, ev.hash), ev.mac):
            msg = _(
                "Événement n° {seq} : son sceau (HMAC) ne correspond pas : le journal a été réécrit "
                "à partir de cet événement, ou la clé du journal a changé."
            ).format(seq=ev.seq)
            return ChainReport(False, checked, ev.seq, msg)
        prev = ev.mac
        checked += 1
    if checked and not hmac.compare_digest(head_mac or "", prev):
        msg = _("La tête du journal ne porte pas le sceau du dernier événement : le journal a été réécrit.")
        return ChainReport(False, checked, checked, msg)
    text = _("Journal intègre : {n} événements vérifiés.").format(n=checked + legacy)
    if legacy:
        text += " " + _("Les {n} premiers, antérieurs au scellement, sont couverts par la chaîne SHA-256 "
                        "et par le sceau des suivants.").format(n=legacy)
    return ChainReport(True, checked + legacy, None, text)


# --- exported copies --------------------------------------------------------------------

EXPORT_FORMAT = "conseil-journal-audit/1"


def event_from_export(item: Mapping[str, Any]) -> ChainedEvent:
    return ChainedEvent(
        seq=int(item["seq"]),
        at=datetime.strptime(item["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
        actor_id=item["actor_id"],
        actor_label=item["actor_label"],
        action=item["action"],
        subject_type=item["subject_type"],
        subject_id=item["subject_id"],
        territory_id=item["territory_id"],
        council_id=item["council_id"],
        details=item["details"] or {},
        payload_digest=item["payload_digest"],
        prev_hash=item["prev_hash"],
        hash=item["hash"],
    )


def export_item(ev: ChainedEvent) -> dict[str, Any]:
    return {**ev.body(), "prev_hash": ev.prev_hash, "hash": ev.hash}


def verify_export(document: Mapping[str, Any], kept_heads: Iterable[tuple[int, str]] = ()) -> ChainReport:
    """Verify an exported copy: the plain chain, its head, and every head kept elsewhere
    (printed on a draw's public record or a report): a kept head (seq, hash) must still be
    the hash of event ``seq``, else the trail was rewritten after it was printed."""
    if document.get("format") != EXPORT_FORMAT:
        return ChainReport(False, 0, None, _("Ce fichier n'est pas un export du journal d'audit."))
    events = [event_from_export(item) for item in document.get("events", [])]
    head = document.get("head") or {}
    report = verify_chain(events, head.get("seq"), head.get("hash"))
    if not report.ok:
        return report
    by_seq = {ev.seq: ev.hash for ev in events}
    for seq, kept in kept_heads:
        if by_seq.get(seq) != kept:
            msg = _(
                "La tête conservée (événement n° {seq}, empreinte {h}…) ne se retrouve pas dans ce journal : "
                "il a été réécrit après qu'elle a été publiée."
            ).format(seq=seq, h=kept[:12])
            return ChainReport(False, report.checked, seq, msg)
    return report
