"""The web studio: the assistant, the storyboard, the timeline and the elements in a local page.

``storycore serve DIR`` runs :func:`storycore.agent.web.app.create_app` with uvicorn. The page
talks to the same :class:`~storycore.agent.session.Session` and graph as ``storycore chat``;
its JSON API is described in ``docs/web-studio.md``.
"""
