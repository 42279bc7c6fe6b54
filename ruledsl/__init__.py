"""ruledsl — law-cited rules for small-amount financial disputes.

Pipeline: ``lang`` (parse → check → compile) turns ruleset text into a
:class:`~ruledsl.ruleset.Ruleset`; ``runtime`` holds what compiled rules
call (money, rates, day counts, dated tables, traces).
"""

__version__ = "0.1.0"
