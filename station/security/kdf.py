"""Argon2id key derivation, with parameters chosen so that signing in takes 0.2-0.5 s on a field laptop."""

from __future__ import annotations

import base64
import os
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw


@dataclass(frozen=True)
class KdfParams:
    # Measured on the 2-core reference machine, quiet (tests/perf/test_signin_perf.py, and the KDF alone):
    # t=2/128 MiB 0.13 s, t=3/128 MiB 0.17 s, t=4/128 MiB 0.21 s, t=3/192 MiB 0.27 s, t=4/192 MiB 0.32 s.
    # t=3 at 192 MiB puts a whole sign-in (derive, open the database, load the account) near 0.3 s when the
    # machine is quiet and under 0.5 s when it is busy; the memory makes guessing on GPUs costly.
    # Entries keep the parameters they were made with, so changing these defaults only affects new ones.
    time_cost: int = 3
    memory_kib: int = 196608  # 192 MiB
    parallelism: int = 2
    salt_b64: str = ""

    @classmethod
    def fresh(cls, **overrides: int) -> KdfParams:
        return cls(salt_b64=base64.b64encode(os.urandom(16)).decode(), **overrides)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> KdfParams:
        return cls(
            time_cost=int(data["time_cost"]),  # type: ignore[call-overload]
            memory_kib=int(data["memory_kib"]),  # type: ignore[call-overload]
            parallelism=int(data["parallelism"]),  # type: ignore[call-overload]
            salt_b64=str(data["salt_b64"]),
        )


def derive_key(secret: str, params: KdfParams, length: int = 32) -> bytes:
    return hash_secret_raw(
        secret=secret.encode("utf-8"),
        salt=base64.b64decode(params.salt_b64),
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=length,
        type=Type.ID,
    )
