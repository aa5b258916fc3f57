"""Seeded customers and their addresses."""

from datetime import UTC, datetime

from .common import SEED_END, SEED_START, _spread, iso_z

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Mia",
    "Lucas",
    "Amelia",
    "Mason",
    "Harper",
    "Ethan",
    "Evelyn",
    "Logan",
    "Abigail",
    "Jacob",
    "Emily",
    "Daniel",
    "Ella",
    "Henry",
    "Grace",
    "Samuel",
    "Chloe",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Walker",
    "Hall",
    "Allen",
    "Young",
    "King",
]
COMPANIES = [
    "Acme Outdoor Co.",
    "Blue Ridge Rentals",
    "Summit Scouts",
    "Pine & Co.",
    "Riverbend Camps",
    "Northstar Guides",
]
STREETS = [
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Elm Street",
    "Pine Road",
    "Lakeview Terrace",
    "Hillcrest Way",
    "Sunset Boulevard",
]
US_CITIES = [
    ("Austin", "Texas", "TX", "78701"),
    ("Denver", "Colorado", "CO", "80202"),
    ("Portland", "Oregon", "OR", "97201"),
    ("Seattle", "Washington", "WA", "98101"),
    ("Chicago", "Illinois", "IL", "60601"),
    ("Boston", "Massachusetts", "MA", "02108"),
    ("Asheville", "North Carolina", "NC", "28801"),
    ("Boise", "Idaho", "ID", "83702"),
]
EU_CITIES = [
    ("Berlin", "Berlin", "Germany", "DE", "10115"),
    ("Munich", "Bavaria", "Germany", "DE", "80331"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "FR", "69001"),
    ("Utrecht", "Utrecht", "Netherlands", "NL", "3511"),
    ("Dublin", "Dublin", "Ireland", "IE", "D02"),
]


# -- customers ---------------------------------------------------------------------


def _street(rng):
    return f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"


def _phone(rng, eu=False):
    if eu:
        return f"+49 30 {rng.randint(1000000, 9999999)}"
    return f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}"


def _customer_address(rng, address_id, customer, eu, company):
    if eu:
        city, region, country, iso2, postal = rng.choice(EU_CITIES)
    else:
        city, region, _code, postal = rng.choice(US_CITIES)
        country, iso2 = "United States", "US"
    return {
        "id": address_id,
        "customer_id": customer["id"],
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": company,
        "address1": _street(rng),
        "address2": rng.choice(["", "", "Apt 4B", "Suite 200"]),
        "city": city,
        "state_or_province": region,
        "postal_code": postal,
        "country": country,
        "country_code": iso2,
        "phone": customer["phone"],
        "address_type": "commercial" if company else "residential",
    }


def _seed_customers(state, rng, count=25):
    for index in range(count):
        customer_id = state.next_id("customer")
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        eu = index >= count - 5
        company = rng.choice(COMPANIES) if index % 3 == 1 else ""
        created = _spread(rng, datetime(2025, 10, 1, tzinfo=UTC), SEED_START)
        modified = _spread(rng, SEED_START, SEED_END)
        add_customer(
            state,
            rng,
            customer_id,
            (first, last, company, eu),
            group_id=1 if index % 5 == 0 else 0,
            dates=(created, modified),
            n_addresses=1 + (index % 4 == 0) + (index % 8 == 0),
            newsletter=index % 2 == 0,
        )


def add_customer(
    state, rng, customer_id, who, *, group_id, dates, n_addresses, newsletter
):
    """One v3 customer and its address book; ``who``: (first name, last
    name, company, in the EU)."""
    first, last, company, eu = who
    created, modified = dates
    customer = {
        "id": customer_id,
        "email": f"{first}.{last}{customer_id}@example.com".lower(),
        "first_name": first,
        "last_name": last,
        "company": company,
        "phone": _phone(rng, eu),
        "registration_ip_address": f"198.51.100.{customer_id}",
        "notes": "",
        "tax_exempt_category": "",
        "customer_group_id": group_id,
        "date_created": iso_z(created),
        "date_modified": iso_z(modified),
        "address_count": 0,
        "attribute_count": 0,
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": newsletter,
        "origin_channel_id": 1,
        "channel_ids": [1],
    }
    addresses = [
        _customer_address(
            rng, state.next_id("address"), customer, eu, company if n == 0 else ""
        )
        for n in range(n_addresses)
    ]
    customer["address_count"] = len(addresses)
    state.customers[customer_id] = customer
    state.customer_addresses[customer_id] = addresses
    return customer
