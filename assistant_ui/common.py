"""What every page of the judge assistant shares: the case store and the signed-in session.

The store is ``RULEDSL_DB_URL`` if set, else ``cases.db`` in the data dir (:func:`ruledsl.store.cases.open_store`),
its schema upgraded once per server.  The session token lives in Streamlit's session state only; every page
resumes it through :func:`ruledsl.service.resume` (which ends it after 8 hours, or 30 idle minutes).
"""

from __future__ import annotations

import os
from html import escape

import streamlit as st
from sqlalchemy import Engine

from ruledsl.core.errors import AccessDenied
from ruledsl.core.money import Money, yuan
from ruledsl.service import Session, resume
from ruledsl.service.evidence import Badge, EvidenceKeys
from ruledsl.store.cases import migrate, open_store

TOKEN = "token"
#: the court named on drafts and sheets (``RULEDSL_COURT``)
COURT = os.environ.get("RULEDSL_COURT", "某某市某某区人民法院")


@st.cache_resource
def store() -> Engine:
    engine = open_store()
    migrate(engine)
    return engine


def signed_in() -> Session | None:
    """The session of this browser tab, or None (never signed in, signed out, or expired: then why)."""
    token = st.session_state.get(TOKEN)
    if not token:
        return None
    try:
        return resume(store(), token)
    except AccessDenied as exc:
        del st.session_state[TOKEN]
        st.session_state["ended"] = str(exc)
        return None


def chosen_case() -> tuple[Session, int]:
    """The signed-in session and the case chosen in the queue; else the page stops (asking for a case)."""
    session = signed_in()
    if session is None:
        st.stop()
    case_id = st.session_state.get("case_id")
    if case_id is None:
        st.info("请先在案件队列中选择案件 pick a case in the queue")
        st.stop()
    return session, case_id  # type: ignore[return-value]


def amount(money: Money | None) -> str:
    """An amount as a judge reads it (12,345.67), a dash when there is none."""
    return "—" if money is None else yuan(money)


#: the badges' look: text on a tinted ground, so no state depends on an emoji font the browser may lack
BADGE_CSS = """<style>
.rd-badge{display:inline-block;padding:0 .45em;margin:0 .15em;border-radius:.3em;font-size:.85em;
  line-height:1.5em;border:1px solid;white-space:nowrap}
.rd-good{color:#1b5e20;background:#e8f5e9;border-color:#81c784}
.rd-bad{color:#b71c1c;background:#ffebee;border-color:#e57373;font-weight:600}
.rd-warn{color:#8a4b00;background:#fff3e0;border-color:#ffb74d}
.rd-info{color:#37474f;background:#eceff1;border-color:#b0bec5}
</style>"""


def badges_html(badges: tuple[Badge, ...] | list[Badge]) -> str:
    """Badges as HTML spans (their explanation as the hover title); the page injects :data:`BADGE_CSS` once."""
    return " ".join(f"<span class='rd-badge rd-{b.tone}' data-badge='{b.code}' title='{escape(b.title, quote=True)}'>"
                    f"{escape(b.label)}</span>" for b in badges)


def evidence_keys() -> EvidenceKeys | None:
    """The court's keys that stored evidence is verified again against (``RULEDSL_COURT_KEY``,
    ``RULEDSL_TRUST_STORE``); None when the server has none configured."""
    return EvidenceKeys.from_env()
