"""The managers' Django admin: read-mostly views of customers, assignments and the audit trail."""

from licensing.admin.site import *  # noqa: F403
