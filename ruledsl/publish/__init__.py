"""Publishing rulesets: the court's signature over a ruleset and the tables it loads.

* :mod:`~ruledsl.publish.signing` — what is signed (the canonical text, each table file's SHA-256), the
  signature file beside the ruleset (``NAME.rules.sig``, a C2SP signed note), :func:`sign_ruleset` and
  :func:`verify_ruleset`, which names every difference it finds

Imports: core, evidence (signed notes), lang (the canonical formatter, the parse tree) and the
compiled-ruleset API (a ruleset must check before it is signed); nothing above.
"""

from ruledsl.core.errors import RulesetSignatureError
from ruledsl.publish.signing import (
    SIGNATURE_SUFFIX,
    Digest,
    Signed,
    SignedNote,
    TableDigest,
    digest_ruleset,
    sign_ruleset,
    signature_path,
    verify_ruleset,
)

__all__ = ["SIGNATURE_SUFFIX", "Digest", "RulesetSignatureError", "Signed", "SignedNote", "TableDigest",
           "digest_ruleset", "sign_ruleset", "signature_path", "verify_ruleset"]
