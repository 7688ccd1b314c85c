"""What the tests and the benchmarks both need, owned by neither: the services they run on and the
processes they start.

- `testing_env`: where the tests and benchmarks find their services (`TEST_DATABASE_URL`, ...).
- `services`: free ports, an unreachable Redis URL, keeping the developer's `.env` out.
- `database`: a fresh schema on the app's database.
- `waits`: bounded waits on a condition, an Activity, or the whole queue.
- `processes`: the process tree below a pid, SIGKILL without a fuss.
- `sandbox`, `workers`, `prism`, `gunicorn`: the local Twilio sandbox, RQ workers, a Prism mock of Twilio's
  spec and the console under gunicorn, each as a subprocess.
- `web`: a CSRF token, signing in through the real form, the console's filter and sort arguments.

Importable from the project root (where `make test` and `make bench` run), like `tests/` and `bench/`; it is
not part of the installed `webapp` distribution.
"""
