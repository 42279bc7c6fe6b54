"""The 立案 page (a batch filed through the assistant) run by Streamlit's test runner on a real store.

Streamlit's test runner cannot upload a file, so the filing itself is proven in
tests/service/test_filing_upload.py through the function the page calls; here: who may use the page and
what it asks for.
"""

from __future__ import annotations

from tests.assistant.test_admin_exports_pages import BANK, page, store  # noqa: F401


def test_a_lender_files_for_its_own_lender_only(store) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    at = page("filing.py", store, "bank")
    assert [t.value for t in at.title] == ["批量立案"]
    assert any(BANK in m.value for m in at.markdown)  # its lender, fixed: no field to name another
    assert not [t for t in at.text_input if t.key == "f_lender"]
    assert "cn.consumer_loan" in at.selectbox(key="f_ruleset").options
    assert at.button(key="f_go").disabled  # nothing uploaded yet


def test_a_judge_names_the_lender(store) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    at = page("filing.py", store, "judge")
    assert at.text_input(key="f_lender").value == ""


def test_a_mediator_may_not_file(store) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    at = page("filing.py", store, "mediator")
    assert at.error and "立案" in at.error[0].value
    assert not at.get("file_uploader")
