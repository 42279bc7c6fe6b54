from __future__ import annotations

import pytest

from ruledsl.evidence.note import ALG_COSIGNATURE_V1, Signer


@pytest.fixture(scope="session")
def court() -> Signer:
    return Signer.generate("court.example/evidence")


@pytest.fixture(scope="session")
def witness_key() -> Signer:
    return Signer.generate("notary.example/w1", ALG_COSIGNATURE_V1)
