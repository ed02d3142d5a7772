"""The sandbox's fixed catalogue: products, prices, currencies, versions, industries and
seed customers.

Prices are list prices in EUR; other currencies use a fixed conversion rate, rounded to
cents (half up), so tests can compute expected amounts exactly.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LANGS = ("en", "it", "es", "de")

#: Months a licence can run for, and the price multiplier of the monthly price
#: (longer terms are cheaper per month, as resellers' price lists usually are).
DURATIONS: dict[int, int] = {1: 1, 12: 10, 24: 19, 36: 27}

#: code -> (name, symbol, rate from EUR)
CURRENCIES: dict[str, tuple[str, str, Decimal]] = {
    "EUR": ("Euro", "€", Decimal("1")),
    "USD": ("US Dollar", "$", Decimal("1.0850")),
    "CHF": ("Swiss Franc", "CHF", Decimal("0.9425")),
    "GBP": ("Pound Sterling", "£", Decimal("0.8530")),
}
DEFAULT_CURRENCY = "EUR"

#: Prepaid credit the reseller starts with (GBP is listed but has no credit).
DEFAULT_BALANCES: dict[str, Decimal] = {
    "EUR": Decimal("1000.00"),
    "USD": Decimal("500.00"),
    "CHF": Decimal("300.00"),
    "GBP": Decimal("0.00"),
}

VERSIONS: dict[int, str] = {0: "Standard", 1: "Pro", 2: "MSP"}

INDUSTRIES: dict[int, str] = {
    1: "Business",
    2: "Education",
    3: "Healthcare",
    4: "Public administration",
    5: "Family",
    6: "MSP / ISP",
}
#: The industry for which ``company_name`` is not required by ``customers/new``.
FAMILY_INDUSTRY_CODE = 5

_NAMES: dict[str, dict[str, str]] = {
    "business": {
        "en": "Business Filter License",
        "it": "Licenza Business Filter",
        "es": "Licencia Business Filter",
        "de": "Business-Filter-Lizenz",
    },
    "business_pro": {
        "en": "Business Filter Pro License",
        "it": "Licenza Business Filter Pro",
        "es": "Licencia Business Filter Pro",
        "de": "Business-Filter-Pro-Lizenz",
    },
    "school": {
        "en": "School Filter License",
        "it": "Licenza School Filter",
        "es": "Licencia School Filter",
        "de": "School-Filter-Lizenz",
    },
    "family": {
        "en": "Home Family License",
        "it": "Licenza Home Family",
        "es": "Licencia Home Family",
        "de": "Home-Family-Lizenz",
    },
    "msp": {
        "en": "MSP Pro License",
        "it": "Licenza MSP Pro",
        "es": "Licencia MSP Pro",
        "de": "MSP-Pro-Lizenz",
    },
}
_UNITS: dict[str, dict[str, str]] = {
    "users": {"en": "users", "it": "utenti", "es": "usuarios", "de": "Benutzer"},
    "devices": {"en": "devices", "it": "dispositivi", "es": "dispositivos", "de": "Geräte"},
}


@dataclass(frozen=True)
class Product:
    key: str  # "A005": the middle of the licence code
    name: str  # key into _NAMES
    version: int
    quantity: int
    unit: str
    points: Decimal
    monthly_eur: Decimal


PRODUCTS: tuple[Product, ...] = (
    Product("A005", "business", 0, 5, "users", Decimal("0.5"), Decimal("5.00")),
    Product("A010", "business", 0, 10, "users", Decimal("1"), Decimal("10.00")),
    Product("A025", "business", 0, 25, "users", Decimal("2.5"), Decimal("22.50")),
    Product("A050", "business", 0, 50, "users", Decimal("5"), Decimal("42.90")),
    Product("B025", "business_pro", 1, 25, "users", Decimal("3"), Decimal("29.90")),
    Product("S100", "school", 0, 100, "devices", Decimal("2"), Decimal("18.75")),
    Product("F005", "family", 0, 5, "devices", Decimal("0.5"), Decimal("2.99")),
    Product("P250", "msp", 2, 250, "users", Decimal("10"), Decimal("149.00")),
)

#: Licences whose EUR currency label the vendor spells "EUR€" (its own documented
#: example does this for CL-Q-A010-M1); reproduced so the client's normalisation is tested.
QUIRKY_EUR_LABEL = {"CL-Q-A010-M1"}

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    """One sellable licence: a product for a duration."""

    product: Product
    months: int

    @property
    def code(self) -> str:
        return f"CL-Q-{self.product.key}-M{self.months}"

    def price(self, currency_code: str) -> Decimal:
        """The price in ``currency_code`` (a known code), rounded to cents."""
        eur = self.product.monthly_eur * DURATIONS[self.months]
        rate = CURRENCIES[currency_code][2]
        return (eur * rate).quantize(CENT, rounding=ROUND_HALF_UP)

    def name(self, lang: str) -> str:
        return _NAMES[self.product.name][lang]

    def as_vendor_json(self, lang: str, currency_code: str) -> dict:
        """The item as ``licenses/available`` shows it, with the vendor's string-typed numbers."""
        label = currency_code
        if currency_code == "EUR" and self.code in QUIRKY_EUR_LABEL:
            label = "EUR€"
        unit = _UNITS[self.product.unit][lang]
        return {
            "license_code": self.code,
            "license_name": self.name(lang),
            "license_duration_months": str(self.months),
            "license_version": str(self.product.version),
            "license_quantity": f"{self.product.quantity} {unit}",
            "license_points": self.product.points,
            "license_amount": self.price(currency_code),
            "license_amount_currency": label,
        }


#: All sellable licences by code, in catalogue order.
ITEMS: dict[str, Item] = {
    item.code: item for item in (Item(p, months) for p in PRODUCTS for months in DURATIONS)
}

DEMO_VERSION = "CL-DEMO"
DEMO_NAME = "Internet Protection and Malware Mitigation Trial DEMO inserted by API"
DEMO_DAYS = 14
MAX_DEMOS_PER_CUSTOMER = 2

#: Customers the sandbox knows from the start. The portal's demo command registers the
#: same customers locally, so keep codes stable.
SEED_CUSTOMERS: list[dict] = [
    {
        "customer_code": 1001,
        "name": "Rossi Ufficio SRL",
        "email": "amministrazione@rossiufficio.it",
        "lang": "it",
        "country_code": "IT",
        "industry_code": 1,
    },
    {
        "customer_code": 1002,
        "name": "Bäckerei Müller GmbH",
        "email": "info@baeckerei-mueller.de",
        "lang": "de",
        "country_code": "DE",
        "industry_code": 1,
    },
    {
        "customer_code": 1003,
        "name": "Clínica Sol",
        "email": "administracion@clinicasol.es",
        "lang": "es",
        "country_code": "ES",
        "industry_code": 3,
    },
    {
        "customer_code": 1004,
        "name": "Northwind School",
        "email": "it-office@northwind-school.org.uk",
        "lang": "en",
        "country_code": "GB",
        "industry_code": 2,
    },
    {
        "customer_code": 1005,
        "name": "Famiglia Bianchi",
        "email": "luca.bianchi@posta.example.it",
        "lang": "it",
        "country_code": "IT",
        "industry_code": FAMILY_INDUSTRY_CODE,
    },
    {
        "customer_code": 1006,
        "name": "Gemeinde Oberwil",
        "email": "informatik@oberwil.example.ch",
        "lang": "de",
        "country_code": "CH",
        "industry_code": 4,
    },
]
