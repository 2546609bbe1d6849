"""What one image check may cost (issue 13), and the refusals that keep it there.

Read from the bytes and the header alone, before Pillow decodes a pixel: an animated WebP's
canvas, a JPEG's scans, an animation's frames and the decoded pixels' size, each refused as
``too_costly`` (or ``decompression_bomb``) over :class:`CheckBounds`, which holds the settings
(``IMAGES_MAX_PIXELS``, ``IMAGES_MAX_FRAMES``, ``IMAGES_CHECK_MEMORY``, ``IMAGES_CHECK_TIMEOUT``)
read once. Pure: imagespider/pipelines/imagecheck.py calls these on the way to a decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

from imagespider.errors import Rejected

#: Scans a progressive JPEG may have: encoders write about 10; each scan is another pass over
#: every block, and 20,000 of them took one check 30 s (tests/mockserver/hostile.py).
MAX_JPEG_SCANS = 250
#: Defaults of the settings of the same names (imagespider/settings.py).
DEFAULT_MAX_FRAMES = 1000
DEFAULT_CHECK_MEMORY_MIB = 384
DEFAULT_CHECK_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class CheckBounds:
    """What one check may cost; read once from settings by :meth:`from_settings`."""

    max_pixels: int
    #: IMAGES_MAX_FRAMES: frames an animation may have.
    max_frames: int = DEFAULT_MAX_FRAMES
    #: IMAGES_CHECK_MEMORY in bytes: what decoding one image may take (0 = unbounded).
    memory: int = DEFAULT_CHECK_MEMORY_MIB << 20
    #: IMAGES_CHECK_TIMEOUT, seconds of wall time for one check.
    timeout: float = DEFAULT_CHECK_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Any) -> CheckBounds:
        return cls(
            max_pixels=settings.getint("IMAGES_MAX_PIXELS"),
            max_frames=settings.getint("IMAGES_MAX_FRAMES"),
            memory=settings.getint("IMAGES_CHECK_MEMORY") << 20,
            timeout=settings.getfloat("IMAGES_CHECK_TIMEOUT"),
        )


def refuse_costly_bytes(body: bytes, bounds: CheckBounds) -> None:
    """Refuse, from the bytes alone, what Pillow would pay for on ``open``: libwebp allocates an
    animation's whole canvas twice when the file is opened (a 142-byte file asked for 1.4 GB),
    and a JPEG's scans are counted (markers cannot occur inside entropy-coded data)."""
    canvas = webp_canvas(body)
    if canvas is not None:
        width, height, animated = canvas
        if width * height > bounds.max_pixels:
            raise Rejected("decompression_bomb", f"{width}x{height} is over IMAGES_MAX_PIXELS={bounds.max_pixels}")
        # The animation decoder's two RGBA canvases, and Pillow's copy of the frame.
        if animated and bounds.memory and width * height * 12 > bounds.memory:
            raise Rejected("too_costly", f"a {width}x{height} animation needs more than IMAGES_CHECK_MEMORY to decode")
    if body[:2] == b"\xff\xd8":
        scans = body.count(b"\xff\xda")
        if scans > MAX_JPEG_SCANS:
            raise Rejected("too_costly", f"a JPEG of {scans} scans (at most {MAX_JPEG_SCANS} are decoded)")


def webp_canvas(body: bytes) -> tuple[int, int, bool] | None:
    """(width, height, animated) from an extended WebP's VP8X header, or None."""
    if len(body) < 30 or body[:4] != b"RIFF" or body[8:16] != b"WEBPVP8X":
        return None
    flags = body[20]
    width = int.from_bytes(body[24:27], "little") + 1
    height = int.from_bytes(body[27:30], "little") + 1
    return width, height, bool(flags & 0x02)


def refuse_costly_frames(image: Image.Image, bounds: CheckBounds) -> None:
    """An animation: at most IMAGES_MAX_FRAMES frames, and all its frames together at most
    IMAGES_MAX_PIXELS (what a loader that decodes every frame would pay). Counting frames reads
    headers only; the check itself decodes the first frame alone."""
    frames = getattr(image, "n_frames", 1) if getattr(image, "is_animated", False) else 1
    if frames <= 1:
        return
    width, height = image.size
    if frames > bounds.max_frames:
        raise Rejected("too_costly", f"{frames} frames (IMAGES_MAX_FRAMES={bounds.max_frames})")
    if frames * width * height > bounds.max_pixels:
        raise Rejected(
            "too_costly", f"{frames} frames of {width}x{height} are over IMAGES_MAX_PIXELS={bounds.max_pixels} in all"
        )


#: Bytes Pillow keeps per pixel, by mode ("RGB" is stored as four bytes); 4 for the rest.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "LA": 4, "PA": 4}


def refuse_costly_decode(image: Image.Image, bounds: CheckBounds) -> None:
    """Refuse an image whose decoded pixels (at the draft size for JPEG), plus the grey copy
    the perceptual hash makes, would not fit in IMAGES_CHECK_MEMORY."""
    if not bounds.memory:
        return
    width, height = image.size
    need = width * height * (_PIXEL_BYTES.get(image.mode, 4) + 1)
    if need > bounds.memory:
        raise Rejected(
            "too_costly",
            f"{width}x{height} {image.mode} needs {need >> 20} MiB to decode, "
            f"over IMAGES_CHECK_MEMORY={bounds.memory >> 20} MiB",
        )
