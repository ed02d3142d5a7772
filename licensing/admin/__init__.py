"""The managers' Django admin: read-mostly lists of customers, assignments and the audit trail.

- `site`: the admin site (Managers only), the fast paginator and what every admin shares;
- `customers`: customers, changed and deleted through the services;
- `assignments`: licence assignments and their actions (renewals, resolutions);
- `audit`: the read-only audit trail and its CSV and XLSX exports;
- `limits`: spending limits per group or person, saved through the services.

Anything that changes state goes through the services, which check and audit it, as on the
staff pages. Importing the modules registers their model admins (Django's autodiscover
imports this package).
"""

from licensing.admin import assignments, audit, customers, limits, site

__all__ = ["assignments", "audit", "customers", "limits", "site"]
