"""The rotating check-in code: the one on the screen now, or the one just before it; never an older one, and never
another sitting's or shift's."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from backend.config import load_settings
from backend.kernel.codes import CODE_SECONDS, checkin_code, checkin_code_valid
from backend.kernel.personal import PersonalData


def test_a_code_expires_after_the_next_window_and_belongs_to_one_target(tmp_path):
    personal = PersonalData(load_settings(data_dir=tmp_path, database_url="", secret="s"))
    digest = personal.digest
    shift, other = uuid4(), uuid4()
    start = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    code = checkin_code(digest, shift, start)
    assert len(code) == 6 and code.isdigit()
    assert checkin_code_valid(digest, shift, code, start)
    assert checkin_code_valid(digest, shift, f" {code} ", start + timedelta(seconds=CODE_SECONDS))
    assert not checkin_code_valid(digest, shift, code, start + timedelta(seconds=2 * CODE_SECONDS))
    assert not checkin_code_valid(digest, other, code, start) or checkin_code(digest, other, start) == code
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert checkin_code_valid(digest, shift, full_width, start), "typed on a Chinese keyboard"
    assert not checkin_code_valid(digest, shift, "一二三四五六", start)
    personal.close()
