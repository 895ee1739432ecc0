"""Passwords: the rule every new password meets, and how passwords are stored and checked.

The rule (NIST SP 800-63B, OWASP's authentication cheat sheet): at least 8 characters, up to
128, any characters and no composition rules ("one digit, one capital"); refused when it is
only spaces, equal to the user's email or name, or easy to guess. "Easy to guess" is judged
offline by zxcvbn: its shipped list of the 30,000 most common passwords (from leaked password
sets), English words and names, and patterns such as sequences, repeats, keyboard rows and
dates; a password it expects to fall in fewer than ``MIN_GUESSES`` guesses is refused. The one
rule is used by the web forms, the services and the command line.

Storage: argon2id with OWASP's parameters (19 MiB of memory, 2 passes, 1 lane; settings
``PASSWORD_HASH_*``). Hashes of the older scheme (Werkzeug's scrypt or pbkdf2) are still
verified, and ``needs_rehash`` tells the login to store the password again in the current one.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash
from zxcvbn import zxcvbn

from kerjasama_flow.errors import DomainError

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn reads at most 72 characters; a longer password is judged by its first 72.
_ZXCVBN_MAX_LENGTH = 72
# zxcvbn's score 2 and up: beyond a million guesses, out of reach of a throttled online attack.
MIN_GUESSES = 10**6
ARGON2_PREFIX = "$argon2"

TOO_SHORT = f"Kata sandi minimal {MIN_LENGTH} karakter."
TOO_LONG = f"Kata sandi paling panjang {MAX_LENGTH} karakter."
ONLY_SPACES = "Kata sandi tidak boleh hanya berisi spasi."
SAME_AS_ACCOUNT = "Kata sandi tidak boleh sama dengan email atau nama Anda."
TOO_GUESSABLE = (
    "Kata sandi ini terlalu mudah ditebak: termasuk kata sandi yang banyak dipakai orang atau "
    "berupa pola sederhana (deret angka, huruf berulang, urutan tombol). Pilih yang lain, "
    "misalnya gabungan tiga atau empat kata yang mudah Anda ingat."
)


def problem(password: str, email: str | None = None, name: str | None = None) -> str | None:
    """What is wrong with ``password`` as a new password (a message for the person), or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if not password.strip():
        return ONLY_SPACES
    lowered = password.strip().lower()
    own = {(email or "").strip().lower(), (name or "").strip().lower()}
    if email and "@" in email:
        own.add(email.strip().lower().split("@", 1)[0])
    if lowered in own - {""}:
        return SAME_AS_ACCOUNT
    if zxcvbn(password[:_ZXCVBN_MAX_LENGTH])["guesses"] < MIN_GUESSES:
        return TOO_GUESSABLE
    return None


def check_new(password: str, field: str, email: str | None = None, name: str | None = None):
    """Raise ``DomainError`` on ``field`` when ``password`` breaks the rule."""
    message = problem(password, email, name)
    if message:
        raise DomainError(message, field)


# --- storage ----------------------------------------------------------------------------------


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=int(config["PASSWORD_HASH_TIME_COST"]),
        memory_cost=int(config["PASSWORD_HASH_MEMORY_KIB"]),
        parallelism=int(config["PASSWORD_HASH_PARALLELISM"]),
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(stored_hash: str, password: str) -> bool:
    """Does ``password`` match ``stored_hash`` (argon2id, or the older Werkzeug scheme)?"""
    if stored_hash.startswith(ARGON2_PREFIX):
        try:
            return _hasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """An older scheme, or argon2 with other parameters than the current settings."""
    if not stored_hash.startswith(ARGON2_PREFIX):
        return True
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )
    return hasher.hash(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> bool:
    """The work of a wrong password for an email nobody has: a login must not tell by its
    time which emails exist. Always False."""
    config = current_app.config
    dummy = _dummy_hash(
        int(config["PASSWORD_HASH_TIME_COST"]),
        int(config["PASSWORD_HASH_MEMORY_KIB"]),
        int(config["PASSWORD_HASH_PARALLELISM"]),
    )
    verify(dummy, password)
    return False
