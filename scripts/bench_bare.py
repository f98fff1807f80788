"""The baseline for scripts/bench: a bare Litestar endpoint under the same uvicorn settings as Linli."""

from litestar import Litestar, MediaType, get, post


@post("/bare", media_type=MediaType.HTML, status_code=200)
async def bare() -> str:
    return '<span class="live-count">附议 1 / 10</span>'


@get("/bare", media_type=MediaType.HTML, status_code=200)
async def bare_page() -> str:
    return "<ul>" + "".join(f"<li>公告 {n}</li>" for n in range(20)) + "</ul>"


app = Litestar(route_handlers=[bare, bare_page])
