"""The standalone verifier (§9): verify() and ``python -m domain.verify``."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.draw.ceremony import (
    Council,
    EntropyKind,
    commit,
    enter_entropy,
    open_round,
    prepare,
    rank_draw,
)
from domain.draw.protocol import parse_pool, serialise_pool
from domain.draw.record import audit_record, public_record, record_json
from domain.verify import main, verify

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 3, 1, 18, 0, tzinfo=UTC)
DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"
ENTRIES = [(f"F{i:07d}", "F", f"h{i % 5}") for i in range(12)] + [
    (f"M{i:07d}", "M", f"h{i % 4}" if i % 3 else "") for i in range(12)
]
POOL_BYTES = serialise_pool(ENTRIES)
PLAN = {"protocol": "cc-draw/1", "one_per_household": True, "quotas": {"F": 2, "M": 2}}


def _draw_record(*, audit: bool) -> dict[str, Any]:
    pool = parse_pool(POOL_BYTES)
    d = prepare("T-1", Council("Conseil citoyen Nord", ("QN01234M",)), pool, PLAN, T0)
    d = commit(d, T0 + timedelta(minutes=1))
    d = enter_entropy(d, DICE, EntropyKind.DICE, "huissier", T0 + timedelta(minutes=2))
    d = rank_draw(d, pool)
    d = open_round(d, T0 + timedelta(days=1))
    d = open_round(d, T0 + timedelta(days=30), {"F": 1, "M": 0})
    return audit_record(d) if audit else public_record(d)


AUDIT = _draw_record(audit=True)
PUBLIC = _draw_record(audit=False)


def _tampered(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(AUDIT)
    record.update(changes)
    return record


def test_correct_records_verify() -> None:
    for record in (AUDIT, PUBLIC):
        result = verify(record, POOL_BYTES)
        assert result.ok, result.message
        assert result.exit_status == 0 and result.code == "ok"
        assert "vérifié" in result.message
        assert len(result.checked) >= 5


def test_committed_only_record_verifies_the_commitment() -> None:
    pool = parse_pool(POOL_BYTES)
    d = commit(prepare("T-1", Council("C", ()), pool, PLAN, T0), T0)
    result = verify(public_record(d), POOL_BYTES)
    assert result.ok and "pas encore été saisi" in result.message
    bad = public_record(d) | {"seed": "00" * 32}
    assert not verify(bad, POOL_BYTES).ok


def _fails(record: Any, pool: bytes, code: str, *words: str) -> None:
    result = verify(record, pool)
    assert not result.ok
    assert result.code == code, result.message
    for w in words:
        assert w in result.message, result.message


def test_tampered_pool() -> None:
    lines = POOL_BYTES.split(b"\n")
    lines[3] = lines[3].replace(b"\tF\t", b"\tM\t")
    _fails(AUDIT, b"\n".join(lines), "empreinte-liste", "empreinte", "liste")
    assert verify(AUDIT, b"\n".join(lines)).exit_status == 1


def test_tampered_entropy() -> None:
    _fails(_tampered(entropy=DICE.replace("3 6", "3 5", 1)), POOL_BYTES, "graine", "aléa")


def test_tampered_entropy_with_matching_seed_still_fails_on_ranking() -> None:
    from domain.draw.protocol import derive_seed

    entropy = DICE.replace("3 6", "3 5", 1)
    seed = derive_seed(AUDIT["commitment"], entropy).hex()
    _fails(_tampered(entropy=entropy, seed=seed), POOL_BYTES, "classement", "rang")


def test_swapped_ranked_keys() -> None:
    record = copy.deepcopy(AUDIT)
    f = record["ranked"]["F"]
    f[0], f[1] = f[1], f[0]
    _fails(record, POOL_BYTES, "classement", "Strate « F », rang 1", f[0])


def test_wrong_strata_counts_and_pool_size() -> None:
    _fails(_tampered(strata_counts={"F": 13, "M": 11}), POOL_BYTES, "effectifs-strates", "F : 12")
    _fails(_tampered(pool_size=25), POOL_BYTES, "taille-liste", "25", "24")


def test_rounds_inconsistent_with_pool() -> None:
    rounds = copy.deepcopy(AUDIT["rounds"])
    rounds[1]["invited"]["F"] = 40
    _fails(_tampered(rounds=rounds), POOL_BYTES, "tours", "Tour 2", "« F »", "n'en compte que")
    rounds = copy.deepcopy(AUDIT["rounds"])
    rounds[0]["invited"]["X"] = 1
    _fails(_tampered(rounds=rounds), POOL_BYTES, "tours", "« X »")
    rounds = copy.deepcopy(AUDIT["rounds"])
    rounds[0]["invited"]["F"] = 1
    _fails(_tampered(rounds=rounds), POOL_BYTES, "tours", "premier tour", "quotas")
    rounds = copy.deepcopy(AUDIT["rounds"])
    rounds[1]["round"] = 3
    _fails(_tampered(rounds=rounds), POOL_BYTES, "tours", "numérotés")


def test_public_record_must_show_every_invited_person() -> None:
    record = copy.deepcopy(PUBLIC)
    record["ranked"]["F"] = record["ranked"]["F"][:2]  # 3 women were invited
    _fails(record, POOL_BYTES, "tours", "s'arrête au rang 2")


def test_changed_plan_breaks_the_commitment() -> None:
    plan = {**PLAN, "quotas": {"F": 3, "M": 2}}
    _fails(_tampered(plan=plan), POOL_BYTES, "engagement", "engagement")


def test_entropy_before_commitment_is_refused() -> None:
    _fails(_tampered(entropy_entered_at="2025-03-01T17:00:00+00:00"), POOL_BYTES, "dates", "avant")
    _fails(_tampered(committed_at="2025-03-01T18:01:00"), POOL_BYTES, "date", "décalage")


def test_missing_member() -> None:
    record = copy.deepcopy(AUDIT)
    del record["seed"]
    _fails(record, POOL_BYTES, "registre-incomplet", "« seed »")


def test_unparseable_pool_with_matching_digest_is_unreadable() -> None:
    bad = b"not a pool\n"
    from domain.draw.protocol import pool_digest

    result = verify(_tampered(pool_digest=pool_digest(bad)), bad)
    assert not result.ok and result.unreadable and result.exit_status == 2


# -- the command line ------------------------------------------------------------------
# One real subprocess, run from a copy of domain/ alone with -S -E (no site-packages, no
# environment): that is how an auditor runs it, and it proves the verifier needs nothing
# else. The other exit codes go through main() in-process, to keep the suite fast.


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    record = tmp_path / "registre.json"
    pool = tmp_path / "liste.tsv"
    record.write_bytes(record_json(AUDIT))
    pool.write_bytes(POOL_BYTES)
    return record, pool


def test_cli_from_a_copy_of_domain_alone(files: tuple[Path, Path], tmp_path: Path) -> None:
    record, pool = files
    auditor = tmp_path / "auditeur"
    shutil.copytree(
        ROOT / "domain", auditor / "domain", ignore=shutil.ignore_patterns("__pycache__")
    )
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-m", "domain.verify", str(record), str(pool)],
        cwd=auditor,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Le tirage est vérifié" in done.stdout
    assert "(s)" not in done.stdout and "rangs publiés" in done.stdout  # real plurals


def test_cli_mismatch_exits_1(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record, pool = files
    swapped = copy.deepcopy(AUDIT)
    m = swapped["ranked"]["M"]
    m[0], m[1] = m[1], m[0]
    bad_record = tmp_path / "faux.json"
    bad_record.write_text(json.dumps(swapped), encoding="utf-8")
    assert main([str(bad_record), str(pool)]) == 1
    out = capsys.readouterr().out
    assert "ÉCHEC" in out and "Strate « M », rang 1" in out


def test_cli_unreadable_exits_2(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record, pool = files
    assert main([str(record), str(tmp_path / "absent.tsv")]) == 2
    assert "Impossible de lire la liste" in capsys.readouterr().err
    not_json = tmp_path / "pas-json.json"
    not_json.write_text("{ceci n'est pas du JSON", encoding="utf-8")
    assert main([str(not_json), str(pool)]) == 2
    assert "pas du JSON" in capsys.readouterr().err
    array = tmp_path / "liste.json"
    array.write_text("[]", encoding="utf-8")
    assert main([str(array), str(pool)]) == 2
    assert main([str(record)]) == 2
    assert main([str(record), str(pool)]) == 0
