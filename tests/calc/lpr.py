"""LPR and pre-LPR benchmark tables for the tests, loaded from the CSV files court staff edit.

The engine reads no file: a test that needs LPR passes ``compute(case, tables=load_rate_tables())``.

``rulesets/cn/tables/lpr.csv``: ``effective_from,one_year,five_year`` — every LPR
change since the first publication on 2019-08-20 (rates with ``%``).
``rulesets/cn/tables/benchmark_rates.csv``: PBOC benchmark lending rates
(``up_to_one_year,one_to_five_years,over_five_years``) from 2015-10-24, the last
change before the LPR reform.

Both are read with :meth:`DatedTable.from_csv`, which refuses unsorted or repeated
dates, empty cells and non-numeric rates, naming the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ruledsl.runtime.tables import DatedTable

LPR_TERMS = ("one_year", "five_year")
BENCHMARK_TERMS = ("up_to_one_year", "one_to_five_years", "over_five_years")


def default_table_dir() -> Path:
    """``$RULEDSL_TABLES`` if set, else ``rulesets/cn/tables`` of this checkout."""
    env = os.environ.get("RULEDSL_TABLES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "rulesets" / "cn" / "tables"


@dataclass(frozen=True, slots=True)
class RateTables:
    lpr: dict[str, DatedTable]
    benchmark: dict[str, DatedTable]

    def lpr_at(self, when: date, term: str = "one_year") -> Decimal:
        """The LPR of ``term`` in force on ``when`` (LookupError before 2019-08-20)."""
        return self.lpr[term].at(when)

    def lpr_changes(self, start: date, end: date, term: str = "one_year") -> list[date]:
        """LPR effective dates strictly after ``start`` and up to ``end``."""
        return self.lpr[term].changes_between(start, end)

    def benchmark_at(self, when: date, term: str = "up_to_one_year") -> Decimal:
        return self.benchmark[term].at(when)


@lru_cache(maxsize=8)
def _load(directory: str) -> RateTables:
    base = Path(directory)
    lpr = {t: DatedTable.from_csv(base / "lpr.csv", t, "rate", name=f"lpr_{t}") for t in LPR_TERMS}
    bench = {t: DatedTable.from_csv(base / "benchmark_rates.csv", t, "rate", name=f"benchmark_{t}")
             for t in BENCHMARK_TERMS}
    return RateTables(lpr, bench)


def load_rate_tables(directory: str | Path | None = None) -> RateTables:
    """Load (and cache) the LPR and benchmark tables from ``directory``."""
    return _load(str(Path(directory) if directory is not None else default_table_dir()))
