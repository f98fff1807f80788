"""The baseline for scripts/bench: a bare Litestar endpoint under the same uvicorn settings as Linli."""

from litestar import Litestar, MediaType, post


@post("/bare", media_type=MediaType.HTML, status_code=200)
async def bare() -> str:
    return '<span class="live-count">附议 1 / 10</span>'


app = Litestar(route_handlers=[bare])
