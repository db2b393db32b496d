"""python -m kpgraph: the command line."""

from .cli import main

main()
