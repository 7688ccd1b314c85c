"""Twilio's two paging styles over a list of records: the 2010 API's (`next_page_uri` beside the records)
and Monitor v1's (`meta` with absolute `next_page_url`). Both follow a `PageToken` naming the last record
of the page before, so records added during a walk do not shift it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request

from webapp.sandbox.numbers import page_size

TOKEN_PREFIX = "PA"


@dataclass(frozen=True)
class Page:
    """One page of records and where it sits in the whole list."""

    records: Sequence[dict[str, Any]]
    start: int
    page: int
    size: int
    has_more: bool


def cut_page(records: Sequence[dict[str, Any]], args: Mapping[str, str]) -> Page:
    """Return the page `PageSize`, `Page` and `PageToken` ask for (token: after that record's SID)."""
    size = page_size(args)
    page = int(args["Page"]) if args.get("Page", "").isdigit() else 0
    token = args.get("PageToken", "")
    if token.startswith(TOKEN_PREFIX):
        after = token[len(TOKEN_PREFIX) :]
        start = next((i + 1 for i, record in enumerate(records) if record["sid"] == after), len(records))
    else:
        start = page * size
    chosen = records[start : start + size]
    return Page(chosen, start, page, size, has_more=bool(chosen) and start + size < len(records))


def page_links(base: str, filters: Mapping[str, str], page: Page) -> Callable[..., str]:
    """Return `link(number, token=None)`: the URI of page `number` of the list at `base`, with its filters."""

    def link(number: int, token: str | None = None) -> str:
        query = {**filters, "PageSize": page.size, "Page": number}
        if token:
            query["PageToken"] = token
        return f"{base}?{urlencode(query)}"

    return link


def next_token(page: Page) -> str:
    """Return the token of the page after `page`."""
    return TOKEN_PREFIX + page.records[-1]["sid"]


def v2010_page(
    key: str,
    records: Sequence[dict[str, Any]],
    filters: Mapping[str, str],
    render: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> dict[str, Any]:
    """Return a 2010 API list page of `records` under `key`, the URIs relative to the host."""
    page = cut_page(records, request.args)
    uri = page_links(request.path, filters, page)
    return {
        "end": page.start + max(len(page.records) - 1, 0),
        "first_page_uri": uri(0),
        key: [render(record) for record in page.records],
        "next_page_uri": uri(page.page + 1, next_token(page)) if page.has_more else None,
        "page": page.page,
        "page_size": page.size,
        "previous_page_uri": uri(page.page - 1) if page.page > 0 else None,
        "start": page.start,
        "uri": uri(page.page, request.args.get("PageToken")),
    }


def v1_page(
    key: str,
    records: Sequence[dict[str, Any]],
    filters: Mapping[str, str],
    render: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> dict[str, Any]:
    """Return a Monitor v1 list page of `records` under `key`, with `meta` and absolute URLs."""
    page = cut_page(records, request.args)
    url = page_links(request.host_url.rstrip("/") + request.path, filters, page)
    return {
        key: [render(record) for record in page.records],
        "meta": {
            "first_page_url": url(0),
            "key": key,
            "next_page_url": url(page.page + 1, next_token(page)) if page.has_more else None,
            "page": page.page,
            "page_size": page.size,
            "previous_page_url": url(page.page - 1) if page.page > 0 else None,
            "url": url(page.page, request.args.get("PageToken")),
        },
    }
