"""Pushing to receivers: WebSub pings and webhooks, through a durable outbox (contract
sections 5 and 8). The build plans what each receiver should get (`plan`), the outbox keeps it
across restarts (`outbox`), and a deliverer beside the watcher sends it (`deliver`)."""
