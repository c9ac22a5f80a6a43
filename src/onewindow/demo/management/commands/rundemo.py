"""``onewindow rundemo --port 8000``: the whole demo city on one machine.

Migrates, collects static files, seeds the demo city if the database is empty, then runs
gunicorn, a Celery worker, celery beat and the payment and courier sandboxes as child
processes until Ctrl-C / SIGTERM. The sandboxes' ports come from ``--pay-sandbox-port`` and
``--courier-sandbox-port`` (settings ``DEMO_PAY_SANDBOX_PORT``/``DEMO_COURIER_SANDBOX_PORT``,
8077 and 8078; 0 picks a free port), so two demos, or a demo and the tests, can run at once.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from onewindow.demo.banner import banner
from onewindow.demo.exchange import demo_exchange_seed
from onewindow.demo.selectors import demo_accounts, demo_city_exists, demo_printed_usernames
from onewindow.demo.services import demo_city_seed
from onewindow.demo.supervisor import Child, Supervisor
from onewindow.demo.wallet import demo_wallets_seed


@dataclass(frozen=True)
class DemoPorts:
    web: int
    pay_sandbox: int
    courier_sandbox: int


PORT_OPTIONS = {
    "web": ("the web app", "--port"),
    "pay_sandbox": ("the payment sandbox", "--pay-sandbox-port"),
    "courier_sandbox": ("the courier sandbox", "--courier-sandbox-port"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port`` (a port left in TIME_WAIT by
    an earlier run is free: the servers bind with SO_REUSEADDR too)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def demo_ports(*, web: int, pay_sandbox: int, courier_sandbox: int) -> DemoPorts:
    """The ports the demo's processes listen on, each checked free before anything starts
    (0: a free port is picked). A taken or repeated port is a clear error, not a child that
    dies after the seed or a test that waits for a demo that never comes up."""
    wanted = {"web": web, "pay_sandbox": pay_sandbox, "courier_sandbox": courier_sandbox}
    chosen: dict[str, int] = {}
    for key, port in wanted.items():
        what, option = PORT_OPTIONS[key]
        if port == 0:
            port = _free_port()
            while port in chosen.values():
                port = _free_port()
        elif port in chosen.values():
            other = next(k for k, v in chosen.items() if v == port)
            raise CommandError(
                f"Port {port} is given to both {PORT_OPTIONS[other][0]} and {what}; "
                f"choose another with {option}."
            )
        elif port_in_use(port):
            raise CommandError(
                f"Port {port} ({what}) is already in use — is another demo running? Stop it, "
                f"or choose another port with {option} (0 picks a free one)."
            )
        chosen[key] = port
    return DemoPorts(**chosen)


def demo_children(
    *, port: int, web_workers: int, worker_concurrency: int, ports: DemoPorts | None = None
) -> list[Child]:
    ports = ports or DemoPorts(
        web=port,
        pay_sandbox=settings.DEMO_PAY_SANDBOX_PORT,
        courier_sandbox=settings.DEMO_COURIER_SANDBOX_PORT,
    )
    python = sys.executable
    return [
        Child(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "onewindow.config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "--no-control-socket",
            ],
        ),
        Child(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "onewindow.config",
                "worker",
                "--concurrency",
                str(worker_concurrency),
                "--loglevel",
                "INFO",
                "--hostname",
                "demo-worker@%h",
            ],
        ),
        Child(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "onewindow.config",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
            ],
        ),
        Child(
            "pay-sandbox",
            [python, "-m", "onewindow.payments.sandbox", "--port", str(ports.pay_sandbox)],
        ),
        # The courier sandbox speaks SF Express's protocol and pushes each route node back to
        # the web app — late, twice and out of order, as a real courier's pushes may arrive.
        Child(
            "courier-sandbox",
            [
                python,
                "-m",
                "onewindow.delivery.sandbox",
                "--port",
                str(ports.courier_sandbox),
                "--push-url",
                f"http://127.0.0.1:{port}/delivery/push/sandbox/",
                "--step",
                "20",
                "--failure",
                "0.25",
                "--delay",
                "2",
                "--duplicates",
                "1",
                "--shuffle",
            ],
        ),
    ]


class Command(BaseCommand):
    help = "Run the demo city: migrate, seed if empty, then web + Celery worker + beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--residents", type=int, default=2000)
        parser.add_argument("--companies", type=int, default=50)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--worker-concurrency", type=int, default=2)
        parser.add_argument(
            "--pay-sandbox-port",
            type=int,
            default=settings.DEMO_PAY_SANDBOX_PORT,
            help="port of the payment sandbox (0: a free port)",
        )
        parser.add_argument(
            "--courier-sandbox-port",
            type=int,
            default=settings.DEMO_COURIER_SANDBOX_PORT,
            help="port of the courier sandbox (0: a free port)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Checked before migrating and seeding: a demo that cannot serve says so at once.
        options["ports"] = demo_ports(
            web=options["port"],
            pay_sandbox=options["pay_sandbox_port"],
            courier_sandbox=options["courier_sandbox_port"],
        )
        options["port"] = options["ports"].web
        try:
            self.prepare(options)
        except KeyboardInterrupt:
            self.stderr.write("Interrupted before the demo started (the seed is all or nothing).")
            sys.exit(130)
        self.serve(options)

    def prepare(self, options: dict[str, Any]) -> None:
        self.stdout.write("Applying database migrations …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Collecting static files …")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not demo_city_exists():
            self.stdout.write(
                f"Seeding the demo city ({options['residents']} residents, "
                f"{options['companies']} companies) …"
            )
            with override_settings(DEBUG=False):  # no query log for the bulk inserts
                report = demo_city_seed(
                    residents=options["residents"],
                    companies=options["companies"],
                    seed=options["seed"],
                )
            self.stdout.write(
                f"  +{report.residents_added} residents, "
                f"+{report.companies_added} companies, +{report.staff_added} staff"
            )
        else:
            self.stdout.write("Demo city already seeded.")
            with transaction.atomic():  # a city seeded before the wallets were: top them up
                issued = demo_wallets_seed(seed=options["seed"])
            if issued:
                self.stdout.write(f"  +{issued} licences in the demo residents' wallets")
            with transaction.atomic():  # ... and before the exchange had its demo consumer
                exchange = demo_exchange_seed()
            if exchange.calls:
                self.stdout.write(f"  +{exchange.calls} calls of the housing bureau's system")
        self.publish_catalogue()
        self.fill_citizen_pages()
        self.fill_hotline()
        call_command("appointments_seed", verbosity=0)
        call_command("sso_demo_client", port=options["port"], verbosity=0)

    def fill_citizen_pages(self) -> None:
        """The printed residents' pages: bills, a library loan, a pushed reminder."""
        from onewindow.demo.citizen import demo_citizen_page_seed

        seeded = demo_citizen_page_seed()
        self.stdout.write(
            f"  citizen pages: {seeded.subscriptions} bill accounts, "
            f"{seeded.library_loans} library loans, {seeded.pushes} new pushed reminders"
        )

    def fill_hotline(self) -> None:
        """The 12345 hotline: its categories, dispatch catalogue, knowledge base, the printed
        residents' requests in every state, and a trained routing model."""
        from django.conf import settings

        from onewindow.demo.hotline import demo_hotline_seed
        from onewindow.interaction.routing.model import MODEL_FILE

        seeded = demo_hotline_seed()
        self.stdout.write(
            f"  hotline: {seeded.categories} new categories, {seeded.rules} dispatch rules, "
            f"{seeded.articles} answers, {seeded.requests} requests"
        )
        if not (Path(settings.VAR_DIR) / MODEL_FILE).exists():
            call_command("interaction_train", stdout=self.stdout)

    def publish_catalogue(self) -> None:
        """Publish the demo catalogue (``catalog/`` beside the checkout, or
        ``ONEWINDOW_CATALOG_DIR``). Unchanged packages are skipped, changed ones become new
        versions, so this is cheap on every start."""
        from onewindow.audit.services import Actor
        from onewindow.catalog.services import service_packages_import

        folder = Path(os.environ.get("ONEWINDOW_CATALOG_DIR", Path.cwd() / "catalog"))
        if not (folder / "vocabulary.yaml").exists():
            self.stdout.write(f"No service catalogue at {folder}; skipping.")
            return
        self.stdout.write(f"Publishing the service catalogue from {folder} …")
        versions = service_packages_import(actor=Actor.system("rundemo"), paths=[folder])
        self.stdout.write(f"  {len(versions)} service version(s) published")

    def serve(self, options: dict[str, Any]) -> None:
        port: int = options["port"]
        ports: DemoPorts = options["ports"]
        env = dict(os.environ)
        # The web app and the worker talk to the sandboxes started here, on these ports.
        env["ONEWINDOW_PAYMENTS_SANDBOX_URL"] = f"http://127.0.0.1:{ports.pay_sandbox}"
        env["ONEWINDOW_DELIVERY_SANDBOX_URL"] = (
            f"http://127.0.0.1:{ports.courier_sandbox}/std/service"
        )
        env.setdefault("ONEWINDOW_DEMO", "1")
        # The demo's pages are the platform's own, 404 and 500 included (static files come
        # from whitenoise, collected above; uploaded files through their authorised views).
        env.setdefault("DEBUG", "0")
        env.setdefault("ONEWINDOW_DELIVERY_COURIER", "sandbox")  # the courier sandbox above
        env.setdefault("PYTHONUNBUFFERED", "1")
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(banner(url, demo_accounts(demo_printed_usernames())))
        self.stdout.flush()
        supervisor = Supervisor(
            demo_children(
                port=port,
                web_workers=options["web_workers"],
                worker_concurrency=options["worker_concurrency"],
                ports=ports,
            ),
            env=env,
        )
        code = supervisor.run()
        if code:
            sys.exit(code)
        self.stdout.write("Demo stopped.")
