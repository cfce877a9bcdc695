"""The web console (DESIGN §4.6): Starlette + Jinja2, served inside ``gateway serve``."""
