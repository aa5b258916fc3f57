"""The images of a listing: the template's image and its extra images.

With "Sync Listing Images?", each picture is uploaded (``POST
/v3/catalog/products/{id}/images``, multipart ``image_file``, at most 8 MB)
once, then only when its checksum changes. A picture the import downloaded
from BigCommerce (same checksum) is already there: never uploaded back. An
uploaded image is recorded as the import would record it, so the import
neither downloads it again nor takes it for a change.
"""

import base64
from contextlib import suppress

from ..client import BigCommerceError, NotFoundError

IMAGE_MAX_BYTES = 8 * 1024 * 1024


class ProductImagesMixin:
    """The image half of ``ProductExporter``."""

    # ------------------------------------------------------------------
    # Images
    # ------------------------------------------------------------------

    def _sync_images(self, plans):
        if not self.instance.sync_listing_images or not plans:
            return
        attachments = self.env["ir.attachment"].sudo()
        templates = self.env["product.template"].browse([p.template.id for p in plans])
        own = {
            a.res_id: a
            for a in attachments.search(
                [
                    ("res_model", "=", "product.template"),
                    ("res_field", "=", "image_1920"),
                    ("res_id", "in", templates.ids),
                ]
            )
        }
        extra = {}
        if "product_template_image_ids" in templates._fields:
            images = templates.product_template_image_ids
            for attachment in attachments.search(
                [
                    ("res_model", "=", images._name),
                    ("res_field", "=", "image_1920"),
                    ("res_id", "in", images.ids),
                ]
            ):
                image = images.browse(attachment.res_id)
                extra.setdefault(image.product_tmpl_id.id, []).append(
                    (f"{image._name},{image.id}", attachment, image.sequence)
                )
        for plan in plans:
            sources = []
            if plan.template.id in own:
                sources.append(("template", own[plan.template.id], 0))
            sources.extend(extra.get(plan.template.id, []))
            self._sync_plan_images(plan, sources)

    def _bigcommerce_checksums(self, binding):
        """Checksums of the pictures the import downloaded from BigCommerce:
        already there, never uploaded back."""
        # Gallery images only (a variant's own image has a negative key).
        records = binding.image_ids.filtered(
            lambda i: i.state == "done" and i.image_key > 0
        )
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "bigcommerce.product.image"),
                    ("res_field", "=", "image_1920"),
                    ("res_id", "in", records.ids),
                ]
            )
        )
        images = {record.id: record for record in records}
        return {a.checksum: images[a.res_id] for a in attachments}

    def _sync_plan_images(self, plan, sources):
        row = plan.row
        uploaded = {image.source_key: image for image in row.image_ids}
        downloaded = None
        for key, attachment, sequence in sources:
            record = uploaded.pop(key, None)
            if record and record.checksum == attachment.checksum:
                continue
            if downloaded is None:
                downloaded = self._bigcommerce_checksums(plan.binding)
            there = downloaded.get(attachment.checksum)
            if there:
                self._keep_image(
                    row, record, key, attachment, sequence, there.image_key
                )
                continue
            if (attachment.file_size or 0) > IMAGE_MAX_BYTES:
                plan.notes.append(
                    self.env._(
                        "An image of %s is larger than 8 MB: not sent.",
                        plan.template.display_name,
                    )
                )
                continue
            self._upload(plan, record, key, attachment, sequence)
        for record in uploaded.values():
            # The picture is gone from Odoo: so is the image we uploaded.
            self._delete_image(plan, record.bigcommerce_image_id)
            record.unlink()

    def _keep_image(self, row, record, key, attachment, sequence, image_id):
        values = {
            "checksum": attachment.checksum,
            "bigcommerce_image_id": image_id,
            "sequence": sequence,
        }
        if record:
            record.write(values)
        else:
            self.env["bigcommerce.listing.image"].create(
                {"export_id": row.id, "source_key": key, **values}
            )

    def _upload(self, plan, record, key, attachment, sequence):
        data = attachment.raw
        name = attachment.name or key
        extension = (attachment.mimetype or "image/png").split("/")[-1]
        try:
            image = self.client.upload_product_image(
                plan.binding.bigcommerce_id,
                f"{name}.{extension}" if "." not in name else name,
                data,
                attachment.mimetype or "image/png",
                is_thumbnail=key == "template",
                sort_order=sequence,
                description=plan.template.name,
            )
        except BigCommerceError as error:
            if error.retryable:
                raise
            # The product is there; only this picture is not.
            plan.notes.append(
                self.env._("An image was refused by BigCommerce: %s", error.message)
            )
            return
        if record and record.bigcommerce_image_id:
            self._delete_image(plan, record.bigcommerce_image_id)
        self._keep_image(plan.row, record, key, attachment, sequence, image["id"])
        # What the import would have made of it: known, nothing to download.
        url = image.get("url_zoom") or image.get("url_standard") or ""
        date_modified = image.get("date_modified") or ""
        self.env["bigcommerce.product.image"].create(
            {
                "instance_id": self.instance.id,
                "product_binding_id": plan.binding.id,
                "image_key": image["id"],
                "url": url,
                "date_modified": date_modified,
                "is_thumbnail": bool(image.get("is_thumbnail")),
                "sequence": image.get("sort_order") or 0,
                "name": plan.template.name,
                "image_1920": base64.b64encode(data),
                "downloaded_key": f"{url}|{date_modified}",
                "state": "done",
            }
        )
        plan.sent = True

    def _delete_image(self, plan, image_id):
        if not image_id:
            return
        with suppress(NotFoundError):  # deleted in BigCommerce already
            self.client.delete_product_image(plan.binding.bigcommerce_id, image_id)
        plan.binding.image_ids.filtered(lambda i: i.image_key == image_id).unlink()
