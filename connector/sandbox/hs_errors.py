"""HubSpot's error bodies, and the exception a sandbox route raises to answer with one.

Shapes follow HubSpot's error-handling page (developers.hubspot.com/docs/api-reference/error-handling):
`{status: "error", message, correlationId, category, errors?: [{message, code, context, in}], context?, links?}`.
Where a body's exact wording is not documented it is marked [U] (decided here, unverified).
"""

from __future__ import annotations

import json
import uuid

AUTH_MESSAGE = (
    # [V] verbatim from real 401 bodies quoted in HubSpot/hubspot-api-nodejs#148 and #432.
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
    "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
SCOPES_MESSAGE = (
    # [V] HubSpot/hubspot-api-nodejs#268 and #50.
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes "
    "here: https://developers.hubspot.com/scopes."
)
SCOPES_LINK = "https://developers.hubspot.com/scopes"
RATE_LIMIT_MESSAGES = {
    # [V] usage-guidelines example and hubspot-api-python#117; SECONDLY is the older per-second policy.
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "DAILY": "You have reached your daily limit.",
    "SECONDLY": "You have reached your secondly limit.",
}
FAULT_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    409: "CONFLICT",
    414: "URI_TOO_LONG",
}


def correlation_id() -> str:
    """A fresh correlation id, as HubSpot puts in every error body."""
    return str(uuid.uuid4())


def error_body(message: str, category: str, *, errors: list | None = None, context: dict | None = None,
               sub_category: str | None = None, links: dict | None = None) -> dict:
    """HubSpot's common error envelope."""
    body: dict = {"status": "error", "message": message, "correlationId": correlation_id(), "category": category}
    if sub_category:
        body["subCategory"] = sub_category
    if context:
        body["context"] = context
    if errors:
        body["errors"] = errors
    if links:
        body["links"] = links
    return body


class ApiError(Exception):
    """Raised by a route to answer `status` with a HubSpot error body."""

    def __init__(self, status: int, body: dict, headers: dict | None = None):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers or {}


def validation(message: str, *, errors: list | None = None, context: dict | None = None,
               sub_category: str | None = None) -> ApiError:
    """400 VALIDATION_ERROR."""
    return ApiError(400, error_body(message, "VALIDATION_ERROR", errors=errors, context=context,
                                    sub_category=sub_category))


def not_found(message: str, context: dict | None = None) -> ApiError:
    """404 OBJECT_NOT_FOUND."""
    return ApiError(404, error_body(message, "OBJECT_NOT_FOUND", context=context))


def conflict(message: str, category: str = "OBJECT_ALREADY_EXISTS") -> ApiError:
    """409 for a duplicate definition. [U] category and wording for properties and groups."""
    return ApiError(409, error_body(message, category))


def unauthenticated() -> ApiError:
    """401 INVALID_AUTHENTICATION [V]."""
    return ApiError(401, error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION"))


def missing_scopes(required: list[str]) -> ApiError:
    """403 MISSING_SCOPES with errors[0].context.requiredScopes [V nodejs#268]."""
    detail = {"message": "One or more of the following scopes are required.",
              "context": {"requiredScopes": sorted(required)}}
    return ApiError(403, error_body(SCOPES_MESSAGE, "MISSING_SCOPES", errors=[detail],
                                    links={"scopes": SCOPES_LINK}))


def rate_limited_body(policy: str, portal_id: int) -> dict:
    """429 body [V]: no `category` key (the SDK's Error model cannot hold it; HubSpot sends it anyway)."""
    return {
        "status": "error",
        "message": RATE_LIMIT_MESSAGES.get(policy, RATE_LIMIT_MESSAGES["TEN_SECONDLY_ROLLING"]),
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "groupName": f"publicapi:private-app-{policy.lower().replace('_', '-')}:{portal_id}",
        "requestId": correlation_id(),
    }


def fault_body(status: int) -> dict:
    """Error body for an injected status fault (429 is built by rate_limited_body)."""
    if status == 401:
        return unauthenticated().body
    if status == 403:
        return missing_scopes(["crm.objects.contacts.read"]).body
    if status >= 500:
        # [U] HubSpot's 5xx bodies vary (some come from Cloudflare as HTML); JSON keeps the envelope.
        return error_body("internal error", "INTERNAL_ERROR")
    return error_body(f"Injected {status} fault", FAULT_CATEGORIES.get(status, "VALIDATION_ERROR"))


def invalid_properties(items: list[dict]) -> ApiError:
    """400 for property values, HubSpot's "Property values were not valid: [...]" [V real bodies in public code].

    Each item: {name, error (code), message}. The v3 CRM APIs also list them in `errors[]` with `code` and
    `context.propertyName` [V error-handling page: "detailed message, code, and context fields"].
    """
    listed = [{"isValid": False, "message": i["message"], "error": i["error"], "name": i["name"],
               "localizedErrorMessage": i["message"]} for i in items]
    errors = [{"message": i["message"], "code": i["error"], "context": {"propertyName": [i["name"]]}}
              for i in items]
    message = "Property values were not valid: " + json.dumps(listed, separators=(",", ":"))
    return validation(message, errors=errors)


def standard_error(category: str, message: str, context: dict, sub_category: str | None = None) -> dict:
    """One entry of a 207 body's `errors[]`.

    Real bodies carry status/category/message/context [V public fixtures]; the SDK's StandardError model
    also requires `links` and `errors`, so they are sent empty to keep the SDK able to read the body.
    """
    item = {"status": "error", "category": category, "message": message, "context": context,
            "links": {}, "errors": []}
    if sub_category:
        item["subCategory"] = sub_category
    return item


def batch_too_large(count: int, limit: int) -> ApiError:
    """400 for a batch over its input limit. [U] exact wording."""
    return validation(f"Batch input limit exceeded: {count} inputs given, at most {limit} allowed.",
                      context={"limit": [str(limit)]})


class HtmlBody(str):
    """A body answered as `text/html` (an edge page), not JSON."""


REASONS = {414: "Request-URI Too Large", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def html_page(status: int) -> HtmlBody:
    """An error page as HubSpot's edge sends it (Cloudflare fronts api.hubapi.com).

    [U] The shape is Cloudflare's plain nginx-style page (title, h1, "cloudflare" footer); HubSpot's exact pages
    are not documented. Cloudflare's big "Error 52x / Ray ID" page is also HTML: a client must not parse either.
    """
    reason = REASONS.get(status, "Error")
    return HtmlBody(f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} "
                    f"{reason}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n")
