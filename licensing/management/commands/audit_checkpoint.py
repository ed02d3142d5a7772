"""manage.py audit_checkpoint: take a checkpoint of the audit chain, or list them.

    manage.py audit_checkpoint                       take one now (and log it)
    manage.py audit_checkpoint --list [--output F]   every checkpoint, one JSON line each

Keep the listed file (or the log lines) somewhere the database's administrators cannot
write; `manage.py verify_audit --checkpoints F` checks the trail against it.
"""

import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from licensing import audit


class Command(BaseCommand):
    help = "Take a checkpoint of the audit chain (sequence, head hash, time), or list them."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list every checkpoint")
        parser.add_argument("--output", type=Path, help="file for --list (default: stdout)")

    def handle(self, *args, **options):
        if options["list"]:
            return self._list(options["output"])
        if options["output"] is not None:
            raise CommandError("--output goes with --list.")
        meta = audit.RequestMeta(user_agent=f"manage.py audit_checkpoint ({_who()})")
        point = audit.checkpoints.checkpoint_take(meta=meta, reason="on demand")
        self.stdout.write(point.as_json())
        return None

    def _list(self, output: Path | None) -> None:
        lines = (point.as_json() + "\n" for point in audit.checkpoints.checkpoint_list())
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        try:
            with output.open("w", encoding="utf-8") as file:
                file.writelines(lines)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")
