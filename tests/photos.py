"""Photo-like synthetic images for near-duplicate tests: smooth colour fields with fine grain.

The mock's usual images (``render_image``) are white noise: fine for "no two share bytes", but
noise has no low frequencies worth the name, so its perceptual hash flips under any re-encoding,
as no real photo's does. These images have a photo's kind of spectrum (most energy at low
frequencies, some texture), so re-encoded and resized copies keep their hash and distinct
images differ in about half its bits, as measured for imagespider/dataset/neardup/phash.py.
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image, ImageFilter


def photo(seed: str, width: int, height: int) -> Image.Image:
    """A distinct RGB image for each ``seed``: an 8x6 colour grid blown up, plus blurred grain."""
    rng = random.Random(seed)
    field = Image.frombytes("RGB", (8, 6), rng.randbytes(8 * 6 * 3)).resize((width, height), Image.BICUBIC)
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    return Image.blend(field, grain.filter(ImageFilter.GaussianBlur(2)), 0.25)


def encode(image: Image.Image, fmt: str = "JPEG", quality: int = 80) -> bytes:
    buffer = io.BytesIO()
    if fmt in ("JPEG", "WEBP"):
        image.save(buffer, fmt, quality=quality)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def render_photo(query: str, index: int, fmt: str, width: int, height: int) -> bytes:
    """Drop-in for ``tests.mockserver.render_image``, photo-like."""
    return encode(photo(f"{query}/{index}", width, height), fmt)


def resized(body: bytes, factor: float, fmt: str = "JPEG", quality: int = 70) -> bytes:
    """``body`` resized by ``factor`` and re-encoded: the copy a CDN or a thumbnailer makes."""
    with Image.open(io.BytesIO(body)) as image:
        image = image.convert("RGB")
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return encode(image.resize(size, Image.LANCZOS), fmt, quality)
