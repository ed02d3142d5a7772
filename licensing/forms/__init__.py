"""Forms: parse and check what a person typed, before a service sees it.

The services check the business rules again (and audit refusals); these forms only turn
request data into typed values and give field-by-field messages. One module per subject;
import from `licensing.forms`.
"""

from licensing.forms.assignments import (
    ApprovalDecisionForm,
    ApprovalRequestForm,
    AssignForm,
    CatalogueFilterForm,
    DemoForm,
    quote_data,
    quote_sign,
)
from licensing.forms.audit import (
    AuditFilterForm,
)
from licensing.forms.base import (
    CHOOSE_LISTED,
    DURATION_MONTHS,
    PHONE_PATTERN,
    QUOTE_MAX_AGE,
    QUOTE_SALT,
    PortalForm,
    duration_choices,
    language_choices,
)
from licensing.forms.customers import (
    CustomerCreateForm,
    CustomerLinkForm,
    CustomerSearchForm,
)
from licensing.forms.renewals import (
    BulkRenewalForm,
    RenewalRecordForm,
    ResolveForm,
    ResumeForm,
    SuspendForm,
)

__all__ = [
    "ApprovalDecisionForm",
    "ApprovalRequestForm",
    "AssignForm",
    "AuditFilterForm",
    "BulkRenewalForm",
    "CHOOSE_LISTED",
    "CatalogueFilterForm",
    "CustomerCreateForm",
    "CustomerLinkForm",
    "CustomerSearchForm",
    "DURATION_MONTHS",
    "DemoForm",
    "PHONE_PATTERN",
    "PortalForm",
    "QUOTE_MAX_AGE",
    "QUOTE_SALT",
    "ResolveForm",
    "ResumeForm",
    "RenewalRecordForm",
    "SuspendForm",
    "duration_choices",
    "language_choices",
    "quote_data",
    "quote_sign",
]
