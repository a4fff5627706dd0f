"""OAuth2 client credentials (RFC 6749 §4.4), as Open edX's LMS issues them.

`HttpClient` only GETs, and a token request is one POST per run, so it gets
its own short-lived session here, with the same timeouts and a few retries of
its own. The secret comes from `SourceConfig.secrets` and never appears in an
error message.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp

from connectors.base import ConnectorError
from connectors.http import RETRY_STATUSES, HttpPolicy


class TokenError(ConnectorError):
    """The token endpoint refused the credentials or kept failing."""


@dataclass(frozen=True)
class Token:
    value: str
    kind: str  # the scheme for the Authorization header ("JWT", "Bearer")
    expires_at: float  # time.monotonic() deadline

    @property
    def header(self) -> dict[str, str]:
        return {"Authorization": f"{self.kind} {self.value}"}

    def fresh(self, margin_s: float = 30.0) -> bool:
        return time.monotonic() < self.expires_at - margin_s


async def client_credentials(
    token_url: str,
    client_id: str,
    client_secret: str,
    policy: HttpPolicy,
    *,
    token_type: str = "jwt",
) -> Token:
    """A token for (client_id, client_secret); `TokenError` when refused.

    `token_type=jwt` is Open edX's extension: the LMS then issues a JWT, which
    course-discovery requires (`Authorization: JWT <token>`).
    """
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "token_type": token_type,
    }
    timeout = aiohttp.ClientTimeout(
        total=policy.timeout_s, sock_connect=policy.connect_timeout_s
    )
    last = "no attempt"
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for attempt in range(1, policy.attempts + 1):
            if attempt > 1:
                await asyncio.sleep(
                    min(
                        policy.backoff_max_s, policy.backoff_base_s * 2 ** (attempt - 2)
                    )
                )
            try:
                async with session.post(token_url, data=form) as resp:
                    status = resp.status
                    payload = (
                        await resp.json(content_type=None) if status < 500 else None
                    )
            except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
                last = f"{exc.__class__.__name__}"
                continue
            if status in RETRY_STATUSES:
                last = f"HTTP {status}"
                continue
            if status != 200 or not isinstance(payload, dict):
                error = payload.get("error") if isinstance(payload, dict) else None
                raise TokenError(
                    f"token request to {token_url} refused: HTTP {status}"
                    + (f" ({error})" if error else "")
                )
            value = payload.get("access_token")
            if not isinstance(value, str) or not value:
                raise TokenError(f"token response from {token_url} has no access_token")
            expires = payload.get("expires_in")
            lifetime = float(expires) if isinstance(expires, int | float) else 3600.0
            kind = str(payload.get("token_type") or token_type).upper()
            kind = "Bearer" if kind == "BEARER" else kind
            return Token(value, kind, time.monotonic() + lifetime)
    raise TokenError(
        f"token request to {token_url} failed after {policy.attempts} "
        f"attempt(s): {last}"
    )
