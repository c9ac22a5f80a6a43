"""``onewindow sso_demo_client --port 8000``: register (or refresh) the demo department
system that logs in through OneWindow at /demo-rp/, and the library's web system at
/onepass/library-web/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.sso.seed import demo_client_seed, library_client_seed


class Command(BaseCommand):
    help = "Register the demo relying party (/demo-rp/) as an OpenID Connect client."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        bases = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
        demo_client_seed(base_urls=bases)
        library_client_seed(base_urls=bases)
        self.stdout.write(f"Demo relying party registered: http://127.0.0.1:{port}/demo-rp/")
        self.stdout.write(
            f"Library web system registered: http://127.0.0.1:{port}/onepass/library-web/"
        )
