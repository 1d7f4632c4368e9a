"""Passwords (argon2), opaque tokens and CSRF values."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.errors import InvalidInput
from domain.i18n import _

MIN_PASSWORD_LENGTH = 12


@lru_cache(maxsize=4)
def hasher(cheap: bool = False) -> PasswordHasher:
    # Tests build the app with cheap=True: argon2's defaults cost ~50 ms a hash, which
    # would dominate a suite that logs in hundreds of times. Production keeps defaults.
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


_DUMMY_HASHES: dict[bool, str] = {}


def hash_password(password: str, *, cheap: bool = False) -> str:
    return hasher(cheap).hash(password)


def verify_password(stored_hash: str, password: str, *, cheap: bool = False) -> bool:
    """Constant work whether or not the account exists (no user enumeration by timing)."""
    h = hasher(cheap)
    if not stored_hash:
        if cheap not in _DUMMY_HASHES:
            _DUMMY_HASHES[cheap] = h.hash("mot de passe factice")
        stored_hash = _DUMMY_HASHES[cheap]
        with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
            h.verify(stored_hash, password + "\x00")
        return False
    try:
        return h.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("Le mot de passe doit compter au moins {n} caractères.").format(n=MIN_PASSWORD_LENGTH),
            field="password",
            code="mot-de-passe-trop-court",
        )
    if email and password.lower() == email.lower():
        raise InvalidInput(
            _("Le mot de passe ne peut pas être l'adresse électronique."),
            field="password",
            code="mot-de-passe-faible",
        )


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Tokens carry ≥ 256 bits of randomness: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def sign(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
