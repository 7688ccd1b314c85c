"""What a web request or a command reads in its own process, without a job: numbers for sale (and where
to look when an area code has none), number prices, a number's cached health and its report, a job's
progress steps, numbers bought at Twilio that no row records (which a command may adopt), and the queue
at a glance.
"""
