"""Every change to rights requests. For now all of it is in `intake`; the next change splits it by domain."""

from .intake import *  # noqa: F403
