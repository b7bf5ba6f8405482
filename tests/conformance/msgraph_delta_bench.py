"""Times Microsoft's msgraph-sdk for Python (unmodified) enumerating calendarView delta of each of
a mailbox's calendars, first call to deltaLink, as crates/quick3-cli/tests/it/side_by_side.rs asks:
    python msgraph_delta_bench.py INFO.json
INFO: {"graph", "ca_cert", "token", "user", "calendars": [ids], "from", "to", "page_size"}.
Prints one JSON line: {"items", "pages", "seconds"} (seconds: the enumeration only, after imports
and client construction, so the SDK is not charged for Python's start-up)."""
import asyncio
import json
import sys
import time

import httpx
from kiota_abstractions.authentication import (AccessTokenProvider, AllowedHostsValidator,
                                               BaseBearerTokenAuthenticationProvider)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as sdk_middleware_options
from msgraph.generated.users.item.calendars.item.calendar_view.delta.delta_request_builder import \
    DeltaRequestBuilder
from msgraph_core import GraphClientFactory


class StaticToken(AccessTokenProvider):
    def __init__(self, token):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator(["127.0.0.1"])


async def main(info):
    auth = BaseBearerTokenAuthenticationProvider(StaticToken(info["token"]))
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=info["ca_cert"]), options=sdk_middleware_options)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = info["graph"]
    client = GraphServiceClient(request_adapter=adapter)
    user = client.users.by_user_id(info["user"])
    items = pages = 0
    started = time.perf_counter()
    for calendar in info["calendars"]:
        delta = user.calendars.by_calendar_id(calendar).calendar_view.delta
        query = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            start_date_time=info["from"], end_date_time=info["to"])
        config = RequestConfiguration(query_parameters=query)
        config.headers.add("Prefer", f"odata.maxpagesize={info['page_size']}")
        page = await delta.get(request_configuration=config)
        # The links carry the window; only the page size goes with each call.
        following = RequestConfiguration()
        following.headers.add("Prefer", f"odata.maxpagesize={info['page_size']}")
        while True:
            pages += 1
            items += len(page.value or [])
            if page.odata_delta_link or not page.odata_next_link:
                break
            page = await delta.with_url(page.odata_next_link).get(request_configuration=following)
    seconds = time.perf_counter() - started
    print(json.dumps({"items": items, "pages": pages, "seconds": seconds}))


if __name__ == "__main__":
    with open(sys.argv[1]) as file:
        asyncio.run(main(json.load(file)))
