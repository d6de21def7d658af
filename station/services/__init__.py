"""Use cases, one module each. Services take a unit of work and an Actor and return frozen results."""
