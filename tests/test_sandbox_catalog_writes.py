"""The sandbox's catalog writes: what an Odoo-mastered catalog sends.

Each rule is BigCommerce's (products_catalog.v3.yml, product-variants_catalog.v3.yml)
or a named assumption of bigcommerce_sandbox/CONTRACT.md.
"""

import pytest
import requests

from bigcommerce_sandbox.catalog_writes import IMAGE_MAX_BYTES
from bigcommerce_sandbox.cdn import _png


class Api:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = sandbox.access_token

    def __call__(self, method, path, **kwargs):
        return self.session.request(
            method, f"{self.sandbox.api_url}/v3/{path}", timeout=10, **kwargs
        )


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


def product(name="Odoo Mug", **values):
    return {"name": name, "type": "physical", "weight": 1.5, "price": 9.5, **values}


def shirt(name="Odoo Shirt", sku="OS"):
    return product(
        name,
        variants=[
            {
                "sku": f"{sku}-{size}",
                "price": 10.0,
                "option_values": [{"option_display_name": "Size", "label": size}],
            }
            for size in ("S", "M")
        ],
    )


def test_simple_product_is_its_base_variant(api, sandbox):
    answer = api(
        "POST", "catalog/products", json=product(sku="MUG-1", upc="012345678905")
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    variants = sandbox.state.variants[data["id"]]
    assert [v["id"] for v in variants] == [data["base_variant_id"]]
    assert (variants[0]["sku"], variants[0]["upc"]) == ("MUG-1", "012345678905")
    assert "variants" not in data  # product_Full: the answer carries no variants


def test_variants_create_options_from_display_names(api, sandbox):
    data = api("POST", "catalog/products", json=shirt()).json()["data"]
    options = sandbox.state.options[data["id"]]
    assert [
        (o["display_name"], [v["label"] for v in o["option_values"]]) for o in options
    ] == [("Size", ["S", "M"])]
    rows = api("GET", "catalog/variants", params={"product_id:in": data["id"]}).json()
    assert [v["sku"] for v in rows["data"]] == ["OS-S", "OS-M"]
    assert "base_variant_id" not in data


@pytest.mark.parametrize(
    "second",
    [
        product("odoo mug"),  # names are unique (case-insensitive, assumed)
        product("Other", sku="mug-1"),  # SKUs are unique case-insensitively
        shirt("Other shirt", sku="MUG-1-X")
        | {
            "variants": [
                {
                    "sku": "mug-1",
                    "option_values": [{"option_display_name": "Size", "label": "S"}],
                }
            ]
        },
    ],
)
def test_duplicate_name_or_sku_is_a_conflict(api, sandbox, second):
    assert api("POST", "catalog/products", json=product(sku="MUG-1")).status_code == 200
    before = len(sandbox.state.products)
    answer = api("POST", "catalog/products", json=second)
    assert answer.status_code == 409, answer.text
    assert len(sandbox.state.products) == before


def test_unknown_brand_is_a_conflict_and_missing_fields_unprocessable(api):
    assert (
        api("POST", "catalog/products", json=product(brand_id=999)).status_code == 409
    )
    answer = api(
        "POST", "catalog/products", json={"name": "No price", "type": "physical"}
    )
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"weight", "price"}


def test_batch_update_is_limited_to_ten_and_all_or_nothing(api, sandbox):
    ids = sorted(sandbox.state.products)
    answer = api("PUT", "catalog/products", json=[{"id": i} for i in ids[:11]])
    assert answer.status_code == 413
    names = {i: sandbox.state.products[i]["name"] for i in ids[:2]}
    answer = api(
        "PUT",
        "catalog/products",
        json=[
            {"id": ids[0], "name": "Renamed"},
            {"id": ids[1], "name": sandbox.state.products[ids[2]]["name"]},
        ],
    )
    assert answer.status_code == 409
    assert {i: sandbox.state.products[i]["name"] for i in ids[:2]} == names
    answer = api("PUT", "catalog/products", json=[{"id": ids[0], "weight": 2.25}])
    assert answer.status_code == 200
    assert answer.json()["data"][0]["weight"] == 2.25


def test_new_variant_needs_existing_option_values(api, sandbox):
    data = api("POST", "catalog/products", json=shirt()).json()["data"]
    path = f"catalog/products/{data['id']}/variants"
    new = {
        "sku": "OS-L",
        "option_values": [{"option_display_name": "Size", "label": "L"}],
    }
    assert api("POST", path, json=new).status_code == 422
    size = sandbox.state.options[data["id"]][0]
    value = api(
        "POST",
        f"catalog/products/{data['id']}/options/{size['id']}/values",
        json={"label": "L", "sort_order": 2},
    ).json()["data"]
    answer = api(
        "POST",
        path,
        json={
            "sku": "OS-L",
            "option_values": [{"id": value["id"], "option_id": size["id"]}],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["option_values"][0]["label"] == "L"
    # The same combination again is refused.
    again = {
        "sku": "OS-L2",
        "option_values": [{"id": value["id"], "option_id": size["id"]}],
    }
    assert api("POST", path, json=again).status_code == 422


def test_batch_variants_refuse_sku_which_changes_one_variant_at_a_time(api, sandbox):
    data = api("POST", "catalog/products", json=shirt()).json()["data"]
    variant = sandbox.state.variants[data["id"]][0]
    answer = api("PUT", "catalog/variants", json=[{"id": variant["id"], "sku": "X"}])
    assert answer.status_code == 422
    answer = api(
        "PUT",
        f"catalog/products/{data['id']}/variants/{variant['id']}",
        json={"sku": "OS-SMALL", "gtin": "4006381333931"},
    )
    assert answer.status_code == 200
    assert (variant["sku"], variant["gtin"]) == ("OS-SMALL", "4006381333931")


def test_image_upload_is_multipart_and_at_most_8_mb(api, sandbox):
    data = api("POST", "catalog/products", json=product()).json()["data"]
    path = f"catalog/products/{data['id']}/images"
    png = _png((1, 2, 3))
    answer = api("POST", path, files={"image_file": ("a.png", png, "image/png")})
    assert answer.status_code == 200, answer.text
    image = answer.json()["data"]
    assert image["is_thumbnail"] and image["url_zoom"].startswith(sandbox.url)
    too_big = png + b"\0" * (IMAGE_MAX_BYTES - len(png) + 1)
    assert (
        api(
            "POST", path, files={"image_file": ("b.png", too_big, "image/png")}
        ).status_code
        == 422
    )
    text = ("c.txt", b"hello", "text/plain")
    assert api("POST", path, files={"image_file": text}).status_code == 400
    assert api("POST", path, json={"image_file": "x"}).status_code == 422
    received = sandbox.received_writes("POST", r"/v3/catalog/products/\d+/images")
    assert received[0]["files"]["image_file"]["size"] == len(png)
    assert api("DELETE", f"{path}/{image['id']}").status_code == 204
    assert sandbox.state.images[data["id"]] == []


def test_lost_answer_creates_the_product_once(api, sandbox):
    """The fault a connector must survive: created, then the answer is lost."""
    sandbox.lose_answer("POST", r"/v3/catalog/products")
    with pytest.raises(requests.ConnectionError):
        api("POST", "catalog/products", json=product(sku="LOST-1"))
    found = api("GET", "catalog/products", params={"sku": "LOST-1"}).json()["data"]
    assert [p["name"] for p in found] == ["Odoo Mug"]
    # Posting it again is a conflict, not a second product.
    assert (
        api("POST", "catalog/products", json=product(sku="LOST-1")).status_code == 409
    )
