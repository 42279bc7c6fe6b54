"""The record's canonical bytes, written out by hand."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ruledsl.core.errors import MalformedError
from ruledsl.evidence.hashing import SHA256
from ruledsl.evidence.record import EvidenceRecord

D = "sha256:" + "ab" * 32


def test_canonical_bytes_by_hand() -> None:
    rec = EvidenceRecord.make(D, "loan_contract", "(2024)京0105民初123号", "91110000MA01",
                              datetime(2024, 5, 1, 16, 0, 0, tzinfo=timezone(timedelta(hours=8))))
    expected = (
        "ruledsl-evidence/v1\n"
        f"digest {D}\n"
        "kind loan_contract\n"
        "case (2024)京0105民初123号\n"
        "submitter 91110000MA01\n"
        "time 2024-05-01T08:00:00Z\n"  # 16:00 in Beijing is 08:00 UTC
    ).encode()
    assert rec.canonical() == expected
    assert SHA256.leaf(rec.canonical()) == hashlib.sha256(b"\x00" + expected).digest()
    assert EvidenceRecord.parse(expected) == rec


def test_timestamp_token_digest_line() -> None:
    rec = EvidenceRecord.make(D, "overdue_notice", "C-1", "lender-7", "2024-05-01T08:00:00Z", "sha256:" + "cd" * 32)
    assert rec.canonical().endswith(b"time 2024-05-01T08:00:00Z\ntst sha256:" + b"cd" * 32 + b"\n")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"ruledsl-evidence/v1\n",
        f"ruledsl-evidence/v1\ndigest {D}\nkind k\ncase c\nsubmitter s\ntime 2024-05-01T08:00:00Z".encode(),
        f"ruledsl-evidence/v1\ndigest {D.upper()}\nkind k\ncase c\nsubmitter s\ntime 2024-05-01T08:00:00Z\n".encode(),
        f"ruledsl-evidence/v1\nkind k\ndigest {D}\ncase c\nsubmitter s\ntime 2024-05-01T08:00:00Z\n".encode(),
        f"ruledsl-evidence/v1\ndigest {D}\nkind k\ncase c\nsubmitter s\ntime 2024-05-01 08:00:00\n".encode(),
        f"ruledsl-evidence/v1\ndigest {D}\nkind k\ncase c\nsubmitter s\ntime 2024-05-01T08:00:00Z\nx y\n".encode(),
        f"ruledsl-evidence/v1\ndigest {D}\nkind K\ncase c\nsubmitter s\ntime 2024-05-01T08:00:00Z\n".encode(),
        f"ruledsl-evidence/v1\ndigest {D}\nkind k\ncase  c\nsubmitter s\ntime 2024-05-01T08:00:00Z\n".encode(),
        b"\xff\xfe",
    ],
)
def test_malformed_records(data: bytes) -> None:
    with pytest.raises(MalformedError):
        EvidenceRecord.parse(data)


@pytest.mark.parametrize("value", ["110101199003077777", "11010119900307777X", "13812345678", "tel 15900001111"])
def test_personal_data_refused(value: str) -> None:
    with pytest.raises(MalformedError, match="resident ID or mobile"):
        EvidenceRecord.make(D, "loan_contract", value, "lender", datetime.now(UTC))
    with pytest.raises(MalformedError):
        EvidenceRecord.make(D, "loan_contract", "C-1", value, datetime.now(UTC))


def test_naive_time_refused() -> None:
    with pytest.raises(MalformedError):
        EvidenceRecord.make(D, "loan_contract", "C-1", "lender", datetime(2024, 1, 1))
