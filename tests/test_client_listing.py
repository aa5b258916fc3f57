"""The client's catalog writes (listings) against the sandbox store."""

import pytest

from bigcommerce_connector.client import (
    BigCommerceClient,
    InvalidRequestError,
    TransportError,
)
from bigcommerce_sandbox.cdn import _png


@pytest.fixture
def client(sandbox):
    sandbox.set_rate_limit(quota=150, window_ms=3000)
    return BigCommerceClient(
        sandbox.store_hash, sandbox.access_token, api_url=sandbox.api_url, max_wait=5
    )


def test_create_find_update_and_read_variants(client, sandbox):
    created = client.create_product(
        {"name": "Client Mug", "type": "physical", "weight": 1, "price": 3, "sku": "CM"}
    )
    assert client.find_products(sku="cm")[0]["id"] == created["id"]
    assert client.find_products(name="Client Mug")[0]["id"] == created["id"]
    updated = client.update_products([{"id": created["id"], "price": 4.5}])
    assert updated[0]["price"] == 4.5
    variants = list(client.iter_variants(**{"product_id:in": str(created["id"])}))
    assert [v["id"] for v in variants] == [created["base_variant_id"]]
    changed = client.update_variant(created["id"], variants[0]["id"], {"sku": "CM-2"})
    assert changed["sku"] == "CM-2"
    assert sandbox.state.products[created["id"]]["sku"] == "CM-2"


def test_conflict_is_an_invalid_request_with_bigcommerce_reason(client):
    product = {"name": "Twice", "type": "physical", "weight": 1, "price": 3}
    client.create_product(product)
    with pytest.raises(InvalidRequestError) as error:
        client.create_product(product)
    assert error.value.status == 409
    assert "name" in error.value.details


def test_image_upload_is_multipart(client, sandbox):
    created = client.create_product(
        {"name": "Pictured", "type": "physical", "weight": 1, "price": 3}
    )
    png = _png((9, 9, 9))
    image = client.upload_product_image(
        created["id"], "p.png", png, "image/png", is_thumbnail=True, description="P"
    )
    assert image["is_thumbnail"] is True
    (body,) = sandbox.received_writes("POST", r"/v3/catalog/products/\d+/images")
    assert body["fields"] == {"is_thumbnail": "true", "description": "P"}
    assert body["files"]["image_file"]["size"] == len(png)
    assert client.delete_product_image(created["id"], image["id"]) is None


def test_a_lost_create_is_never_posted_again_by_the_client(client, sandbox):
    """The write happened, the answer was lost: the client raises a retryable
    error and does not repeat the POST itself (the exporter looks it up)."""
    sandbox.lose_answer("POST", r"/v3/catalog/products")
    before = len(sandbox.state.products)
    with pytest.raises(TransportError):
        client.create_product(
            {"name": "Lost", "type": "physical", "weight": 1, "price": 3}
        )
    assert len(sandbox.state.products) == before + 1
    assert len(sandbox.received_writes("POST", r"/v3/catalog/products")) == 1
