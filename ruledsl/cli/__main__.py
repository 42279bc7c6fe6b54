"""`python -m ruledsl.cli …` runs the command line."""

from ruledsl.cli import main

main()
