"""``onewindow onepass_sip2_server --port 6001``: the demo library's SIP2 server (its
catalogue and readers), for the demo and for trying a SIP2 configuration by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.onepass import catalogue
from onewindow.onepass.sip2server import Sip2Server


class Command(BaseCommand):
    help = "Serve the demo library over SIP2 until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6001)
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args: Any, **options: Any) -> None:
        server = Sip2Server((options["host"], options["port"]), encoding=options["encoding"])
        self.stdout.write(f"SIP2: {catalogue.LIBRARY_NAME} on {options['host']}:{server.port}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
