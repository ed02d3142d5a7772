"""manage.py export_audit: the audit trail (filtered like the audit page) as CSV or XLSX."""

import getpass
import os
import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from licensing import audit, forms


class Command(BaseCommand):
    # It only reads (and appends its own audit row): no need to check the whole project
    # first, which a timed export would otherwise pay for.
    requires_system_checks: list[str] = []
    help = (
        "Export the audit trail, oldest row first, ending with an end-of-export row "
        "(row count, hash of the last row). CSV to stdout unless --output; on PostgreSQL "
        "the CSV is written by the database (COPY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date-from", help="first day (YYYY-MM-DD, portal time zone)")
        parser.add_argument("--date-to", help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument("--actor", help="staff username")
        parser.add_argument("--action", help="audit action, e.g. license_assign")
        parser.add_argument("--outcome", help="audit outcome, e.g. unknown")
        parser.add_argument("--customer", help="customer code")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", type=Path, help="file to write (required for xlsx)")

    def handle(self, *args, **options):
        # Exports are in English whatever LANGUAGE_CODE or the environment says: a file's
        # labels and end row never depend on who made it.
        with translation.override("en"):
            self._export(options)

    def _export(self, options):
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx" and output is None:
            raise CommandError("An XLSX export needs --output FILE.")
        form = forms.AuditFilterForm(
            {
                name: options[name]
                for name in ("date_from", "date_to", "actor", "action", "outcome", "customer")
                if options[name] is not None
            }
        )
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise CommandError(f"Invalid filter: {problems}")
        filters = form.filters()
        export = audit.exports.Export(
            meta=audit.RequestMeta(
                user_agent=f"manage.py export_audit (OS user {_os_user()})"[:300]
            ),
            events=audit.queries.audit_filter(filters=filters),
            description=filters.describe(),
        )
        if output is None and fmt != "xlsx":
            self._csv_stdout(export, options.get("stdout") or sys.stdout)
            return
        partial = output.with_name(output.name + ".partial")
        try:
            if fmt == "xlsx":
                self._xlsx(export, output, partial)
            else:
                self._csv_file(export, output, partial)
        except OSError as exc:  # a missing folder, no permission, a full disk
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None
        finally:
            partial.unlink(missing_ok=True)

    def _csv_stdout(self, export, stdout) -> None:
        # The chunks are UTF-8 already: straight to the binary stream when there is one.
        binary = getattr(stdout, "buffer", None)
        stdout.flush()
        for chunk in audit.exports.csv_chunks(export):
            if binary is None:
                stdout.write(chunk.decode())
            else:
                binary.write(chunk)
        (binary or stdout).flush()

    def _csv_file(self, export, output: Path, partial: Path) -> None:
        # Written beside the target and renamed at the end: a file at `output` is whole.
        with partial.open("wb") as target:
            for chunk in audit.exports.csv_chunks(export):
                target.write(chunk)
        os.replace(partial, output)
        self.stderr.write(f"Wrote {output}")

    def _xlsx(self, export, output: Path, partial: Path) -> None:
        try:
            workbook, rows = audit.exports.xlsx_file(export)
        except audit.exports.ExportTooLarge as exc:
            raise CommandError(str(exc)) from None
        with workbook, partial.open("wb") as target:
            shutil.copyfileobj(workbook, target)
        os.replace(partial, output)
        self.stderr.write(f"Wrote {rows} rows to {output}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
