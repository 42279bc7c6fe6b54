"""What every page of the judge assistant shares: the case store and the signed-in session.

The store is ``RULEDSL_DB_URL`` if set, else ``cases.db`` in the data dir (:func:`ruledsl.store.cases.open_store`),
its schema upgraded once per server.  The session token lives in Streamlit's session state only; every page
resumes it through :func:`ruledsl.service.resume` (which ends it after 8 hours, or 30 idle minutes).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from ruledsl.core.errors import AccessDenied
from ruledsl.core.money import Money, yuan
from ruledsl.service import Session, resume
from ruledsl.store.cases import migrate, open_store

TOKEN = "token"


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


def amount(money: Money | None) -> str:
    """An amount as a judge reads it (12,345.67), a dash when there is none."""
    return "—" if money is None else yuan(money)
