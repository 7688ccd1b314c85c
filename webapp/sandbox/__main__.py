"""`python -m webapp.sandbox [OPTIONS]`: the sandbox without the Flask app (see `cli.py`)."""

from webapp.sandbox.cli import twilio_sandbox_command

if __name__ == "__main__":
    twilio_sandbox_command(prog_name="python -m webapp.sandbox")
