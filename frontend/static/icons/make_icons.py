"""Draws the app icons: a white roof and door on Linli green.

Run: .venv/bin/python frontend/static/icons/make_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (11, 107, 83, 255)
WHITE = (255, 255, 255, 255)
HERE = Path(__file__).parent


def draw(size: int, safe: float, rounded: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    if rounded:
        d.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=GREEN)
    else:
        d.rectangle((0, 0, size, size), fill=GREEN)
    s = size * safe  # drawing box inside the safe zone
    o = (size - s) / 2
    roof = [(o + s * 0.08, o + s * 0.48), (o + s * 0.5, o + s * 0.1), (o + s * 0.92, o + s * 0.48)]
    d.line(roof, fill=WHITE, width=max(2, int(s * 0.09)), joint="curve")
    d.rectangle((o + s * 0.22, o + s * 0.5, o + s * 0.78, o + s * 0.9), fill=WHITE)
    d.rectangle((o + s * 0.42, o + s * 0.64, o + s * 0.58, o + s * 0.9), fill=GREEN)
    return image


def main() -> None:
    targets = {
        "icon-192.png": (192, 0.8, True),
        "icon-512.png": (512, 0.8, True),
        "maskable-512.png": (512, 0.6, False),
        "apple-touch-180.png": (180, 0.7, False),
        "favicon-32.png": (32, 0.9, True),
    }
    for name, (size, safe, rounded) in targets.items():
        draw(size, safe, rounded).save(HERE / name, optimize=True)


if __name__ == "__main__":
    main()
