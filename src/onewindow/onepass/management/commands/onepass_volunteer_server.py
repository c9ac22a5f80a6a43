"""``onewindow onepass_volunteer_server --port 6002``: a local volunteer platform serving
the published provider interface (docs/volunteer-provider-openapi.yaml)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.onepass.volunteer_server import DEMO_SECRET, VolunteerServer


class Command(BaseCommand):
    help = "Serve the fake volunteer platform over the published interface until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6002)
        parser.add_argument("--secret", default=DEMO_SECRET)

    def handle(self, *args: Any, **options: Any) -> None:
        server = VolunteerServer((options["host"], options["port"]), secret=options["secret"])
        self.stdout.write(f"volunteer platform on http://{options['host']}:{options['port']}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
