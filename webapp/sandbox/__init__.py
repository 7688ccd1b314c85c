"""A local, stateful, Twilio-compatible HTTP server for the parts of the API Switchboard uses.

It lets `make run` and the tests drive the real `twilio` library over real HTTP without an account.
It imports nothing from the rest of `webapp` but `webapp.config`.

Start it with `python -m webapp.sandbox --port 8765 --faults "500=0.2,reset=0.05" --seed 1`
(or `flask --app wsgi twilio-sandbox`), or call `run_sandbox(...)`. Options: `--host`, `--port`,
`--db` (SQLite state file, default `instance/twilio_sandbox.sqlite3`), `--faults` (see `faults.py`),
`--latency-ms`, `--pool-size` (numbers per area code, 0 for none), `--seed`, `--max-concurrency` (answer
Twilio's 429/20429 to requests beyond N in flight; 0, the default, for no cap).

Twilio API, under `/2010-04-01/Accounts/{AccountSid}/`, with HTTP basic auth (account SID, auth token;
otherwise 401 with code 20003), Twilio's form parameters, JSON and error bodies
`{"code", "message", "more_info", "status"}`:

- `GET AvailablePhoneNumbers/US/{Local,TollFree,Mobile}.json` with `AreaCode`, `Contains`, `InRegion`,
  `InPostalCode`, `NearNumber` (and `Distance`), `VoiceEnabled`, `SmsEnabled`, `MmsEnabled`, `PageSize`;
  at most 30 numbers, as Twilio.
- `GET IncomingPhoneNumbers.json` with `FriendlyName`, `PhoneNumber`, `PageSize`, `Page`, `PageToken`.
- `POST IncomingPhoneNumbers.json`: buy by `PhoneNumber` or `AreaCode`, honouring Twilio's magic test
  inputs (see `pool.py`).
- `GET`, `POST`, `DELETE IncomingPhoneNumbers/{Sid}.json`: fetch, update, release (404/20404 after).
- `POST`, `GET Addresses.json` (`CustomerName`, `FriendlyName`, `EmergencyEnabled`, `IsoCountry`), `GET`,
  `POST`, `DELETE Addresses/{Sid}.json`, with Twilio's validation (`addresses.py`). An update's
  `EmergencyAddressSid` registers (or, empty, unregisters) a number's emergency address after a delay
  (`emergency.py`); a number whose emergency address is registered is not released.
- `GET /v1/PhoneNumbers/Countries/US` (Twilio's Pricing API, same credentials): monthly price per number
  type.
- `POST Calls.json`, `GET Calls/{Sid}.json`, `POST Messages.json` (`From` must be an owned number or
  Twilio's magic `+15005550006`). A call to an owned number rings it (`voice.py`): the sandbox requests
  the number's voice URL over HTTP in a background thread (2 s to connect, 5 s to answer) and records an
  inbound call, `completed` on a 2xx answer, otherwise `failed` with an alert (11200 for a refused
  connection, a timeout or a non-2xx answer; 11210 bad host name, 11215 too many redirects, 11217 a 429).
- `GET Calls.json` (`To`, `From`, `Status`, `ParentCallSid`, `StartTime`/`EndTime` with `<`, `>`; newest
  start first, a queued call by its creation, each page read through an index on the start),
  `GET Messages.json` (`To`, `From`, `DateSent` with `<`, `>`), `GET Calls/{Sid}/Events.json` (each
  webhook request of the call and its answer's status and duration); newest first, Twilio's paging.
- When an inbound call to an owned number ends, Twilio's status callback goes to the number's
  `StatusCallback` (`StatusCallbackMethod`), signed as Twilio signs (`X-Twilio-Signature`, keyed with the
  auth token; `status_callback.py`). The faults `callback_drop`, `callback_duplicate` and `callback_delay`
  (with `callback_wait`) drop, repeat or delay them (`faults.py`).
- An update of a number records a Monitor event (`actor_type` `account`, `source` `api`, the changed fields
  as `event_data.resource_properties`).

Monitor v1 under `/v1/` (host `monitor.twilio.com` at Twilio), same auth, ISO 8601 dates, `meta` paging:

- `GET /v1/Alerts` (`LogLevel`, `StartDate`, `EndDate`; no resource filter, as at Twilio), `GET
  /v1/Alerts/{Sid}` (with `request_variables` and `response_body`).
- `GET /v1/Events` (`ResourceSid`, `ActorSid`, `EventType`, `SourceIpAddress`, dates), `GET /v1/Events/{Sid}`.

Control API under `/_sandbox/`, same basic auth, JSON; never counted and never faulted:

- `GET /_sandbox/health` -> `{"pid": N}`: the sandbox is up, and which process answers.
- `GET /_sandbox/faults` -> `{"faults": "500=0.2,...", "latency_ms": 0, "seed": null, "max_concurrency": 0}`.
- `PUT /_sandbox/faults` with any of `{"faults": "...", "latency_ms": N, "seed": N, "max_concurrency": N}`;
  `"faults": ""` turns faults off; giving `seed` restarts the draw from it; `max_concurrency` 0 lifts the cap.
- `GET /_sandbox/stats` -> `{"requests": N, "max_in_flight": M, "429s": K, "callbacks_sent": S,
  "callbacks_failed": F}`: Twilio API requests received, the most in flight at once (latency included),
  the 429s answered (the cap's and injected ones), and the status callbacks sent that got a 2xx answer or
  did not (unreachable or another answer; dropped ones count in neither); `DELETE /_sandbox/stats` starts
  them from zero.
- `GET /_sandbox/requests` -> `{"counts": {"POST /IncomingPhoneNumbers.json": 2, ...}, "total": N}`,
  every Twilio API request received (faulted or not) by method and path template.
- `GET /_sandbox/numbers` -> `{"owned": N, "numbers": [{"sid", "phone_number", "friendly_name"}]}`.
- `POST /_sandbox/numbers/{Sid}` with `{"changes": {"VoiceUrl": "..."}, "actor_sid": "US...",
  "actor_name": "..."}`: change a number as a Console user would (event with `actor_type` `user`, `source`
  `web`). `changes` takes the parameters of Twilio's update: `VoiceUrl`, `VoiceFallbackUrl`, `SmsUrl`,
  `StatusCallback` and their methods, `VoiceApplicationSid` and `TrunkSid` (setting one clears the other,
  as at Twilio; `""` clears either), `FriendlyName`.
- `POST /_sandbox/calls` with `{"to", "from", "status", "duration"}`: an outside caller calls an owned
  number; the call is recorded as ended (`status` default `completed`, `duration` seconds default 0) and
  its status callback sent before the answer, `{"call": {...}, "callback_status": 204}`.
- `POST /_sandbox/alerts` with
  `{"alerts": [{"error_code", "resource_sid", "request_url", "date_generated"}]}`: record alerts in bulk,
  as if Twilio had raised them.
- `GET /_sandbox/emergency`, `PUT /_sandbox/emergency` with any of `{"delay_seconds": 2,
  "fail_registration": false, "fail_unregistration": false, "reason": "..."}`: how emergency-address
  registrations go from now on (a reset of the state restores the defaults).
- `GET /_sandbox/pool`, `PUT /_sandbox/pool` with `{"pool_size": N}`.
- `POST /_sandbox/reset?scope=counts|state|all` (default `all`): clear the counts, the stored numbers,
  calls, messages, alerts, events, addresses and emergency settings, or both.

The server is threaded (a thread per connection), so concurrent requests wait out their latency side by
side. Request counts, statistics, faults, latency, the cap and pool size live in the process; numbers, calls,
messages, alerts and events in the SQLite file, so they survive a restart. Each request is logged as one
line (method, path, status or `reset`, and the fault injected) to the `webapp.sandbox` logger.
"""

from webapp.sandbox.server import run_sandbox

__all__ = ["run_sandbox"]
