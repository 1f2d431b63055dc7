"""``--backend comfyui``: the ComfyUI render backend, found here by the producer.

The implementation lives in storycore.tools.comfyui.backend (docs/comfyui.md)."""

from storycore.tools.comfyui.backend import ComfyUIBackend

__all__ = ["ComfyUIBackend"]
