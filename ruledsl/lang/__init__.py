"""The language: ruleset text → checked syntax tree → Python, and nothing else.

Stages, each one module joined by one function::

    grammar.lark → parser.parse → checker.check → compiler.compile_ruleset
                                 ↘ fmt.format_text (canonical layout)   interpreter (the tree-walking oracle)

* :mod:`~ruledsl.lang.parser` — Lark (LALR) → frozen AST nodes (:mod:`~ruledsl.lang.ast`), each with a Span
* :mod:`~ruledsl.lang.checker` — names, types and units, dates, cycles, tables, examples; collects every problem
* :mod:`~ruledsl.lang.compiler` — AST → Python source → code object, a source map back to rule lines;
  evidence rules and ledger blocks lowered to plain specs for the runtime
* :mod:`~ruledsl.lang.fmt` — the canonical formatter (parse → print → parse is the identity)
* :mod:`~ruledsl.lang.interpreter` — a tree walker that must agree with the compiled code

Loading a ruleset and deciding cases is :mod:`ruledsl.ruleset`'s.
Imports: core, calc (the ledger's fields), runtime (what compiled rules call); nothing above.
"""
