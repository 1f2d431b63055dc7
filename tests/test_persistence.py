"""Conversations kept by URL, on SQLite (the project's own file) and on PostgreSQL.

The PostgreSQL cases run against ``STORYCORE_TEST_POSTGRES_URL`` (``.ci/run`` starts a
server and sets it); without it they skip and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycore.agent.context import Context
from storycore.agent.persistence import URL_VARIABLE, describe_url, open_checkpoints
from storycore.agent.session import PROJECT_ID, Session
from storycore.tools.errors import InvalidInput, NotFound
from storycore.tools.project import INTERNAL

from .fake_chat import SHORT_FILM

OFFLINE = Context.from_env(offline=True)
HAIR = "GaBy's hair should be blonde curly"
POSTGRES_URL = os.environ.get("STORYCORE_TEST_POSTGRES_URL", "")
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgres"])
def checkpoint_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The backend of this test: '' (SQLite in the project) or the test PostgreSQL server."""
    if request.param == "sqlite":
        yield ""
        return
    if not POSTGRES_URL:
        pytest.skip("STORYCORE_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server)")
    yield POSTGRES_URL


def session(root: Path, url: str, **options: object) -> Session:
    return Session(root, context=OFFLINE, checkpoint_url=url, **options)


def test_a_pending_question_is_resumed_by_id_from_a_new_session(
    film: Path, checkpoint_url: str
) -> None:
    with session(film, checkpoint_url) as first:
        asked = first.say(HAIR).interrupt
        assert asked is not None and first.thread_id == "main"

    with session(film, checkpoint_url, thread_id="main") as again:
        assert again.pending() == asked
        assert again.resume("approve").interrupt is None
    with session(film, checkpoint_url) as last:
        assert last.thread_id == "main" and last.pending() is None


def test_projects_sharing_a_database_do_not_see_each_others_threads(
    film: Path, tmp_path: Path, checkpoint_url: str
) -> None:
    # Before: every project's first thread was "main" in one namespace: on a shared
    # database, project B resumed project A's pending question.
    shared = checkpoint_url or f"sqlite:///{tmp_path / 'shared.sqlite'}"
    other = Path(shutil.copytree(film, tmp_path / "other"))
    with session(film, shared) as a:
        assert a.say(HAIR).interrupt is not None

    with session(other, shared) as b:
        assert b.thread_id == "main" and not b.started
        assert b.pending() is None
        assert b.threads() == []
    with pytest.raises(NotFound, match="known threads: none yet"):
        session(other, shared, thread_id="main")


def test_a_copied_project_starts_its_own_conversations(
    film: Path, tmp_path: Path, checkpoint_url: str
) -> None:
    with session(film, checkpoint_url) as a:
        a.say(HAIR)
    copy = Path(shutil.copytree(film, tmp_path / "copy"))

    with session(copy, checkpoint_url) as b:
        assert b.threads() == [] and b.pending() is None
        b.say("make shot 2 a close-up")
    original = (film / INTERNAL / PROJECT_ID).read_text(encoding="utf-8")
    assert original != (copy / INTERNAL / PROJECT_ID).read_text(encoding="utf-8")
    with session(film, checkpoint_url) as a:
        assert a.threads() == ["main"] and a.pending() is not None


def test_threads_are_listed_from_the_checkpoints(film: Path, checkpoint_url: str) -> None:
    with session(film, checkpoint_url) as s:
        s.say(HAIR)
    with session(film, checkpoint_url, new=True) as s:
        assert s.thread_id == "main-2"
        s.say("remove shot 2")

    with session(film, checkpoint_url) as s:
        assert s.threads() == ["main", "main-2"]
        assert s.thread_id == "main-2"  # the last one used


@pytest.mark.slow
def test_another_process_resumes_the_thread(film: Path, checkpoint_url: str) -> None:
    with session(film, checkpoint_url) as s:
        assert s.say(HAIR).interrupt is not None

    env = {**os.environ, URL_VARIABLE: checkpoint_url}
    code = (
        "import sys; from storycore.agent.context import Context; "
        "from storycore.agent.session import Session; "
        "s = Session(sys.argv[1], thread_id='main', context=Context.from_env(offline=True)); "
        "print(s.resume('approve').messages[-1]); s.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(film)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Applied: char_gaby: hair -> blonde curly")


def test_the_url_comes_from_the_environment(
    film: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "elsewhere.sqlite"
    monkeypatch.setenv(URL_VARIABLE, f"sqlite:///{database}")

    with Session(film, context=OFFLINE) as s:
        s.plan(SHORT_FILM.read_text(encoding="utf-8"), source_name=SHORT_FILM.name)

    assert database.is_file()
    assert not (film / INTERNAL / "checkpoints.sqlite").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "not a checkpoint URL"),
        ("postgresql://storycore:s3cret@127.0.0.1:1/nothing", "cannot connect"),
    ],
)
def test_a_bad_url_is_one_clear_error(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        open_checkpoints(url, tmp_path / INTERNAL)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / INTERNAL).exists()


def test_urls_are_shown_without_their_password() -> None:
    assert describe_url("postgresql://me:pw@db:5432/x") == "postgresql://me@db:5432/x"
