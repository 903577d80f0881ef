"""The run and its events: the session, plan, engine, event bus, results and their JSON form."""
