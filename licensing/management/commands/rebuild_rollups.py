"""manage.py rebuild_rollups: recompute the reports' roll-up from the assignments.

The services keep the roll-up in step as they settle assignments; rows loaded around them
(`seed_demo`, a restore, a hand-made import) or a change of TIME_ZONE need this once.
Settles arriving meanwhile wait for it and are then counted on top, so nothing is
counted twice or missed. On SQLite it holds the database's write lock for its duration
(several seconds per hundred thousand assignments), longer than a settle waits for it at
a few hundred thousand: run it there when nobody is assigning licences.
"""

import time

from django.core.management.base import BaseCommand

from licensing import services


class Command(BaseCommand):
    help = "Recompute the reports' monthly roll-up and demo leads from the assignments."

    def handle(self, *args, **options):
        started = time.monotonic()
        rebuilt = services.rollup_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Roll-up rebuilt in {time.monotonic() - started:.1f} s: "
                f"{rebuilt.assignments:,} settled assignment(s) in {rebuilt.buckets:,} "
                f"month row(s), {rebuilt.demo_leads:,} demo lead(s)."
            )
        )
