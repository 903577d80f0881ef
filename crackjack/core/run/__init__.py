"""The run and its events: the plan, the engine, the event bus, results and their JSON form."""
