"""ComfyUI: the client (HTTP + WebSocket), workflow templates filled by node role, the
configuration (comfyui.yaml) and the render backend for ``storycore produce --backend comfyui``.
See docs/comfyui.md.

The modules: :mod:`.client` (``ComfyClient``, HTTP and WebSocket) with :mod:`.answers` (its
errors, statuses, output files and prompt ids); :mod:`.workflow` (templates filled by node
role, checked against a server); :mod:`.config` (comfyui.yaml); :mod:`.references` (the
elements' reference images); :mod:`.backend` (``ComfyUIBackend``, the Backend protocol) with
:mod:`.scheduler` (our queue, one worker per server) and :mod:`.rendering` (keyframe, clip,
the files fitted to size).
"""
