"""Mirroring the published tree into S3-compatible object storage (contract section 8)."""
