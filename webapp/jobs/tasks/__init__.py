"""The RQ job functions, run in the worker process: one module per kind of Activity (provision, release, move,
replace, webhooks with its listing walk, number health, test calls, the health sweep, emergency
addresses) and the scheduled
jobs that belong to none (`scheduled`, `fleet_gauges`). RQ imports them by dotted path
(`enqueue/queue.py`)."""
