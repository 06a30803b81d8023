"""`newswatch run [--host H] [--port P]`: the all-in-one service (API + pipeline + delivery)."""

from __future__ import annotations

import argparse

from newswatch.config import load_settings, option_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="serve the HTTP API and process articles in one process (embedded: no servers needed)",
        description="Configuration comes from NEWSWATCH_* variables (see --help-config); flags win.",
    )
    p.add_argument("--host", help="listen address (NEWSWATCH_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="listen port (NEWSWATCH_PORT, default 8080)")
    p.add_argument("--help-config", action="store_true", help="print the configuration table and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.help_config:
        print(option_table())
        return 0
    from newswatch.runtime.embedded import serve  # imported late: `--help` stays fast

    settings = load_settings().with_overrides(host=args.host, port=args.port)
    return serve(settings)
