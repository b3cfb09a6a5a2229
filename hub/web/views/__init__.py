"""View models: what the pages show, arranged from what the services read."""
