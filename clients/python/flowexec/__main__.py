"""`python -m flowexec` = the `flowexec` command."""

from flowexec.cli import main

main()
