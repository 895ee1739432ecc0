"""A lambang to upload: a small shield as PNG or JPEG, made with Pillow."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def lambang_png(size: tuple[int, int] = (120, 144), fmt: str = "PNG") -> bytes:
    width, height = size
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [
            (4, 4),
            (width - 4, 4),
            (width - 4, height * 0.6),
            (width / 2, height - 4),
            (4, height * 0.6),
        ],
        fill=(200, 30, 30),
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
