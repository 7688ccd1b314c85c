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


@dataclass(frozen=True)
class PageAsked:
    """The page a request asks for: `PageSize`, `Page`, and the SID its `PageToken` names (read after it)."""

    size: int
    page: int
    after: str | None


def page_asked(args: Mapping[str, str]) -> PageAsked:
    """Return the page `PageSize`, `Page` and `PageToken` ask for."""
    token = args.get("PageToken", "")
    return PageAsked(
        size=page_size(args),
        page=int(args["Page"]) if args.get("Page", "").isdigit() else 0,
        after=token[len(TOKEN_PREFIX) :] if token.startswith(TOKEN_PREFIX) else None,
    )


def cut_page(records: Sequence[dict[str, Any]], args: Mapping[str, str]) -> Page:
    """Return the page of `records` that `args` ask for (`page_asked`)."""
    asked = page_asked(args)
    start = asked.page * asked.size
    if asked.after is not None:
        start = next((i + 1 for i, r in enumerate(records) if r["sid"] == asked.after), len(records))
    end = start + asked.size
    chosen = records[start:end]
    return Page(chosen, start, asked.page, asked.size, has_more=bool(chosen) and end < len(records))


def read_page(asked: PageAsked, read: Callable[[int, int], Sequence[dict[str, Any]]]) -> Page:
    """Return the page `asked` of a list read in order by `read(offset, limit)` (the offset is unused
    after a page token): one record more than the page tells whether another follows."""
    records = read(asked.page * asked.size, asked.size + 1)
    chosen = records[: asked.size]
    return Page(chosen, asked.page * asked.size, asked.page, asked.size, has_more=len(records) > asked.size)


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
    return v2010_answer(key, cut_page(records, request.args), filters, render)


def v2010_answer(
    key: str,
    page: Page,
    filters: Mapping[str, str],
    render: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> dict[str, Any]:
    """Return `page` as a 2010 API list page under `key`, the URIs relative to the host."""
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
