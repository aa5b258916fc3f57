"""Store settings: store profile, currencies, order statuses, tax classes, channels,
locations.
"""

from datetime import UTC, datetime, timedelta

from .common import (
    CURRENCIES,
    EUR_RATE_TEXT,
    ORDER_STATUSES,
    STORE_NAME,
    TAX_CLASSES,
    iso_z,
    rfc2822,
)

# -- store settings ----------------------------------------------------------------


def _seed_store_info(state):
    state.store_info = {
        "id": state.store_hash,
        "account_uuid": "6f1b0c9e-2a4d-4c5e-9f10-5a5d0b5e7c21",
        "domain": "sandbox-outfitters.example.com",
        "secure_url": "https://sandbox-outfitters.example.com",
        "control_panel_base_url": f"https://store-{state.store_hash}.mybigcommerce.com",
        "status": "live",
        "name": STORE_NAME,
        "first_name": "Sam",
        "last_name": "Sandbox",
        "address": "100 Trailhead Way\nDenver, CO 80202\nUnited States",
        "country": "United States",
        "country_code": "US",
        "infrastructure_region": "us-central1",
        "phone": "+1 303-555-0100",
        "admin_email": "admin@sandbox-outfitters.example.com",
        "order_email": "orders@sandbox-outfitters.example.com",
        "favicon_url": "https://cdn.example.com/sandbox/favicon.ico",
        "timezone": {
            "name": "America/Denver",
            "raw_offset": -25200,
            "dst_offset": -21600,
            "dst_correction": True,
            "date_format": {
                "display": "M jS Y",
                "export": "M jS Y",
                "extended_display": "M jS Y @ g:i A",
            },
        },
        "language": "en",
        "currency": "USD",
        "currency_symbol": "$",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "KGS",
        "dimension_units": "Centimeters",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Standard",
        "plan_level": "Standard",
        "plan_is_trial": False,
        "industry": "Sporting Goods",
        "logo": {"url": "https://cdn.example.com/sandbox/logo.png"},
        "is_price_entered_with_tax": False,
        "store_id": 1000000 + sum(ord(c) for c in state.store_hash),
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": True,
            "sitewidehttps_enabled": True,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": False,
            "graphql_storefront_api_enabled": True,
            "shopper_consent_tracking_enabled": True,
            "multi_storefront_enabled": True,
            "storefront_limits": {"active": 1, "total_including_inactive": 1},
        },
    }


def _seed_settings(state):
    updated = rfc2822(datetime(2025, 12, 1, 9, 0, tzinfo=UTC))
    state.currencies = []
    for code, enabled, transactional, rate, countries in (
        ("USD", True, True, "1.0000000000", ["US"]),
        ("EUR", True, True, EUR_RATE_TEXT, ["DE", "FR", "NL", "IE"]),
        ("GBP", False, False, "0.7900000000", ["GB"]),
    ):
        info = CURRENCIES[code]
        state.currencies.append(
            {
                "id": info["id"],
                "is_default": code == "USD",
                "currency_code": code,
                "name": info["name"],
                "country_iso2": info["iso2"],
                "default_for_country_codes": countries,
                "currency_exchange_rate": rate,
                "auto_update": False,
                "token": info["token"],
                "token_location": "left",
                "decimal_token": ".",
                "thousands_token": ",",
                "decimal_places": 2,
                "enabled": enabled,
                "is_transactional": transactional,
                "use_default_name": True,
                "last_updated": updated,
            }
        )
    state.order_statuses = [
        {
            "id": status_id,
            "name": name,
            "system_label": name,
            "custom_label": name,
            "system_description": description,
        }
        for status_id, name, description in ORDER_STATUSES
    ]
    stamp = "2025-09-01 09:00:00+00:00"
    state.tax_classes = [
        {"id": str(class_id), "name": name, "created_at": stamp, "updated_at": stamp}
        for class_id, name in TAX_CLASSES
    ]
    created = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    state.channels = [
        {
            "id": 1,
            "name": STORE_NAME,
            "type": "storefront",
            "platform": "bigcommerce",
            "status": "active",
            "external_id": "",
            "is_listable_from_ui": True,
            "is_visible": True,
            "is_enabled": True,
            "date_created": iso_z(created),
            "date_modified": iso_z(created + timedelta(days=30)),
            "icon_url": "https://cdn.example.com/sandbox/channel-storefront.png",
        },
        {
            "id": 2,
            "name": "Sandbox Outfitters Pop-up (POS)",
            "type": "pos",
            "platform": "square",
            "status": "active",
            "external_id": "sq-location-7731",
            "is_listable_from_ui": True,
            "is_visible": True,
            "is_enabled": True,
            "date_created": iso_z(created + timedelta(days=40)),
            "date_modified": iso_z(created + timedelta(days=45)),
            "icon_url": "https://cdn.example.com/sandbox/channel-pos.png",
        },
    ]
    state.locations = [
        _location(1, "MAIN-WH", "Main warehouse", "VIRTUAL", "Denver", "CO", created),
        _location(2, "STORE-1", "Store front", "PHYSICAL", "Boulder", "CO", created),
    ]


def _location(location_id, code, label, type_id, city, state_code, created):
    day = {"open": True, "opening": "09:00", "closing": "18:00"}
    closed = {"open": False, "opening": "00:00", "closing": "00:00"}
    hours = {
        name: dict(closed if name == "sunday" else day)
        for name in (
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        )
    }
    return {
        "id": location_id,
        "code": code,
        "label": label,
        "description": f"{label} of {STORE_NAME}",
        "managed_by_external_source": False,
        "type_id": type_id,
        "enabled": True,
        "operating_hours": hours,
        "time_zone": "America/Denver",
        "created_at": iso_z(created),
        "updated_at": iso_z(created + timedelta(days=location_id)),
        "address": {
            "address1": f"{100 * location_id} Trailhead Way",
            "address2": "",
            "city": city,
            "state": state_code,
            "zip": "80202" if location_id == 1 else "80302",
            "email": f"location{location_id}@sandbox-outfitters.example.com",
            "phone": f"303-555-01{location_id:02d}",
            "geo_coordinates": {"latitude": 39.7392, "longitude": -104.9903},
            "country_code": "US",
        },
        "storefront_visibility": type_id == "PHYSICAL",
        "special_hours": [],
    }
