"""Secrecy stamps drawn as images over a text layer (R-SECRET).

A document with a text layer is read from that layer; a "MẬT" stamp placed on it as a
picture (a scanned stamp, or a stamp tool that draws an image) is not in the layer. NĐ 30
(Phụ lục I) places the secrecy mark in the head of the first page, under the number and
symbol; so the images that reach into the head of the first page are read with OCR, each
image on its own (not the page around it, whose text would run into the stamp's line),
with the stamp's frame removed first (Tesseract reads nothing inside a closed box).

Bounded like the page OCR: the image's pixel count is checked before it is decoded, at
most :data:`MAX_IMAGES` images are read, all within one time limit.
"""

from __future__ import annotations

import io
import logging
import math
import time
from typing import TYPE_CHECKING

from mailparse.documents.document import Secrecy
from mailparse.documents.stamps import stamp_secrecy

if TYPE_CHECKING:
    from PIL.Image import Image

    from gateway.pipeline.documents.ocr import OcrReader

log = logging.getLogger(__name__)

HEAD_SHARE = 0.45  # the head of a page: its top 45 %
MAX_IMAGES = 4  # images read on the first page (a logo, a stamp, a seal…)
TIME_LIMIT = 15.0  # seconds for all of them
MIN_SIDE = 12  # pixels: smaller images hold no readable word
READ_HEIGHT = 100  # pixels: smaller images are enlarged to about this height
DARK = 160  # grey level (0–255) below which a pixel is ink
RULE_SHARE = 0.6  # a row or column this much ink is a frame line, not a letter
MARGIN = 20  # white pixels around the image, as Tesseract likes


def image_secrecy(data: bytes, reader: OcrReader) -> Secrecy | None:
    """The secrecy mark an image in the head of the first page shows, if any."""
    deadline = time.monotonic() + min(TIME_LIMIT, reader.time_limit)
    try:
        images = _head_images(data, reader.max_pixels)
    except Exception:  # pdfium's own errors: no images read, the text layer stands
        log.info("stamp images: the first page could not be read")
        return None
    for image in images:
        left = deadline - time.monotonic()
        if left <= 0:
            log.info("stamp images: time limit reached")
            return None
        for line in reader.read_image(_for_reading(image), left):
            found = stamp_secrecy(line)
            if found is not None:
                return found
    return None


def _head_images(data: bytes, max_pixels: int) -> list[Image]:
    """The images of the first page that reach into its head, as drawn (the image's own
    transform applied), cropped to the head."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(data)
    try:
        if len(document) == 0:
            return []
        page = document[0]
        _, height = page.get_size()
        head_bottom = height * (1 - HEAD_SHARE)
        found: list[Image] = []
        for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            if len(found) == MAX_IMAGES:
                break
            _, bottom, _, top = item.get_bounds()
            width_px, height_px = item.get_px_size()
            if top <= head_bottom or min(width_px, height_px) < MIN_SIDE:
                continue
            if width_px * height_px > max_pixels:
                log.info("stamp images: an image of %s x %s pixels is skipped", width_px, height_px)
                continue
            image = item.get_bitmap(render=True).to_pil()
            found.append(_crop_to_head(image, bottom, top, head_bottom))
        return found
    finally:
        document.close()


def _crop_to_head(image: Image, bottom: float, top: float, head_bottom: float) -> Image:
    """The part of an image drawn between ``top`` and ``head_bottom`` (page points)."""
    if bottom >= head_bottom or top <= bottom:
        return image
    share = (top - head_bottom) / (top - bottom)
    return image.crop((0, 0, image.width, max(1, round(image.height * share))))


def _for_reading(image: Image) -> bytes:
    """Black ink on white, frame lines removed, enlarged when small, with a margin; PNG."""
    from PIL import Image as PilImage
    from PIL import ImageDraw, ImageOps

    ink = image.convert("L").point(lambda v: 0 if v < DARK else 255)
    width, height = ink.size
    draw = ImageDraw.Draw(ink)
    row_means = ink.resize((1, height), PilImage.Resampling.BOX).tobytes()
    for y, mean in enumerate(row_means):
        if mean < 255 * (1 - RULE_SHARE):
            draw.line([(0, y), (width - 1, y)], fill=255)
    column_means = ink.resize((width, 1), PilImage.Resampling.BOX).tobytes()
    for x, mean in enumerate(column_means):
        if mean < 255 * (1 - RULE_SHARE):
            draw.line([(x, 0), (x, height - 1)], fill=255)
    if height < READ_HEIGHT:
        factor = min(4, math.ceil(READ_HEIGHT / height))
        ink = ink.resize((width * factor, height * factor), PilImage.Resampling.LANCZOS)
    ink = ImageOps.expand(ink, border=MARGIN, fill=255)
    buffer = io.BytesIO()
    ink.save(buffer, format="PNG")
    return buffer.getvalue()
