"""Coarse outlines of the Netherlands and its twelve provinces, for CAP `polygon`s: sign
systems (IRIS) find the signs an alert concerns by polygon, and read no circle.

Source: drawn for this project from the provinces' extents (each outline is a handful of
points around its province, rounded to 0.05 degree, and may take in a strip of its
neighbours or the sea: a sign near a border had better show the alert than miss it).
Licence: CC0 1.0, like any other data of this repository's own making. They are not
borders: never use them to decide in which province a place lies.

Each outline is a list of (latitude, longitude) points, clockwise, not closed: `polygon`
closes it, as CAP requires (the first point repeated last).
"""

from __future__ import annotations

Point = tuple[float, float]

OUTLINES: dict[str, list[Point]] = {
    "Nederland": [
        (51.37, 3.36), (51.85, 3.85), (52.30, 4.45), (52.95, 4.70), (53.45, 5.00),
        (53.55, 6.20), (53.45, 7.10), (53.10, 7.25), (52.65, 7.10), (52.40, 7.05),
        (52.20, 7.05), (51.85, 6.75), (51.75, 6.00), (51.45, 6.25), (50.95, 6.10),
        (50.75, 6.02), (50.75, 5.65), (51.25, 5.55), (51.42, 5.05), (51.35, 4.35),
        (51.25, 3.85),
    ],
    "Groningen": [
        (53.50, 6.20), (53.45, 7.10), (53.10, 7.25), (52.85, 7.05), (52.95, 6.55),
        (53.10, 6.30), (53.30, 6.15),
    ],
    "Friesland": [
        (53.45, 5.00), (53.52, 6.20), (53.20, 6.30), (52.85, 6.15), (52.80, 5.70),
        (52.85, 5.35), (53.05, 5.35), (53.20, 5.05),
    ],
    "Drenthe": [
        (53.20, 6.30), (53.05, 6.95), (52.80, 7.10), (52.60, 6.95), (52.65, 6.20),
        (52.85, 6.15),
    ],
    "Overijssel": [
        (52.85, 5.85), (52.75, 6.45), (52.65, 7.00), (52.45, 7.10), (52.20, 7.05),
        (52.10, 6.70), (52.25, 6.10), (52.35, 5.90), (52.55, 5.80),
    ],
    "Flevoland": [
        (52.80, 5.60), (52.70, 5.90), (52.40, 5.90), (52.25, 5.50), (52.30, 5.15),
        (52.55, 5.30),
    ],
    "Gelderland": [
        (52.50, 5.80), (52.35, 6.30), (52.10, 6.75), (51.85, 6.80), (51.75, 6.00),
        (51.80, 5.40), (51.85, 4.95), (52.05, 5.25), (52.35, 5.55),
    ],
    "Utrecht": [
        (52.30, 4.85), (52.30, 5.40), (52.10, 5.60), (51.95, 5.45), (51.90, 5.00),
        (52.05, 4.80),
    ],
    "Noord-Holland": [
        (53.20, 4.70), (53.05, 5.20), (52.75, 5.20), (52.45, 5.10), (52.25, 5.30),
        (52.20, 4.70), (52.30, 4.45), (52.70, 4.60), (52.95, 4.65),
    ],
    "Zuid-Holland": [
        (52.30, 4.45), (52.25, 4.90), (52.05, 5.05), (51.80, 5.05), (51.65, 4.60),
        (51.70, 4.00), (51.85, 3.95), (52.10, 4.20),
    ],
    "Zeeland": [
        (51.85, 3.80), (51.75, 4.25), (51.50, 4.30), (51.35, 4.25), (51.25, 3.90),
        (51.30, 3.40), (51.55, 3.45),
    ],
    "Noord-Brabant": [
        (51.80, 4.30), (51.85, 5.10), (51.75, 5.80), (51.55, 6.00), (51.25, 5.85),
        (51.30, 5.20), (51.45, 4.90), (51.40, 4.40), (51.55, 4.20),
    ],
    "Limburg": [
        (51.80, 5.90), (51.75, 6.05), (51.45, 6.25), (51.15, 6.10), (50.85, 6.10),
        (50.75, 6.00), (50.75, 5.65), (51.00, 5.70), (51.25, 5.50), (51.55, 5.85),
    ],
}
OUTLINES["Fryslân"] = OUTLINES["Friesland"]  # the province's own name, which alerts may use


def polygon(region: str) -> str:
    """A region's outline as CAP writes a polygon: 'lat,lon lat,lon ...', closed."""
    points = OUTLINES[region]
    return " ".join(f"{lat:.2f},{lon:.2f}" for lat, lon in [*points, points[0]])
