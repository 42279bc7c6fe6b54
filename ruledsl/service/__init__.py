"""The judge assistant's backend: sign-in, roles, and the case store's use cases (what pages call).

* :mod:`~ruledsl.service.auth` — users with roles (法官 judge, 书记员 clerk, 放贷机构 lender,
  调解员 mediator, 管理员 admin), argon2id passwords, sign-in with lockout, sessions that
  expire, every sign-in and sign-out in the audit log
* :mod:`~ruledsl.service.access` — the case store through a session: add, list, search, sort, count
  and open cases, read the audit log; each role sees what it may, personal data masked where it must be
* :mod:`~ruledsl.service.decide` — a stored case decided (claimed | allowed | awarded | difference per
  line), what-if, the judge's saved decision, the draft judgment, filing with the queue's figures

Every function takes the engine of the case store (:func:`ruledsl.store.cases.open_store`, schema
upgraded by :func:`ruledsl.store.cases.migrate`); a refusal is an
:class:`~ruledsl.core.errors.AccessDenied`, its message Chinese first with the English beside it.

Imports: core, store, and the floors below (ruleset, precheck, reports) that decide and lay out; nothing above.
"""

from ruledsl.service.access import (
    AuditEntry,
    CaseRecord,
    CaseSummary,
    RulesetRef,
    add_case,
    audit_entries,
    get_case,
    list_cases,
    mask_id_number,
    mask_name,
    mask_party,
    mask_phone,
    queue_counts,
)
from ruledsl.service.auth import ROLES, Session, create_user, resume, sign_in, sign_out
from ruledsl.service.decide import (
    AwardLine,
    CaseAward,
    WhatIf,
    case_award,
    file_case,
    judgment_of,
    ruleset_ref,
    save_decision,
    what_if,
)

__all__ = [
    "ROLES",
    "AuditEntry",
    "AwardLine",
    "CaseAward",
    "CaseRecord",
    "CaseSummary",
    "RulesetRef",
    "Session",
    "add_case",
    "audit_entries",
    "case_award",
    "create_user",
    "file_case",
    "get_case",
    "judgment_of",
    "list_cases",
    "mask_id_number",
    "mask_name",
    "mask_party",
    "mask_phone",
    "queue_counts",
    "resume",
    "ruleset_ref",
    "save_decision",
    "sign_in",
    "sign_out",
    "what_if",
    "WhatIf",
]
