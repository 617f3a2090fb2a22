"""Pixels: the photo (decoded once, cropped, without metadata), share and slide cards, text
fitting, and the 5x7 pixel font of matrix signs."""
