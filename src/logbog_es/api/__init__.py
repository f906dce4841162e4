"""The HTTP interface: FastAPI app factory, routers, authentication, problem+json errors."""
