"""What every report shares: the Jinja environment over ``templates/`` and HTML → PDF by weasyprint.

Fonts are Noto Sans/Serif CJK (Debian ``fonts-noto-cjk``), embedded as subsets so a PDF
reads anywhere.  Both need the ``pdf`` extra; without it a :class:`ReportError` says so.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from ruledsl.core.errors import ReportError

TEMPLATES = Path(__file__).parent / "templates"


def environment():  # type: ignore[no-untyped-def]
    try:
        import jinja2
    except ModuleNotFoundError as exc:
        raise ReportError.at("reports need the `pdf` extra", hint="pip install 'ruledsl[pdf]'") from exc
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = lambda t: t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if t else "—"
    return env


def css() -> str:
    """The stylesheet every report starts from (templates/report.css), marked safe: the templates' autoescape
    would otherwise turn its quotes into ``&#34;`` and weasyprint drop every rule that has one (the fonts,
    the running header and the page numbers)."""
    from markupsafe import Markup  # jinja2's

    return Markup((TEMPLATES / "report.css").read_text("utf-8"))  # noqa: S704 — the project's own file


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint
    except (ModuleNotFoundError, OSError) as exc:  # OSError: pango missing (scripts/sysdeps.sh installs it)
        raise ReportError.at(f"cannot load weasyprint: {exc}",
                             hint="pip install 'ruledsl[pdf]' and the Debian pango libraries") from exc
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def write_pdf(data: bytes, path: str | Path) -> Path:
    p = Path(path)
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise ReportError.at(f"cannot write the report to {p}: {exc.strerror}") from None
    return p
