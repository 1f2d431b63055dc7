"""Production: render jobs, the render ledger, backends (animatic, ComfyUI), the media gate and
assembly of segments and the film. See docs/production.md."""
