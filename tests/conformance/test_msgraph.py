"""msgraph-sdk (unmodified, Kiota-based) against the emulator's Graph calendar API."""
import asyncio
import datetime

import httpx
import requests
from kiota_abstractions.authentication import (AccessTokenProvider, AllowedHostsValidator,
                                               BaseBearerTokenAuthenticationProvider)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as sdk_middleware_options
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import CalendarViewRequestBuilder
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import DeltaRequestBuilder
from msgraph_core import GraphClientFactory


class StaticToken(AccessTokenProvider):
    def __init__(self, token):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return self.token

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator(["127.0.0.1"])


def graph_client(emulator, token):
    auth = BaseBearerTokenAuthenticationProvider(StaticToken(token))
    # The SDK's own middleware options (its /me URL replacement among them), on a client that
    # trusts the emulator's CA: exactly what GraphRequestAdapter builds when given no client.
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=emulator["ca_cert"]), options=sdk_middleware_options)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = emulator["graph"]
    return GraphServiceClient(request_adapter=adapter)


def window():
    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(days=14)).strftime("%Y-%m-%dT00:00:00Z")
    end = (now + datetime.timedelta(days=14)).strftime("%Y-%m-%dT00:00:00Z")
    return start, end


def test_calendars_and_event_lifecycle(emulator, megan_token):
    async def scenario():
        client = graph_client(emulator, megan_token)
        calendars = await client.me.calendars.get()
        assert [c.name for c in calendars.value] == ["Calendar", "Projects", "Travel"]
        event = Event(
            subject="Conformance check",
            body=ItemBody(content_type=BodyType.Text, content="made by msgraph-sdk"),
            start=DateTimeTimeZone(date_time="2031-02-03T10:00:00", time_zone="W. Europe Standard Time"),
            end=DateTimeTimeZone(date_time="2031-02-03T11:00:00", time_zone="W. Europe Standard Time"),
            transaction_id="conformance-1",
        )
        created = await client.me.calendars.by_calendar_id(calendars.value[1].id).events.post(event)
        assert created.id and created.subject == "Conformance check"
        again = await client.me.calendars.by_calendar_id(calendars.value[1].id).events.post(event)
        assert again.id == created.id, "transactionId makes the retried POST idempotent"
        patched = await client.me.events.by_event_id(created.id).patch(Event(subject="Conformance check (patched)"))
        assert patched.subject == "Conformance check (patched)"
        assert patched.change_key != created.change_key
        fetched = await client.me.events.by_event_id(created.id).get()
        assert fetched.start.date_time.startswith("2031-02-03T09:00:00"), fetched.start
        await client.me.events.by_event_id(created.id).delete()
        events = await client.me.calendars.by_calendar_id(calendars.value[1].id).events.get()
        assert created.id not in [e.id for e in events.value]

    asyncio.run(scenario())


def test_calendar_view_paging(emulator, megan_token):
    async def scenario():
        client = graph_client(emulator, megan_token)
        start, end = window()
        query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=start, end_date_time=end, top=7, select=["subject", "start", "end", "type"])
        page = await client.me.calendar_view.get(request_configuration=RequestConfiguration(query_parameters=query))
        seen, pages = [], 0
        while True:
            pages += 1
            seen.extend(e.id for e in page.value)
            if not page.odata_next_link:
                break
            page = await client.me.calendar_view.with_url(page.odata_next_link).get()
        assert pages > 1, "a month of demo data needs several pages of 7"
        assert len(seen) == len(set(seen)), "no event is repeated across pages"

    asyncio.run(scenario())


def test_delta_to_delta_link_then_sees_an_admin_change(emulator, megan_token):
    async def scenario():
        client = graph_client(emulator, megan_token)
        start, end = window()
        query = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(start_date_time=start, end_date_time=end)
        config = RequestConfiguration(query_parameters=query)
        config.headers.add("Prefer", "odata.maxpagesize=25")
        page = await client.me.calendar_view.delta.get(request_configuration=config)
        first_round = []
        while True:
            first_round.extend(page.value)
            if page.odata_delta_link:
                delta_link = page.odata_delta_link
                break
            assert page.odata_next_link, "every page but the last has a nextLink"
            page = await client.me.calendar_view.delta.with_url(page.odata_next_link).get()
        assert len(first_round) > 25, "the demo mailbox spans several delta pages"

        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
        outlook_event = {
            "subject": "Added in Outlook",
            "start": {"dateTime": when.strftime("%Y-%m-%dT15:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": when.strftime("%Y-%m-%dT16:00:00"), "timeZone": "UTC"},
        }
        added = requests.post(emulator["admin"] + "/users/megan.bowen@contoso.example/events", json=outlook_event,
                              verify=emulator["ca_cert"])
        assert added.status_code == 201, added.text
        changes = await client.me.calendar_view.delta.with_url(delta_link).get()
        assert [e.subject for e in changes.value] == ["Added in Outlook"]
        assert changes.odata_delta_link

    asyncio.run(scenario())
