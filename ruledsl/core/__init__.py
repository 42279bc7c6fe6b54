"""The ground floor: values and errors that every other package builds on.

* :mod:`~ruledsl.core.errors` — the one error family (:class:`RulesError`: syntax, check, table,
  input, runtime, evidence, storage, report), diagnostics with ``file:line:col`` and a caret
* :mod:`~ruledsl.core.types` — value types and their units (money, rate, days …)
* :mod:`~ruledsl.core.money` — the one :class:`Money` type: Decimal yuan, half-up to the fen
* :mod:`~ruledsl.core.rates` — rates as Decimal fractions (``"18%"`` → ``0.18``)
* :mod:`~ruledsl.core.daycount` — day counting (basis, first/last day)
* :mod:`~ruledsl.core.text` — reading text and JSON the one way (UTF-8, exact numbers)
* :mod:`~ruledsl.core.show` — values written back to users: plain digits, bounded quotes
* :mod:`~ruledsl.core.numerals` — amounts in Chinese capital numerals (大写金额) for judgments
* :mod:`~ruledsl.core.idnumber` — what a 公民身份号码 says: check digit, birth date, sex, province
* :mod:`~ruledsl.core.cache` — the private on-disk cache (parser tables, parsed ruleset files)

Imports nothing of the project.
"""
