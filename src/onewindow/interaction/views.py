"""Pages of the hotline: residents, operators, dispatchers and departments."""
