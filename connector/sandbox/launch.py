"""Starting an ATS sandbox for `connector demo` and `connector sandbox`, and the settings that point at it."""

from __future__ import annotations

from dataclasses import replace


def start_ats(kind: str, settings, *, port: int = 0, seed: bool = True):
    """(started server or None, settings pointing at it) for ATS kind recruitee | greenhouse | none."""
    if kind == "recruitee":
        from .recruitee import RecruiteeSandbox
        server = RecruiteeSandbox(port=port, seed=seed).start()
        return server, replace(settings, ats_kind="recruitee", recruitee_api_token=server.token,
                               recruitee_company_id=server.company_id, recruitee_base_url=server.url)
    if kind == "greenhouse":
        from .greenhouse import GreenhouseSandbox
        server = GreenhouseSandbox(port=port, seed=seed).start()
        return server, replace(settings, ats_kind="greenhouse", greenhouse_client_id=server.client_id,
                               greenhouse_client_secret=server.client_secret, greenhouse_base_url=server.url,
                               greenhouse_auth_url=server.url, greenhouse_boards_url=server.url,
                               greenhouse_board_token=server.board_token)
    return None, replace(settings, ats_kind="none")


def banner(kind: str, server) -> str:
    """The settings line printed by `connector sandbox --ats KIND`."""
    if kind == "recruitee":
        return (f"Recruitee sandbox on {server.url}  ATS_KIND=recruitee  RECRUITEE_BASE_URL={server.url}  "
                f"RECRUITEE_COMPANY_ID={server.company_id}  RECRUITEE_API_TOKEN={server.token}")
    return (f"Greenhouse sandbox on {server.url}  ATS_KIND=greenhouse  GREENHOUSE_BASE_URL={server.url}  "
            f"GREENHOUSE_AUTH_URL={server.url}  GREENHOUSE_BOARDS_URL={server.url}  "
            f"GREENHOUSE_BOARD_TOKEN={server.board_token}  GREENHOUSE_CLIENT_ID={server.client_id}  "
            f"GREENHOUSE_CLIENT_SECRET={server.client_secret}")
