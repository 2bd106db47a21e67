"""User-facing errors: the CLI prints their message (never a traceback) and exits non-zero."""


class PipelineError(Exception):
    """An error the analyst can act on. `exit_code` is what the command returns."""

    exit_code = 2


class InputError(PipelineError):
    """A raw file cannot be read or fails validation."""


class DisclosureError(PipelineError):
    """A table would expose a suppressed cell; the paper is not produced."""

    exit_code = 3


class PublicationError(PipelineError):
    """A public output failed the publication check."""

    exit_code = 4
