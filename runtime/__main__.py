"""``python -m ucxml``: the same command line as the ``ucxml`` script."""

from ucxml._cli import main

main()
