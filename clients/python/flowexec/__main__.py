"""`python -m flowexec`: the client commands (`run`). The installed `flowexec` command adds the
server's (`serve`, `demo`, `gateway`), see `server.cli`."""

from flowexec.cli import main

main()
