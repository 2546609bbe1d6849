"""Where an object store is and how to reach it: ``IMAGES_STORE=s3://bucket/prefix`` (or ``gs://``)
and the ``AWS_*`` settings, read once into :class:`ObjectStoreConfig`, and botocore's failures said
in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imagespider.errors import ArgumentError, shown

#: Google Cloud Storage's S3-compatible (XML API) endpoint, for ``gs://`` stores.
GCS_ENDPOINT = "https://storage.googleapis.com"
#: Seconds an S3 call waits to connect, and for each read of its answer; tries per call.
S3_CONNECT_TIMEOUT = 5.0
S3_READ_TIMEOUT = 20.0
S3_ATTEMPTS = 3


@dataclass(frozen=True)
class ObjectStoreConfig:
    bucket: str
    prefix: str  # "" or ending in "/"
    endpoint_url: str | None
    access_key: str | None
    secret_key: str | None
    session_token: str | None
    region: str | None
    #: Scrapy's AWS_USE_SSL and AWS_VERIFY (its S3FilesStore passes both to botocore): None is
    #: botocore's default (TLS on, verified); AWS_VERIFY may name a CA bundle file.
    use_ssl: bool | None = None
    verify: bool | str | None = None

    @classmethod
    def from_settings(cls, uri: str, settings: Any) -> ObjectStoreConfig:
        """Raises ArgumentError (one line) for ``gs://`` with no ``AWS_ENDPOINT_URL``: Google
        Cloud Storage is reached through its S3-compatible XML API, never AWS by mistake."""
        if uri.startswith("gs://") and not settings.get("AWS_ENDPOINT_URL"):
            raise ArgumentError(
                f"{shown(uri)} is reached through GCS's S3-compatible API: set AWS_ENDPOINT_URL="
                f"{GCS_ENDPOINT} and an HMAC key as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        bucket, prefix = split_uri(uri)
        if not bucket:
            raise ArgumentError(f"{shown(uri)} names no bucket: name one, as s3://bucket/prefix")
        endpoint = settings.get("AWS_ENDPOINT_URL") or None
        if endpoint is not None and not _is_endpoint(str(endpoint)):
            raise ArgumentError(
                f"AWS_ENDPOINT_URL {shown(endpoint)!r} is not an http:// or https:// URL (such as http://minio.local:9000)"
            )
        return cls(
            bucket=bucket, prefix=prefix,
            endpoint_url=endpoint,
            access_key=settings.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=settings.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=settings.get("AWS_SESSION_TOKEN") or None,
            region=settings.get("AWS_REGION_NAME") or None,
            use_ssl=_yes_no(settings.get("AWS_USE_SSL")),
            verify=_verify(settings.get("AWS_VERIFY")),
        )

    def client(self) -> Any:
        """A botocore S3 client with short timeouts (botocore's own: 60 s to connect, 60 s per
        read, each call tried 3 times: a stalled store held a call for minutes)."""
        import botocore.session
        from botocore.config import Config

        session = botocore.session.get_session()
        timeouts = Config(
            connect_timeout=S3_CONNECT_TIMEOUT, read_timeout=S3_READ_TIMEOUT,
            retries={"max_attempts": S3_ATTEMPTS, "mode": "standard"},
        )
        return session.create_client(
            "s3", aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            aws_session_token=self.session_token, endpoint_url=self.endpoint_url, region_name=self.region,
            config=timeouts, verify=self.verify, **({} if self.use_ssl is None else {"use_ssl": self.use_ssl}),
        )

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def _yes_no(value: Any) -> bool | None:
    """A yes/no setting as Scrapy's ``Settings.getbool`` reads it; unset (None, "") stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ArgumentError(f"AWS_USE_SSL / AWS_VERIFY {shown(str(value))!r} is not a yes/no value: give True or False")


def _verify(value: Any) -> bool | str | None:
    """AWS_VERIFY: yes/no, or the path of a CA bundle (as botocore's ``verify`` takes it)."""
    if isinstance(value, str) and value.strip() and value.strip().lower() not in (
        "1", "true", "yes", "on", "0", "false", "no", "off",
    ):
        return value.strip()
    return _yes_no(value)


def _is_endpoint(url: str) -> bool:
    """Whether botocore takes ``url`` for an endpoint (anything else is a ValueError when the
    client is made), and it is http or https."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    scheme_ok = url.lower().startswith(("http://", "https://"))
    return scheme_ok and bool(is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))


def store_errors() -> tuple[type[Exception], ...]:
    """What botocore raises for a store it cannot use (no bucket, refused credentials, no endpoint
    listening...): what the store commands turn into one line (:func:`store_failure`)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def store_failure(uri: str, error: BaseException) -> str:
    """One line for the user when botocore refused the store at ``uri``."""
    first = (str(error) or type(error).__name__).splitlines()[0]
    return (
        f"cannot use the object store {shown(uri)}: {first}; check AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and that the bucket exists"
    )


def is_object_store(uri: str) -> bool:
    """Whether ``IMAGES_STORE`` (or a command's store) names a bucket rather than a folder."""
    return uri.startswith(("s3://", "gs://"))


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` as ``("bucket", "a/b/")``: the prefix always ends in ``/`` (or is
    empty), as Scrapy's S3FilesStore glues it to the file name as it is."""
    rest = uri.split("://", 1)[1]
    bucket, _, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def normal_uri(uri: str) -> str:
    """IMAGES_STORE for Scrapy's S3FilesStore: ``s3://bucket/prefix/``."""
    bucket, prefix = split_uri(uri)
    return f"s3://{bucket}/{prefix}"
