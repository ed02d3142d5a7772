"""manage.py verify_audit: walk the audit hash chain and name the first broken row.

With `--checkpoints FILE` (lines from `manage.py audit_checkpoint --list`, or the portal's
JSON log), the rows those checkpoints recorded must still carry the same hashes.
With `--export FILE` (a CSV or XLSX export), the file is checked against its own hashes
instead (`licensing.audit.export_check`) and the first row that does not match is named.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from licensing import audit
from licensing.audit import export_check


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 and name the first broken row if any."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            type=Path,
            metavar="FILE",
            help="checkpoints kept outside the database (exported, or the JSON log)",
        )
        parser.add_argument(
            "--export",
            type=Path,
            metavar="FILE",
            help="check an exported CSV or XLSX file from its own rows instead of the database",
        )

    def handle(self, *args, **options):
        if options.get("export") is not None:
            self._export(options["export"])
            return
        points = self._checkpoints(options.get("checkpoints"))
        checked, broken = audit.verify(checkpoints=points)
        if broken is not None:
            raise CommandError(
                f"Audit trail BROKEN at row #{broken.seq}: {broken.reason}. "
                f"{checked} row(s) before it are intact."
            )
        against = f", {len(points)} checkpoint(s) matched" if points else ""
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {checked} row(s) verified{against}.")
        )

    def _export(self, path: Path) -> None:
        try:
            result = export_check.check_file(path)
        except export_check.ExportUnreadable as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            raise CommandError(
                f"Export {path.name} does NOT match the chain: {result.problem} "
                f"{result.rows} row(s) before it match."
            )
        gaps = f", {result.gaps} gap(s) left by its filter" if result.gaps else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Export {path.name} matches the chain: {result.rows} row(s) match their "
                f"hashes, {result.links} link(s) between consecutive rows checked{gaps}, "
                "and it ends with its end-of-export row."
            )
        )

    def _checkpoints(self, path: Path | None) -> list[audit.checkpoints.Checkpoint]:
        if path is None:
            return []
        try:
            with path.open(encoding="utf-8", errors="replace") as lines:
                points = audit.checkpoints.checkpoints_read(lines)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        except audit.checkpoints.CheckpointFileInvalid as exc:
            raise CommandError(f"{path}: {exc}") from None
        if not points:
            raise CommandError(f"{path} holds no checkpoint.")
        return points
