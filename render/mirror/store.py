"""The object store, through boto3 (imported here only, when a mirror runs: the command line
stays light). Every call fails fast and is not retried by boto3: the mirror's own pass
retries with backoff, and a store that hangs must never hold up anything but that pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .settings import MirrorSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class StoreError(Exception):
    """The store failed; `kind` is the class of the failure for `status.json` and the log
    (never the endpoint, which may carry credentials)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Conflict(StoreError):
    """A conditional write found the object not as expected (HTTP 412): another writer."""

    def __init__(self) -> None:
        super().__init__("S3 PreconditionFailed")


def error_class(exc: BaseException) -> str:
    """What went wrong in a few words: "S3 SlowDown", "connection refused", "timeout"."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, StoreError):
        return exc.kind
    if isinstance(exc, ClientError):
        return "S3 " + str(exc.response.get("Error", {}).get("Code", "error"))
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, TimeoutError)):
        return "timeout"
    if isinstance(exc, EndpointConnectionError):
        return "connection refused"
    return type(exc).__name__


class Store:
    """One bucket and prefix; keys given to it are paths of the tree."""

    def __init__(self, settings: MirrorSettings, timeout: float = 10.0,
                 pool: int = 16) -> None:
        import boto3
        from botocore.config import Config

        self.settings = settings
        config = Config(connect_timeout=min(timeout, 3.0), read_timeout=timeout,
                        retries={"max_attempts": 1, "mode": "standard"},
                        max_pool_connections=pool, s3={"addressing_style": "path"})
        self.client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=settings.endpoint_url, region_name=settings.region,
            config=config)

    def put(self, path: str, body: bytes, content_type: str, cache_control: str) -> None:
        self._call(self.client.put_object, Bucket=self.settings.bucket,
                   Key=self.settings.key(path), Body=body, ContentType=content_type,
                   CacheControl=cache_control)

    def put_if(self, path: str, body: bytes, etag: str | None) -> str:
        """Write only if the object is still the one with `etag` (`If-Match`), or, with
        None, only if there is none (`If-None-Match: *`); its new ETag. Raises `Conflict`
        when another writer came first: the store decides, atomically."""
        from botocore.exceptions import ClientError

        condition: dict[str, Any] = ({"IfMatch": etag} if etag is not None
                                     else {"IfNoneMatch": "*"})
        try:
            answer = self.client.put_object(
                Bucket=self.settings.bucket, Key=self.settings.key(path), Body=body,
                ContentType="application/json", CacheControl="no-store", **condition)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                raise Conflict() from exc  # 409: a concurrent conditional write (AWS)
            raise StoreError(error_class(exc)) from exc
        except Exception as exc:
            raise StoreError(error_class(exc)) from exc
        return answer["ETag"]

    def delete(self, path: str) -> None:
        self._call(self.client.delete_object, Bucket=self.settings.bucket,
                   Key=self.settings.key(path))

    def get(self, path: str) -> tuple[bytes, str] | None:
        """An object's bytes and ETag, or None when there is none."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.settings.bucket,
                                            Key=self.settings.key(path))
            return answer["Body"].read(), answer["ETag"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise StoreError(error_class(exc)) from exc
        except Exception as exc:
            raise StoreError(error_class(exc)) from exc

    def listing(self) -> Iterator[tuple[str, str]]:
        """Every key under the prefix, as a path of the tree, with its ETag (quotes off)."""
        prefix = self.settings.prefix
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.settings.bucket, Prefix=prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(prefix):], item.get("ETag", "").strip('"')
        except Exception as exc:
            raise StoreError(error_class(exc)) from exc

    def _call(self, method: Any, **kwargs: Any) -> None:
        try:
            method(**kwargs)
        except Exception as exc:
            raise StoreError(error_class(exc)) from exc
