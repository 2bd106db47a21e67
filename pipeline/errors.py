"""User-facing errors: the CLI prints their message (never a traceback) and exits non-zero.

Exit codes of ``python -m pipeline <command>`` (docs/faults.md):
  0  done
  1  `where`: no current papers for the period (none yet, or withdrawn); a command given no command
  2  bad input or parameters (a raw file fails validation, params.yaml is wrong, a bad option)
  3  disclosure control: a table would expose a suppressed cell; nothing published
  4  the publication check failed; nothing published, the candidates kept in the restricted folder
  5  out of date: a stage's input does not match the current data (rerun the earlier stage);
     `where`: the papers in reports/<period>/ do not match the inputs
  6  the operating system refused: disk full, permission denied, a missing or dangling path
  70 an internal error (a defect: one line, PIPELINE_DEBUG=1 shows the traceback)
  75 another run holds the lock (pipeline.lock): nothing was done
"""

EXIT_NO_PAPERS = 1
EXIT_STALE = 5
EXIT_OS = 6
EXIT_INTERNAL = 70


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


class StaleError(PipelineError):
    """A stage's input was not built from the current data or parameters."""

    exit_code = EXIT_STALE


def describe_os_error(exc: OSError) -> str:
    """One line naming the path and what the operating system said (pure)."""
    import errno

    path = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        path = f"{path} -> {exc.filename2}"
    hint = {errno.ENOSPC: "the disk is full: free some space and rerun",
            errno.EACCES: "permission denied: check the folder's owner and permissions",
            errno.EPERM: "operation not permitted: check the folder's owner and permissions",
            errno.EROFS: "the file system is read-only",
            errno.ENOENT: "no such file or folder (a dangling symbolic link?)",
            errno.EDQUOT: "the disk quota is exceeded"}.get(exc.errno, exc.strerror or str(exc))
    return f"{path}: {hint}" if path else f"{hint} ({exc})"
