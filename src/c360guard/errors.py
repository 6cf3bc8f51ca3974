"""The error tree: every error c360guard raises on purpose derives from C360GuardError."""

from __future__ import annotations


class C360GuardError(Exception):
    """Root of every error c360guard raises on purpose."""


class ContractError(C360GuardError, ValueError):
    """A contract is malformed: names the source, the key path and what was expected."""

    def __init__(self, problems: list[str], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"invalid contract{where}:\n{lines}\n"
            "Fix the keys above and load the contract again; nothing was applied."
        )


class ProfileError(C360GuardError, ValueError):
    """A profile (JSON document or table row) is malformed."""


class AuthorityError(C360GuardError, ValueError):
    """An authority was asked for above the contract's ceiling."""


class ReviewError(C360GuardError):
    """A review operation cannot be carried out (unknown ticket, already decided...)."""


class UnknownTicketError(ReviewError, LookupError):
    """No review ticket has the id asked for."""


class TicketDecidedError(ReviewError):
    """The ticket was already decided (or run): a second decision never overwrites the first."""


class ReviewStoreError(ReviewError):
    """The review or pause store cannot be opened or written (bad path or DSN, server down)."""


class PausedError(C360GuardError):
    """An operation needs a running workflow, and the workflow is paused."""


class IntegrationError(C360GuardError, ValueError):
    """A LangChain tool, retriever or agent cannot be guarded as configured."""


class MissingExtraError(C360GuardError, ImportError):
    """An optional feature was used without the extra that installs what it needs."""

    def __init__(self, feature: str, extra: str, missing: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs {missing}, which is not installed; "
            f"install it with: pip install 'c360guard[{extra}]'"
        )


class CassetteError(C360GuardError):
    """A recorded session (cassette) is missing, unreadable or cannot be replayed."""


class AuditLogError(C360GuardError):
    """An audit log cannot be read or written (bad path, permissions, not an audit log)."""


class TableError(ProfileError):
    """A table of profiles (long layout) cannot be read: names the column and the row count."""
