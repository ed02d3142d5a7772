"""manage.py send_reminders: today's expiry and demo reminders and the managers' digest.

Run it once a day (cron, a systemd timer, a Kubernetes CronJob or the compose service):
each reminder goes out once however often it runs. `--dry-run` prints what would be sent
and changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from licensing import services


class Command(BaseCommand):
    help = "E-mail today's licence expiry and demo reminders and the managers' digest (once each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be sent; send nothing"
        )

    def handle(self, *args, dry_run: bool, verbosity: int = 1, **options):
        if not dry_run:
            # The daily run is also when approval requests past their time expire (each
            # audited, its requester told), so they do not wait for someone to open the list.
            expired = services.approvals_expire()
            if expired:
                self.stdout.write(f"Expired {expired} approval request(s) past their time.")
            # Approved requests whose purchase the portal never got to (it stopped between
            # the two): linked to their purchase, or re-opened when none was recorded.
            recovered = services.approvals_recover()
            if recovered:
                self.stdout.write(
                    f"Settled {recovered} approved request(s) left without a purchase."
                )
        run = services.reminders_send(dry_run=dry_run)
        verb = "Would send" if dry_run else "Planned"
        self.stdout.write(
            f"Reminders for {run.today.isoformat()}: {verb} {len(run.mails)} e-mail(s)."
        )
        for mail in run.mails:
            to = f"{mail.recipient.get_username()} <{mail.recipient.email}>"
            self.stdout.write(f"  To {to}: {mail.subject}")
            if dry_run and verbosity > 1:
                self.stdout.write(mail.text)
        if run.already_sent:
            self.stdout.write(f"Already sent before: {run.already_sent} reminder(s).")
        for reason, names in sorted(run.skipped.items()):
            self.stdout.write(f"Not sent ({reason}): {', '.join(sorted(set(names)))}")
        if run.unowned:
            self.stdout.write(
                f"{run.unowned} reminder(s) concern customers with no owner "
                "(in the managers' digest)."
            )
        if run.unconfirmed:
            self.stdout.write(
                self.style.WARNING(
                    f"{run.unconfirmed} reminder(s) were being sent when an earlier run stopped: "
                    "not sent again (they may have gone out)."
                )
            )
        if dry_run:
            self.stdout.write("Dry run: nothing sent, nothing recorded.")
            return
        self.stdout.write(self.style.SUCCESS(f"Sent {run.sent} e-mail(s)."))
        if run.failed:
            # A non-zero exit, so that cron, the timer or the CronJob reports it.
            raise CommandError(
                f"{len(run.failed)} e-mail(s) not sent, to be retried by the next run: "
                + "; ".join(run.failed)
            )
