"""ComfyUI: the client (HTTP + WebSocket), workflow templates filled by node role, the
configuration (comfyui.yaml) and the render backend for ``storycore produce --backend comfyui``.
See docs/comfyui.md."""
