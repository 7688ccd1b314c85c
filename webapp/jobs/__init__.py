"""Background jobs on RQ, in rooms by the process that runs them:

- `enqueue/`: web and CLI processes start work here (the console and the CLI import only its front door).
- `reads/`: what a web or CLI process reads in its own process (number search, prices, health reports).
- `tasks/`: the RQ job functions, run in the worker.
- `running/`: how a job runs inside the worker (app, retries, saving, side-by-side Twilio requests).
- `worker.py`: the worker class, started by `flask --app wsgi worker`, which hands it the app.
- `recurring.py`: jobs every worker schedules on RQ's scheduler.

Imports run down this list only: tasks use reads, enqueue and running; reads use enqueue and running;
enqueue uses running; nothing here imports `webapp/__init__.py`. `running/legacy_paths.py` keeps the
job paths of the previous release importable in the worker.
"""
