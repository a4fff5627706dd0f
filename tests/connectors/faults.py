"""Request faults every paged connector is tested against (one spec each kind).

Page-scoped where a page is named, so a run still completes; `slow` outlasts a
client whose timeout is 0.4 s, so it is a timeout that is retried.
"""

PAGED_REQUEST_FAULTS = [
    "error500:every=2",
    "rate429:every=3:retry_after=0",
    "html200:page=2:times=2",
    "truncate:page=1:times=1",
    "reset:page=2:times=1",
    "slow:delay=0.6:page=2:times=1",
]
