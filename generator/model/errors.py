"""The errors that stop a build as a whole; the command prints them in one line, without a traceback.

Defined here, below every stage, so a stage that finds such a fault (downloads: an unreadable
--previous) raises the build's own error without importing the build.
"""


class BuildError(RuntimeError):
    """The build cannot go on: the register or the data package as a whole is unreadable."""
