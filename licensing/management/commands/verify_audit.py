"""manage.py verify_audit: walk the audit hash chain and name the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from licensing import audit


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 and name the first broken row if any."

    def handle(self, *args, **options):
        checked, broken = audit.verify()
        if broken is not None:
            raise CommandError(
                f"Audit trail BROKEN at row #{broken.seq}: {broken.reason}. "
                f"{checked} row(s) before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} row(s) verified."))
