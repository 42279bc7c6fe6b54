"""Cases: typed inputs built from a ruleset's `input:` section; JSON/CSV/Excel I/O."""
