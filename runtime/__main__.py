"""``python -m ucxml``: the same command line as the ``ucxml`` script."""

from ucxml.cli import main

main()
