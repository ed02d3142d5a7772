"""`{% customer_forecast customer %}`: the renewal forecast on a customer's page.

An inclusion tag, so that the page shows it with one line in its template; the figures
come from the forecast's selector, like everything a page reads.
"""

from django import template

from licensing import selectors

register = template.Library()


@register.inclusion_tag("licensing/_forecast.html")
def customer_forecast(customer) -> dict:
    return {
        "forecast": selectors.forecast.customer_forecast(customer=customer),
        "per_customer": True,
    }
