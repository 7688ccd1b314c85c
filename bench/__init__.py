"""Switchboard's benchmarks: `make bench` (all), `make bench QUICK=1` (a quick pass under 3 minutes)."""
