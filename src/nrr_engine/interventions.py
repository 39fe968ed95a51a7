"""Intervention holdout: which accounts are monitored but never worked.

The bucket is a stable hash of a salt and the account id, so that the generator and dbt put the
same accounts in the holdout: the first 4 hex digits of md5(salt + account_id) as a number in
[0, 1). dbt computes the same expression in SQL; change both together.
"""

from __future__ import annotations

import hashlib

#: 16 ** 4: the range of the first four hex digits of the md5 digest
_BUCKET_RANGE = 65536.0
_BUCKET_HEX_DIGITS = 4


def holdout_bucket(account_id: str, salt: str) -> float:
    """The account's holdout bucket in [0, 1): md5 of ``salt + account_id``, first 4 hex digits."""
    digest = hashlib.md5((salt + account_id).encode("utf-8")).hexdigest()
    return int(digest[:_BUCKET_HEX_DIGITS], 16) / _BUCKET_RANGE


def is_holdout(account_id: str, share: float, salt: str) -> bool:
    """True when the account's bucket is below ``share`` (the holdout is never worked)."""
    return holdout_bucket(account_id, salt) < share
