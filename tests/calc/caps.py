"""Caps as the law states them, with their citations and date windows (the hand-worked cases' presets).

The shipped rulesets write their own caps (``rulesets/cn/private_lending.rules`` the transition of
法释〔2020〕17号 art.31); these presets are the tests' own statement of the same law, for the cases
of tests/calc/cases.

* :func:`financial_24` — 法发〔2017〕22号 item 2: in a financial loan, at the
  borrower's request, interest + compound + penalty (+ 违约金, fees) above 24% a
  year in total are reduced.
* :func:`lpr_multiple` — ``k × 1Y LPR`` on a date (formation, filing) or each day.
* :func:`private_lending` — the 2015 / 2020 private-lending regimes and the switch
  of 法释〔2020〕17号 art.31 for contracts formed before 2020-08-20.
* :func:`credit_card_reduction` — a court's reduction of card charges to a rate it
  finds reasonable (法释〔2021〕10号 art.2 leaves the figure to the court).

Licensed financial institutions are not under the private-lending caps; a ruleset
picks the caps that fit the lender.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ruledsl.calc.model import ACCRUING, Cap
from tests.calc.lpr import RateTables

SPC_2017_22 = "最高人民法院关于进一步加强金融审判工作的若干意见（法发〔2017〕22号）第二条"
SPC_2015 = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定（法释〔2015〕18号）"
SPC_2020 = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定（法释〔2020〕17号）"
SPC_CARD_2021 = "最高人民法院关于审理银行卡民事纠纷案件若干问题的规定（法释〔2021〕10号）第二条"

TRANSITION = date(2020, 8, 20)  # 法释〔2020〕17号 art.31: the new protection standard applies from this day
FOUR = Decimal(4)
RATE_24 = Decimal("0.24")
RATE_36 = Decimal("0.36")


def financial_24(components: tuple[str, ...] = ACCRUING) -> Cap:
    return Cap(
        name="24% total (financial loan, reduction requested)", citation=SPC_2017_22, rate=RATE_24,
        components=components, kind="remove",
        reason="interest, compound and penalty interest together above 24% per year, reduced at the "
               "borrower's request")


def lpr_multiple(multiple: Decimal, at: date | None, citation: str, name: str | None = None,
                 components: tuple[str, ...] = ACCRUING, from_on: date | None = None,
                 before: date | None = None, tables: RateTables | None = None) -> Cap:
    """``multiple × 1Y LPR`` in force on ``at`` (``None``: each day). ``tables`` only names the rate."""
    label = name or f"{multiple.normalize():f} × 1Y LPR" + (f" on {at.isoformat()}" if at else " each day")
    if tables is not None and at is not None:
        label += f" = {(multiple * tables.lpr_at(at) * 100).normalize():f}%"
    return Cap(name=label, citation=citation, lpr_multiple=multiple, lpr_at=at, components=components,
               kind="remove", from_on=from_on, before=before)


def private_lending(contract_formed_on: date, filed_on: date,
                    components: tuple[str, ...] = ACCRUING) -> tuple[Cap, ...]:
    """The caps of a private loan by regime.

    * filed before 2020-08-20: the 2015 rules throughout — above 36% void (art.26 ¶2),
      24%–36% a natural debt the court does not award (art.26 ¶1, art.30);
    * formed before 2020-08-20, filed on or after: the 2015 rules up to 2020-08-19,
      then 4 × 1Y LPR at filing (法释〔2020〕17号 art.31);
    * formed on or after 2020-08-20: 4 × 1Y LPR at formation (art.25, art.28, art.29).
    """
    old = (
        Cap(name="36% void (2015 rules)", citation=SPC_2015 + "第二十六条第二款", rate=RATE_36,
            components=components, kind="remove", reason="interest agreed above 36% per year is void"),
        Cap(name="24% supported (2015 rules)", citation=SPC_2015 + "第二十六条第一款、第三十条", rate=RATE_24,
            components=components, kind="unsupported",
            reason="interest between 24% and 36% per year is not awarded; what was paid is not returned"),
    )
    if filed_on < TRANSITION:
        return old
    if contract_formed_on < TRANSITION:
        before = tuple(Cap(name=c.name, citation=c.citation + "；" + SPC_2020 + "第三十一条", rate=c.rate,
                           components=c.components, kind=c.kind, before=TRANSITION, reason=c.reason)
                       for c in old)
        return before + (lpr_multiple(FOUR, filed_on, SPC_2020 + "第三十一条", components=components,
                                      from_on=TRANSITION,
                                      name=f"4 × 1Y LPR at filing ({filed_on.isoformat()})"),)
    return (lpr_multiple(FOUR, contract_formed_on, SPC_2020 + "第二十五条、第二十八条、第二十九条",
                         components=components,
                         name=f"4 × 1Y LPR at formation ({contract_formed_on.isoformat()})"),)


def credit_card_reduction(rate: Decimal, components: tuple[str, ...] = ACCRUING) -> Cap:
    return Cap(name=f"card charges reduced to {(rate * 100).normalize():f}% per year", citation=SPC_CARD_2021,
               rate=rate, components=components, kind="remove",
               reason="interest, compound interest and 违约金 reduced by the court as excessive")
