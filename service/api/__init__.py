"""The HTTP edge: FastAPI app, routers, schemas and streaming; it only translates the core."""
