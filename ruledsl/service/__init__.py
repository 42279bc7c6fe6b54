"""The judge assistant's backend: sign-in, roles, and the case store's use cases (what pages call).

* :mod:`~ruledsl.service.auth` — users with roles (法官 judge, 书记员 clerk, 放贷机构 lender,
  调解员 mediator, 管理员 admin), argon2id passwords, sign-in with lockout, sessions that
  expire, every sign-in and sign-out in the audit log
* :mod:`~ruledsl.service.access` — the case store through a session: add, list, search and open
  cases, read the audit log; each role sees what it may, personal data masked where it must be

Every function takes the engine of the case store (:func:`ruledsl.store.cases.open_store`, schema
upgraded by :func:`ruledsl.store.cases.migrate`); a refusal is an
:class:`~ruledsl.core.errors.AccessDenied`, its message Chinese first with the English beside it.

Imports: core and store; nothing above.
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
)
from ruledsl.service.auth import ROLES, Session, create_user, resume, sign_in, sign_out

__all__ = [
    "ROLES",
    "AuditEntry",
    "CaseRecord",
    "CaseSummary",
    "RulesetRef",
    "Session",
    "add_case",
    "audit_entries",
    "create_user",
    "get_case",
    "list_cases",
    "mask_id_number",
    "mask_name",
    "mask_party",
    "mask_phone",
    "resume",
    "sign_in",
    "sign_out",
]
