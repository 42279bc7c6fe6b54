"""The demo case store (SQLite and PostgreSQL): its users, its cases and their queue figures.

No figure is copied from the code's output: the tests check the structure (every case filed with its
queue's figures) and the relations the figures must keep (an award never above the claim nor above
what the law allows; awarded = allowed when no claim is stated).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, func, select

from ruledsl.core.idnumber import read_id_number
from ruledsl.precheck.run import VERDICTS
from ruledsl.service import case_award, get_case, list_cases, queue_counts, sign_in
from ruledsl.service.demo import (
    BANK,
    CASES,
    CONSUMER_FINANCE,
    DEMO_USERS,
    EVIDENCE_CASES,
    PEOPLE,
    TRADER,
    seed,
)
from ruledsl.store.cases import cases, users

PASSWORDS = {u[0]: u[1] for u in DEMO_USERS}
#: the hand-written cases, those with evidence files among them
WRITTEN = len(CASES) + len(EVIDENCE_CASES)


def judge(store: Engine):  # type: ignore[no-untyped-def]
    return sign_in(store, "judge", PASSWORDS["judge"])


def test_demo_users_cover_every_role_with_long_passwords() -> None:
    assert {u[2] for u in DEMO_USERS} == {"judge", "clerk", "lender", "mediator", "admin"}
    assert len({u[4] for u in DEMO_USERS if u[2] == "lender"}) == 2
    assert all(len(u[1]) >= 12 for u in DEMO_USERS)
    assert WRITTEN >= 25
    assert {c["ruleset"] for c in CASES} == {"cn.consumer_loan", "cn.private_lending", "cn.credit_card"}


def test_seed_files_every_case_with_its_queue_figures(store: Engine) -> None:
    result = seed(store, generated=40)
    assert result == {"users": len(DEMO_USERS), "cases": WRITTEN + 40, "already_seeded": False}
    for username, password, role, _, lender in DEMO_USERS:
        session = sign_in(store, username, password)
        assert (session.role, session.lender) == (role, lender)

    j = judge(store)
    counts = queue_counts(store, j)
    assert counts["total"] == WRITTEN + 40
    assert set(counts["verdict"]) <= set(VERDICTS)
    assert "not_admissible" in counts["verdict"]  # the case the court has no jurisdiction over

    listed = list_cases(store, j, limit=1000)
    assert len(listed) == WRITTEN + 40
    assert len({c.case_number for c in listed}) == len(listed)
    assert all(re.fullmatch(r"\(20\d\d\)浙0192民初\d+号", c.case_number) for c in listed)
    assert {c.ruleset_id for c in listed} == {"cn.consumer_loan", "cn.private_lending", "cn.credit_card"}
    assert {c.lender for c in listed} == {BANK, CONSUMER_FINANCE, TRADER}
    for c in listed:
        assert c.allowed is not None and c.awarded is not None, c.case_number
        assert c.verdict in VERDICTS and c.evidence_state is not None
        assert c.awarded <= c.allowed
        if c.claimed is None:
            assert c.awarded == c.allowed
        else:
            assert c.awarded <= c.claimed
    claimed = [c for c in listed if c.claimed is not None]
    assert any(c.claimed > c.allowed for c in claimed)  # a claim above what the law allows
    assert any(c.claimed < c.allowed for c in claimed)  # and one below it

    # line by line: a case whose claim exceeds the law on some line, awarded the law's figure there
    over = next(c for c in claimed if c.claimed > c.allowed)
    award = case_award(get_case(store, j, over.id))
    lines = [line for line in award.lines if line.claimed is not None and line.claimed > line.allowed]
    assert lines and all(line.awarded == line.allowed for line in lines)


def test_parties_are_organisations_and_valid_people(store: Engine) -> None:
    seed(store, generated=10)
    for username in ("bank", "xiaofei"):  # a lender sees its own cases' parties plain
        session = sign_in(store, username, PASSWORDS[username])
        for c in list_cases(store, session, limit=1000):
            roles = {p["role"]: p for p in c.parties}
            assert set(roles) == {"原告", "被告"}
            assert roles["原告"]["kind"] == "organisation" and roles["原告"]["name"] == c.lender
            assert len(roles["原告"]["id_number"]) == 18
            person = roles["被告"]
            facts = read_id_number(person["id_number"])
            assert person["kind"] == "person" and facts.valid, (person, facts.problem)
            assert facts.birth_date is not None and 1960 <= facts.birth_date.year <= 2002
            assert re.fullmatch(r"1\d{10}", person["phone"])


def test_a_party_with_several_cases(store: Engine) -> None:
    seed(store, generated=0)
    j = judge(store)
    repeated = {}
    for case in CASES:
        repeated.setdefault(case["defendant"], set()).add(case["lender"])
    key = max(repeated, key=lambda k: sum(c["defendant"] == k for c in CASES))
    person = PEOPLE[key]
    found = list_cases(store, j, search=person["name"])
    assert len(found) >= 2
    assert len({c.lender for c in found}) >= 2  # the same borrower sued by different lenders
    # the same person: the same ID number in every case (the judge sees it plain on the case page)
    numbers = {p["id_number"] for c in found for p in get_case(store, j, c.id).parties if p["role"] == "被告"}
    assert numbers == {person["id_number"]}


def test_a_lender_lists_only_its_own_lenders_cases(store: Engine) -> None:
    seed(store, generated=10)
    j = judge(store)
    for username, lender in (("bank", BANK), ("xiaofei", CONSUMER_FINANCE)):
        session = sign_in(store, username, PASSWORDS[username])
        own = list_cases(store, session, limit=1000)
        assert own and {c.lender for c in own} == {lender}
        assert {c.id for c in own} == {c.id for c in list_cases(store, j, lender=lender, limit=1000)}
        assert queue_counts(store, session)["total"] == len(own)


def test_seeding_twice_is_a_no_op(store: Engine) -> None:
    first = seed(store, generated=3)
    assert first["already_seeded"] is False

    def sizes() -> tuple[int, int]:
        with store.connect() as conn:
            return (conn.execute(select(func.count()).select_from(users)).scalar_one(),
                    conn.execute(select(func.count()).select_from(cases)).scalar_one())

    before = sizes()
    assert seed(store, generated=3) == {"users": 0, "cases": 0, "already_seeded": True}
    assert sizes() == before == (len(DEMO_USERS), WRITTEN + 3)


def test_the_evidence_cases_show_every_evidence_state(store: Engine) -> None:
    """The evidence demo's four loans (examples/evidence/README.md gives each one's state), filed with their
    files verified against the demo log: the queue shows each state, and only what verified is verified."""
    seed(store, generated=0)
    j = judge(store)
    found = {c.case_number: c for c in list_cases(store, j, limit=1000)}
    states = {}
    for case in EVIDENCE_CASES:
        c = next(c for c in found.values() if get_case(store, j, c.id).inputs.get("case_id") == case["inputs"]["case_id"])
        states[case["folder"]] = c.evidence_state
        record = get_case(store, j, c.id)
        assert record.evidence, case["folder"]
        assert all(e["verified"] == (e["status"] == "anchored") for e in record.evidence)
    # 001 all in order; 002 contract anchored 67 h after signing (late); 003 repayments edited after anchoring;
    # 004 the notice declared, never anchored (unverifiable to the rules), and no identity record
    assert states == {"loan-2024-001": "satisfied", "loan-2024-002": "late", "loan-2024-003": "tampered",
                      "loan-2024-004": "unverifiable"}
