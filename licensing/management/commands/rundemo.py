"""manage.py rundemo: the portal on this machine against the built-in vendor sandbox.

Creates the demo logins (printed), registers the sandbox's customers, starts the sandbox
in this process and serves the portal with Django's development server. Unless
AUDIT_HMAC_KEY is set, the audit chain's key is generated on the first run and kept in
var/audit-hmac-key (outside the database), where debug-mode settings find it next time.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from licensing import roles
from licensing.models import AuditEvent, Customer, SpendingLimit
from licensing.upstream.sandbox import SEED_CUSTOMERS
from licensing.upstream.sandbox.server import start_sandbox

DEMO_USERS = (("manager", roles.MANAGERS), ("sales", roles.SALES))
DEMO_SALES_LIMIT_EUR = 100


class Command(BaseCommand):
    help = "Start the portal with the built-in FlashStart sandbox and print demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-server", action="store_true", help="set up data, then exit")

    def handle(self, *args, host, port, no_server, **options):
        key_source = self._audit_key()
        logins = [self._demo_user(name, group) for name, group in DEMO_USERS]
        # A Sales limit, so a new user meets the approval flow (kept if a manager changed it).
        sales_limit, _ = SpendingLimit.objects.get_or_create(
            group=Group.objects.get(name=roles.SALES),
            defaults={"per_purchase_eur": DEMO_SALES_LIMIT_EUR},
        )
        owner = get_user_model().objects.get(username="sales")
        for seed in SEED_CUSTOMERS:
            Customer.objects.get_or_create(
                customer_code=seed["customer_code"],
                defaults={
                    "name": seed["name"],
                    "email": seed.get("email", ""),
                    "language": seed.get("lang", "en"),
                    "owner": owner,
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
        if sales_limit.per_purchase_eur is not None:
            self.stdout.write(
                f"Spending limit:    Sales up to €{sales_limit.per_purchase_eur} a purchase; "
                "above it, “Request approval” and the manager decides at /approvals/"
            )
        self.stdout.write(f"Audit chain key:   {key_source}")
        self.stdout.write("")
        if no_server:
            return
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)

    def _audit_key(self) -> str:
        """Where the audit chain's key comes from; generates it for a first demo run."""
        if os.environ.get("AUDIT_HMAC_KEY") or not settings.DEBUG:
            return "AUDIT_HMAC_KEY (environment)"
        path = Path(settings.AUDIT_HMAC_KEY_FILE)
        if not path.is_file():
            # Rows already keyed (by `migrate` just before, say) were keyed with the
            # development key: keep it, or they would no longer verify.
            keyed = AuditEvent.objects.filter(hash_version__gt=0).exists()
            key = settings.AUDIT_HMAC_KEY if keyed else secrets.token_hex(32)
            path.parent.mkdir(exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(key + "\n")
            settings.AUDIT_HMAC_KEY = key
            return f"{path} (generated now; keep it to verify the trail)"
        return str(path)

    def _demo_user(self, username: str, group_name: str) -> tuple[str, str, str]:
        # A fresh random password at every start: nothing guessable is ever left behind.
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_active = True
        # Reminders go somewhere: the demo run prints e-mails (`manage.py send_reminders`).
        user.email = user.email or f"{username}@example.com"
        user.save()
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        return username, password, group_name
