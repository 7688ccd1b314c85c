"""How a job runs inside the worker process: the jobs' app (`runtime`), running an Activity with retries
(`runner`, `tracking`, `failures`), saving its steps (`saving`), sending a batch's Twilio requests side by
side (`side_by_side`), and what we record of a number's state at Twilio (`twilio_state`)."""
