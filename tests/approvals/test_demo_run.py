"""The demo run gives Sales a limit, so a new user meets the approval flow, and says so."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from licensing import roles
from licensing.models import SpendingLimit


@pytest.mark.django_db
def test_rundemo_sets_a_sales_limit_and_prints_it():
    out = StringIO()
    call_command("rundemo", "--no-server", stdout=out)

    limit = SpendingLimit.objects.get(group__name=roles.SALES)
    assert limit.per_purchase_eur == Decimal("100")
    assert "Spending limit:" in out.getvalue() and "/approvals/" in out.getvalue()

    limit.per_purchase_eur = Decimal("250")
    limit.save()
    call_command("rundemo", "--no-server", stdout=StringIO())
    limit.refresh_from_db()
    assert limit.per_purchase_eur == Decimal("250")  # a manager's change is kept
