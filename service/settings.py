"""Typed settings read from the environment, with safe defaults.

Nothing here runs at import time: ``load_settings()`` reads the environment when called,
so tests can set variables first. The default database is a SQLite file under ``var/``
resolved from the code's location, never from the current directory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"

_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


class SettingsError(ValueError):
    """A setting has a value the service cannot use (message in French)."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    var_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    public_base_url: str = "http://127.0.0.1:8000"
    session_hours: int = 12
    secure_cookies: bool = False
    login_max_failures: int = 10
    login_lock_minutes: int = 15
    invitation_days: int = 7
    upload_max_bytes: int = 200 * 1024 * 1024
    smtp_url: str = ""
    mail_from: str = "conseil-citoyen@localhost"
    # Automatic retention purge of registers (minutes between passes; 0 = off).
    registre_purge_interval_minutes: int = 60
    # The mail outbox's sender (service/outbox): seconds between passes (0 = no sender
    # in this process), attempts before « échec », seconds a claimed mail stays reserved.
    outbox_poll_seconds: int = 5
    outbox_max_attempts: int = 8
    outbox_lease_seconds: int = 600
    outbox_batch_size: int = 20
    # Days after which a sent mail's address, text and attachments are erased (0 = kept).
    outbox_retention_days: int = 90
    # PUBLIC_BASE_URL came from the environment (False: derived from HOST and PORT).
    public_base_url_explicit: bool = True
    # Development only: documents for outside may carry a loopback address.
    allow_loopback_links: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # AUDIT_KEY: the key of the audit trail's HMAC chain, kept outside the database. When
    # unset it is derived from SECRET_KEY (also outside the database).
    audit_key: str = ""

    @property
    def audit_mac_key(self) -> bytes:
        if self.audit_key:
            return hashlib.sha256(b"conseil/journal-audit/v1\n" + self.audit_key.encode("utf-8")).digest()
        return hmac.new(self.secret_key.encode("utf-8"), b"conseil/journal-audit/v1", hashlib.sha256).digest()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        if not self.is_sqlite:
            raise SettingsError("La base configurée n'est pas SQLite.")
        raw = self.database_url.split("://", 1)[1]
        # sqlite:///relative/or/absolute — three slashes then the path
        path = Path(raw[1:] if raw.startswith("/") and not raw.startswith("//") else raw)
        if raw.startswith("//"):
            path = Path(raw[1:])
        return path if path.is_absolute() else PROJECT_ROOT / path

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} doit être un nombre entier (reçu « {raw} »).") from exc


def _secret_key(env: dict[str, str], var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting together must agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    var_dir = Path(env.get("CONSEIL_VAR_DIR") or DEFAULT_VAR_DIR)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'conseil.sqlite3'}"
    if not database_url.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise SettingsError(
            "DATABASE_URL doit commencer par sqlite:// ou postgresql:// "
            f"(reçu « {database_url.split(':', 1)[0]}:… »)."
        )
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in _LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL inconnu : « {log_level} ».")
    host = env.get("HOST") or "127.0.0.1"
    port = _int(env, "PORT", 8000)
    if not 0 < port < 65536:
        raise SettingsError("PORT doit être compris entre 1 et 65535.")
    base = env.get("PUBLIC_BASE_URL") or f"http://{host}:{port}"
    return Settings(
        database_url=database_url,
        secret_key=_secret_key(env, var_dir),
        var_dir=var_dir,
        host=host,
        port=port,
        log_level=log_level,
        public_base_url=base.rstrip("/"),
        session_hours=_int(env, "SESSION_HOURS", 12),
        secure_cookies=(env.get("SECURE_COOKIES", "").lower() in {"1", "true", "oui", "yes"})
        or base.startswith("https://"),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 10),
        login_lock_minutes=_int(env, "LOGIN_LOCK_MINUTES", 15),
        invitation_days=_int(env, "INVITATION_DAYS", 7),
        upload_max_bytes=_int(env, "UPLOAD_MAX_BYTES", 200 * 1024 * 1024),
        smtp_url=env.get("SMTP_URL", ""),
        mail_from=env.get("MAIL_FROM", "conseil-citoyen@localhost"),
        audit_key=env.get("AUDIT_KEY", ""),
        registre_purge_interval_minutes=_int(env, "REGISTRE_PURGE_INTERVAL_MINUTES", 60),
        outbox_poll_seconds=_int(env, "OUTBOX_POLL_SECONDS", 5),
        outbox_max_attempts=max(1, _int(env, "OUTBOX_MAX_ATTEMPTS", 8)),
        outbox_lease_seconds=max(1, _int(env, "OUTBOX_LEASE_SECONDS", 600)),
        outbox_batch_size=max(1, _int(env, "OUTBOX_BATCH_SIZE", 20)),
        outbox_retention_days=max(0, _int(env, "OUTBOX_RETENTION_DAYS", 90)),
        public_base_url_explicit=bool(env.get("PUBLIC_BASE_URL")),
        allow_loopback_links=env.get("ALLOW_LOOPBACK_LINKS", "").lower() in {"1", "true", "oui", "yes"},
    )
