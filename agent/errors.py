"""One exception hierarchy. Stages raise these; only the CLI turns them into exit codes."""

from __future__ import annotations


class VerisumError(Exception):
    """Base of every error verisum raises on purpose."""

    exit_code = 2


class InputError(VerisumError):
    """A file, path or piece of text the user gave cannot be used."""

    exit_code = 2


class UnsupportedTypeError(InputError):
    """A file whose type verisum does not read."""


class EmptyInputError(InputError):
    """A file or text with nothing in it."""


class DecodeError(InputError):
    """Bytes that are not text in any encoding we accept (binary files)."""


class ConfigError(VerisumError):
    """A setting is missing or invalid."""

    exit_code = 2


class StoreError(VerisumError):
    """The vector store cannot be opened, read or written."""

    exit_code = 2


class EmbeddingMismatchError(StoreError):
    """A collection was built with another embedding model than the one configured."""


class StoreUnavailableError(StoreError):
    """The store cannot be used right now: another verisum process held the embedded store
    past the lock timeout, or the Chroma server stopped answering."""

    exit_code = 5


class NotFoundError(VerisumError):
    """A document id or other named thing does not exist."""

    exit_code = 2


class ModelError(VerisumError):
    """The model endpoint failed: unreachable, timed out, rate-limited, or invalid output."""

    exit_code = 3


class EndpointError(ModelError):
    """The endpoint could not be reached or answered with an HTTP error after retries."""


class InvalidOutputError(ModelError):
    """The model's reply did not validate after the allowed re-asks."""


NO_MODEL_TEXT_EXIT = 4  # summarize/ask: output printed, but the model wrote none of it
