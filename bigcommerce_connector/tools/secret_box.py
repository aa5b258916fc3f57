"""Encryption at rest of the BigCommerce credentials.

The key never lives in the database next to the ciphertext: it comes from the
Odoo server configuration (``bigcommerce_encryption_key`` in odoo.conf) or
from the ``BIGCOMMERCE_ENCRYPTION_KEY`` environment variable.  Several keys
may be given, comma separated: the first encrypts, all decrypt, which is how
an administrator rotates the key without losing the stored tokens.
"""

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from odoo.exceptions import UserError
from odoo.tools import config

from .rights import check_bigcommerce_admin

CONFIG_KEY = "bigcommerce_encryption_key"
ENV_KEY = "BIGCOMMERCE_ENCRYPTION_KEY"

GENERATE_KEY = (
    'python3 -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


def _key_help(env):
    return env._(
        "Set the encryption key of the BigCommerce credentials: add "
        "'%(option)s = <key>' to the Odoo configuration file or export "
        "%(variable)s, then restart Odoo. Generate a key with: %(command)s",
        option=CONFIG_KEY,
        variable=ENV_KEY,
        command=GENERATE_KEY,
    )


def _configured_keys():
    raw = config.get(CONFIG_KEY) or os.environ.get(ENV_KEY) or ""
    return [key.strip() for key in raw.split(",") if key.strip()]


def key_configured():
    return bool(_configured_keys())


def _fernet(env):
    keys = _configured_keys()
    if not keys:
        raise UserError(_key_help(env))
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        # The message of cryptography's error never contains the key itself.
        raise UserError(
            env._(
                "The BigCommerce encryption key is not a valid Fernet key (%(error)s). "
                "%(help)s",
                error=exc,
                help=_key_help(env),
            )
        ) from None


def encrypt(env, plaintext):
    if not plaintext:
        return False
    return _fernet(env).encrypt(plaintext.encode()).decode()


def decrypt(env, ciphertext):
    """The clear secret; only for a BigCommerce Administrator or the superuser
    (a job runs as whoever queued it: one whose user lost the group since
    reads no secret, so sends nothing)."""
    check_bigcommerce_admin(env, "read a stored BigCommerce secret")
    if not ciphertext:
        return False
    try:
        return _fernet(env).decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise UserError(
            env._(
                "The stored BigCommerce credentials cannot be decrypted with the "
                "configured key (was the key changed?). Add the previous key after "
                "the new one, comma separated, or enter the credentials again."
            )
        ) from None
