"""manage.py rundemo: the portal on this machine against the built-in vendor sandbox.

Creates the demo logins (printed), registers the sandbox's customers, starts the sandbox
in this process and serves the portal with Django's development server.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from licensing import roles
from licensing.models import Customer
from licensing.upstream.sandbox import SEED_CUSTOMERS
from licensing.upstream.sandbox.server import start_sandbox

DEMO_USERS = (("manager", roles.MANAGERS), ("sales", roles.SALES))


class Command(BaseCommand):
    help = "Start the portal with the built-in FlashStart sandbox and print demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-server", action="store_true", help="set up data, then exit")

    def handle(self, *args, host, port, no_server, **options):
        logins = [self._demo_user(name, group) for name, group in DEMO_USERS]
        for seed in SEED_CUSTOMERS:
            Customer.objects.get_or_create(
                customer_code=seed["customer_code"],
                defaults={
                    "name": seed["name"],
                    "email": seed.get("email", ""),
                    "language": seed.get("lang", "en"),
                },
            )
        sandbox = None
        if settings.FLASHSTART_API_URL == settings.FLASHSTART_SANDBOX_URL and not no_server:
            state_dir = Path(settings.BASE_DIR) / "var"
            state_dir.mkdir(exist_ok=True)
            port_number = int(settings.FLASHSTART_SANDBOX_URL.rsplit(":", 1)[1].strip("/"))
            try:
                sandbox = start_sandbox(
                    host="127.0.0.1",
                    port=port_number,
                    api_key=settings.FLASHSTART_API_KEY,
                    state_file=state_dir / "sandbox.json",
                )
            except OSError:
                self.stdout.write(
                    self.style.WARNING(
                        f"Port {port_number} is busy: using the sandbox already running there."
                    )
                )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"FlashStart portal: http://{host}:{port}/"))
        if sandbox is not None:
            self.stdout.write(f"Vendor sandbox:    {sandbox.url}")
        for username, password, group in logins:
            self.stdout.write(f"Demo login ({group}): {username} / {password}")
        self.stdout.write("")
        if no_server:
            return
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)

    def _demo_user(self, username: str, group_name: str) -> tuple[str, str, str]:
        # A fresh random password at every start: nothing guessable is ever left behind.
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        user.save()
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        return username, password, group_name
