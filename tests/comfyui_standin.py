"""A protocol-faithful ComfyUI stand-in for the tests (HTTP + WebSocket on 127.0.0.1).

It speaks the routes StoryCore uses as ComfyUI's ``server.py`` does: ``POST /prompt``
(validated against its own ``/object_info`` like ``execution.validate_prompt``: unknown classes
-> 400 ``missing_node_type``; bad links, missing inputs, values not in a list or out of range
-> node errors, 400 when no output is valid, 200 with ``node_errors`` when some are),
``GET /queue``, ``POST /queue`` (delete, clear), ``POST /interrupt``, ``GET /history[/id]``,
``GET /view``, ``POST /upload/image`` (renames unless ``overwrite``), ``GET /object_info``,
``GET /system_stats`` and ``GET /ws?clientId=`` (events only for that client id, never
replayed). Jobs run one at a time and produce real media: PNGs of the latent's size, MP4s of
the requested frame count (snapped like the real nodes snap) made with imageio-ffmpeg.

Faults to simulate: ``fail_class`` (an ``execution_error`` in the first node of that class,
mid-run), ``step_delay`` (slowness), :meth:`restart` (the queue and history are lost, sockets
closed), :meth:`drop_sockets`, :meth:`stop` (the server goes away), ``refuse_prompts``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from PIL import Image, ImageDraw

# ------------------------------------------------------------------ node classes


def _i(default: int, lo: int = 0, hi: int = 2**53, step: int = 1) -> list[Any]:
    return ["INT", {"default": default, "min": lo, "max": hi, "step": step}]


def _f(default: float, lo: float = 0.0, hi: float = 100.0) -> list[Any]:
    return ["FLOAT", {"default": default, "min": lo, "max": hi}]


_S = ["STRING", {"multiline": True}]
SAMPLERS = ["euler", "euler_ancestral", "dpmpp_2m", "uni_pc", "res_multistep"]
SCHEDULERS = ["simple", "normal", "karras", "beta", "sgm_uniform"]
_KS = {
    "seed": _i(0, 0, 2**64 - 1),
    "steps": _i(20, 1, 10000),
    "cfg": _f(8.0, 0.0, 100.0),
    "sampler_name": [SAMPLERS],
    "scheduler": [SCHEDULERS],
}
_VID = {"width": _i(832, 16, 8192, 16), "height": _i(480, 16, 8192, 16)}


def _node(
    required: dict[str, Any],
    outputs: list[str],
    optional: dict[str, Any] | None = None,
    output_node: bool = False,
) -> dict[str, Any]:
    return {
        "input": {"required": required, "optional": optional or {}},
        "output": outputs,
        "output_node": output_node,
    }


def node_classes(models: dict[str, list[str]], inputs: list[str]) -> dict[str, Any]:
    """The /object_info of the stand-in: the classes StoryCore's templates use."""
    combo = {k: [sorted(v)] for k, v in models.items()}
    cond = {"positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "vae": ["VAE"]}
    wan_len = {"length": _i(81, 1, 8192, 4), "batch_size": _i(1, 1, 4096)}
    classes = {
        "CheckpointLoaderSimple": _node(
            {"ckpt_name": combo["checkpoints"]}, ["MODEL", "CLIP", "VAE"]
        ),
        "UNETLoader": _node(
            {
                "unet_name": combo["diffusion_models"],
                "weight_dtype": [["default", "fp8_e4m3fn", "fp8_e5m2"]],
            },
            ["MODEL"],
        ),
        "CLIPLoader": _node(
            {
                "clip_name": combo["text_encoders"],
                "type": [["stable_diffusion", "wan", "ltxv", "flux", "hunyuan_video"]],
            },
            ["CLIP"],
            {"device": [["default", "cpu"]]},
        ),
        "DualCLIPLoader": _node(
            {
                "clip_name1": combo["text_encoders"],
                "clip_name2": combo["text_encoders"],
                "type": [["flux", "hunyuan_video", "hunyuan_video_15", "sdxl"]],
            },
            ["CLIP"],
            {"device": [["default", "cpu"]]},
        ),
        "VAELoader": _node({"vae_name": combo["vae"]}, ["VAE"]),
        "CLIPVisionLoader": _node({"clip_name": combo["clip_vision"]}, ["CLIP_VISION"]),
        "CLIPVisionEncode": _node(
            {"clip_vision": ["CLIP_VISION"], "image": ["IMAGE"], "crop": [["center", "none"]]},
            ["CLIP_VISION_OUTPUT"],
        ),
        "CLIPTextEncode": _node({"text": _S, "clip": ["CLIP"]}, ["CONDITIONING"]),
        "FluxGuidance": _node(
            {"conditioning": ["CONDITIONING"], "guidance": _f(3.5)}, ["CONDITIONING"]
        ),
        "ModelSamplingSD3": _node({"model": ["MODEL"], "shift": _f(3.0)}, ["MODEL"]),
        "EmptyLatentImage": _node(
            {
                "width": _i(512, 16, 16384, 8),
                "height": _i(512, 16, 16384, 8),
                "batch_size": _i(1, 1, 4096),
            },
            ["LATENT"],
        ),
        "EmptySD3LatentImage": _node(
            {
                "width": _i(1024, 16, 16384, 16),
                "height": _i(1024, 16, 16384, 16),
                "batch_size": _i(1, 1, 4096),
            },
            ["LATENT"],
        ),
        "KSampler": _node(
            {
                "model": ["MODEL"],
                **_KS,
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "latent_image": ["LATENT"],
                "denoise": _f(1.0, 0.0, 1.0),
            },
            ["LATENT"],
        ),
        "KSamplerAdvanced": _node(
            {
                "model": ["MODEL"],
                "add_noise": [["enable", "disable"]],
                "noise_seed": _i(0, 0, 2**64 - 1),
                "steps": _KS["steps"],
                "cfg": _KS["cfg"],
                "sampler_name": [SAMPLERS],
                "scheduler": [SCHEDULERS],
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "latent_image": ["LATENT"],
                "start_at_step": _i(0, 0, 10000),
                "end_at_step": _i(10000, 0, 10000),
                "return_with_leftover_noise": [["disable", "enable"]],
            },
            ["LATENT"],
        ),
        "KSamplerSelect": _node({"sampler_name": [SAMPLERS]}, ["SAMPLER"]),
        "LTXVScheduler": _node(
            {
                "steps": _i(30, 1, 10000),
                "max_shift": _f(2.05),
                "base_shift": _f(0.95),
                "stretch": ["BOOLEAN", {"default": True}],
                "terminal": _f(0.1, 0.0, 0.99),
            },
            ["SIGMAS"],
            {"latent": ["LATENT"]},
        ),
        "SamplerCustom": _node(
            {
                "model": ["MODEL"],
                "add_noise": ["BOOLEAN", {"default": True}],
                "noise_seed": _i(0, 0, 2**64 - 1),
                "cfg": _KS["cfg"],
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "sampler": ["SAMPLER"],
                "sigmas": ["SIGMAS"],
                "latent_image": ["LATENT"],
            },
            ["LATENT", "LATENT"],
        ),
        "VAEDecode": _node({"samples": ["LATENT"], "vae": ["VAE"]}, ["IMAGE"]),
        "VAEEncode": _node({"pixels": ["IMAGE"], "vae": ["VAE"]}, ["LATENT"]),
        "FluxKontextImageScale": _node({"image": ["IMAGE"]}, ["IMAGE"]),
        "ReferenceLatent": _node(
            {"conditioning": ["CONDITIONING"]}, ["CONDITIONING"], {"latent": ["LATENT"]}
        ),
        "LoadImage": _node({"image": [sorted(inputs), {"image_upload": True}]}, ["IMAGE", "MASK"]),
        "SaveImage": _node(
            {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]},
            [],
            output_node=True,
        ),
        "CreateVideo": _node(
            {"images": ["IMAGE"], "fps": _f(30.0, 1.0, 120.0)}, ["VIDEO"], {"audio": ["AUDIO"]}
        ),
        "SaveVideo": _node(
            {
                "video": ["VIDEO"],
                "filename_prefix": ["STRING", {"default": "video/ComfyUI"}],
                "format": [["auto", "mp4"]],
                "codec": [["auto", "h264"]],
            },
            [],
            output_node=True,
        ),
        "WanImageToVideo": _node(
            {**cond, **_VID, **wan_len},
            ["CONDITIONING", "CONDITIONING", "LATENT"],
            {"clip_vision_output": ["CLIP_VISION_OUTPUT"], "start_image": ["IMAGE"]},
        ),
        "WanFirstLastFrameToVideo": _node(
            {**cond, **_VID, **wan_len},
            ["CONDITIONING", "CONDITIONING", "LATENT"],
            {
                "clip_vision_start_image": ["CLIP_VISION_OUTPUT"],
                "clip_vision_end_image": ["CLIP_VISION_OUTPUT"],
                "start_image": ["IMAGE"],
                "end_image": ["IMAGE"],
            },
        ),
        "Wan22ImageToVideoLatent": _node(
            {
                "vae": ["VAE"],
                "width": _i(1280, 32, 8192, 32),
                "height": _i(704, 32, 8192, 32),
                **wan_len,
            },
            ["LATENT"],
            {"start_image": ["IMAGE"]},
        ),
        "LTXVImgToVideo": _node(
            {
                **cond,
                "image": ["IMAGE"],
                "width": _i(768, 64, 8192, 32),
                "height": _i(512, 64, 8192, 32),
                "length": _i(97, 9, 8192, 8),
                "batch_size": _i(1, 1, 4096),
                "strength": _f(1.0, 0.0, 1.0),
            },
            ["CONDITIONING", "CONDITIONING", "LATENT"],
        ),
        "LTXVConditioning": _node(
            {
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "frame_rate": _f(25.0, 0.0, 1000.0),
            },
            ["CONDITIONING", "CONDITIONING"],
        ),
        "HunyuanVideo15ImageToVideo": _node(
            {**cond, **_VID, "length": _i(121, 1, 8192, 4), "batch_size": _i(1, 1, 4096)},
            ["CONDITIONING", "CONDITIONING", "LATENT"],
            {"start_image": ["IMAGE"], "clip_vision_output": ["CLIP_VISION_OUTPUT"]},
        ),
        "VHS_VideoCombine": _node(
            {
                "images": ["IMAGE"],
                "frame_rate": _f(8.0, 1.0, 240.0),
                "filename_prefix": ["STRING", {"default": "AnimateDiff"}],
                "format": [["video/h264-mp4", "image/gif"]],
            },
            [],
            output_node=True,
        ),
    }
    return classes


# How each latent-making node snaps what it is given, like the real nodes: (size step, length
# step, which output holds the latent).
_LATENT_NODES = {
    "EmptyLatentImage": (8, 0),
    "EmptySD3LatentImage": (16, 0),
    "WanImageToVideo": (16, 4),
    "WanFirstLastFrameToVideo": (16, 4),
    "HunyuanVideo15ImageToVideo": (16, 4),
    "Wan22ImageToVideoLatent": (32, 4),
    "LTXVImgToVideo": (32, 8),
}
_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom")


class ComfyStandIn:
    """Start with :meth:`start` (or as a context manager); ``url`` is its base URL."""

    def __init__(
        self,
        root: Path,
        models: dict[str, Iterable[str]] | None = None,
        *,
        extra_classes: dict[str, Any] | None = None,
        missing_classes: Iterable[str] = (),
        step_delay: float = 0.0,
        port: int = 0,
    ) -> None:
        self.root = Path(root)
        (self.root / "input").mkdir(parents=True, exist_ok=True)
        (self.root / "output").mkdir(parents=True, exist_ok=True)
        folders = ("checkpoints", "diffusion_models", "text_encoders", "vae", "clip_vision")
        self.models = {k: set((models or {}).get(k, ())) for k in folders}
        self.extra_classes = dict(extra_classes or {})
        self.missing_classes = set(missing_classes)
        self.step_delay = step_delay
        self.fail_class: str | None = None
        self.refuse_prompts = False
        self.port = port
        # Everything below is touched only in the server's event loop.
        self.pending: list[dict[str, Any]] = []
        self.running: dict[str, Any] | None = None
        self.history: dict[str, Any] = {}
        self.sockets: dict[str, set[web.WebSocketResponse]] = {}
        self.posted: list[str] = []  # every prompt id ever accepted (duplicates show)
        self.counter = 0
        self.generation = 0
        self._interrupt: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """The base URL (http://127.0.0.1:PORT)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ComfyStandIn:
        """Serve in a background thread; returns once the port is open."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._serve())
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="comfyui-standin", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the ComfyUI stand-in did not start")
        return self

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        routes = [
            web.get("/ws", self._ws),
            web.post("/prompt", self._prompt),
            web.get("/queue", self._queue),
            web.post("/queue", self._queue_edit),
            web.post("/interrupt", self._interrupt_route),
            web.get("/history", self._history_all),
            web.post("/history", self._history_edit),
            web.get("/history/{prompt_id}", self._history_one),
            web.get("/view", self._view),
            web.post("/upload/image", self._upload),
            web.get("/object_info", self._object_info),
            web.get("/system_stats", self._system_stats),
        ]
        app.add_routes(routes)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._wake = asyncio.Event()
        self._worker = asyncio.get_running_loop().create_task(self._work())

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        """The server goes away: connections are refused from now on."""
        if self._loop is None:
            return

        async def down() -> None:
            if self._worker is not None:
                self._worker.cancel()
            await self._close_sockets()
            if self._runner is not None:
                await self._runner.cleanup()

        with contextlib.suppress(Exception):
            self._call(down())
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def restart(self, *, delay: float = 0.0) -> None:
        """Stop, forget the queue and the history (ComfyUI keeps both in memory), start again."""
        self.stop()
        self.pending, self.running, self.history = [], None, {}
        self.generation += 1
        if delay:
            time.sleep(delay)
        self.start()

    def drop_sockets(self) -> None:
        """Close every WebSocket (the jobs go on)."""
        self._call(self._close_sockets())

    async def _close_sockets(self) -> None:
        for group in list(self.sockets.values()):
            for socket in list(group):
                with contextlib.suppress(Exception):
                    await socket.close()
        self.sockets.clear()

    def __enter__(self) -> ComfyStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def known_ids(self) -> set[str]:
        """Every prompt id the server knows now (pending, running, history)."""
        ids = {p["prompt_id"] for p in self.pending} | set(self.history)
        if self.running:
            ids.add(self.running["prompt_id"])
        return ids

    # ---------------------------------------------------------------- object info

    def object_info(self) -> dict[str, Any]:
        inputs = sorted(p.name for p in (self.root / "input").iterdir() if p.is_file())
        models = {k: sorted(v) for k, v in self.models.items()}
        classes = node_classes(models, inputs)
        classes.update(self.extra_classes)
        for name in self.missing_classes:
            classes.pop(name, None)
        return classes

    async def _object_info(self, request: web.Request) -> web.Response:
        return web.json_response(self.object_info())

    async def _system_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "system": {"comfyui_version": "0.3.99-standin", "python_version": "3.11"},
                "devices": [{"name": "stand-in", "type": "cpu", "vram_total": 0, "vram_free": 0}],
            }
        )

    # ---------------------------------------------------------------- validation

    def _validate(
        self, prompt: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any], list[str]]:
        """(error, node_errors, valid outputs), as execution.validate_prompt decides them."""
        info = self.object_info()
        for node_id, node in prompt.items():
            cls = node.get("class_type") if isinstance(node, dict) else None
            if cls not in info:
                return (
                    {
                        "type": "missing_node_type",
                        "message": f"Node '{cls}' not found. The custom node may not be installed.",
                        "details": f"Node ID '#{node_id}'",
                        "extra_info": {"node_id": node_id, "class_type": cls},
                    },
                    {},
                    [],
                )
        outputs = [nid for nid, n in prompt.items() if info[n["class_type"]].get("output_node")]
        if not outputs:
            return (
                {
                    "type": "prompt_no_outputs",
                    "message": "Prompt has no outputs",
                    "details": "",
                    "extra_info": {},
                },
                {},
                [],
            )
        node_errors: dict[str, Any] = {}
        valid: list[str] = []
        for out in outputs:
            errors: dict[str, list[dict[str, Any]]] = {}
            self._check_node(prompt, info, out, errors, set())
            if errors:
                for nid, errs in errors.items():
                    entry = node_errors.setdefault(
                        nid,
                        {
                            "errors": errs,
                            "dependent_outputs": [],
                            "class_type": prompt[nid]["class_type"],
                        },
                    )
                    entry["dependent_outputs"].append(out)
            else:
                valid.append(out)
        if not valid:
            return (
                {
                    "type": "prompt_outputs_failed_validation",
                    "message": "Prompt outputs failed validation",
                    "details": "",
                    "extra_info": {},
                },
                node_errors,
                [],
            )
        return None, node_errors, valid

    def _check_node(
        self,
        prompt: dict[str, Any],
        info: dict[str, Any],
        nid: str,
        errors: dict[str, list[dict[str, Any]]],
        seen: set[str],
    ) -> None:
        if nid in seen:
            return
        seen.add(nid)
        node = prompt[nid]
        spec = info[node["class_type"]]["input"]
        declared = {**spec.get("required", {}), **spec.get("optional", {})}
        mine: list[dict[str, Any]] = []
        for name in spec.get("required", {}):
            if name not in node["inputs"]:
                mine.append(
                    {
                        "type": "required_input_missing",
                        "message": "Required input is missing",
                        "details": name,
                        "extra_info": {"input_name": name},
                    }
                )
        for name, value in node["inputs"].items():
            if name not in declared:
                continue
            kind = declared[name][0]
            opts = declared[name][1] if len(declared[name]) > 1 else {}
            if isinstance(value, list):
                src = prompt.get(str(value[0])) if len(value) == 2 else None
                src_out = info[src["class_type"]]["output"] if src else []
                if src is None or not isinstance(value[1], int) or value[1] >= len(src_out):
                    mine.append(
                        {
                            "type": "bad_linked_input",
                            "message": "Bad linked input",
                            "details": f"{name}: {value}",
                            "extra_info": {"input_name": name},
                        }
                    )
                    continue
                if isinstance(kind, str) and src_out[value[1]] != kind:
                    mine.append(
                        {
                            "type": "return_type_mismatch",
                            "message": "Return type mismatch between linked nodes",
                            "details": f"{name}, received_type({src_out[value[1]]}) "
                            f"mismatch input_type({kind})",
                            "extra_info": {"input_name": name},
                        }
                    )
                    continue
                self._check_node(prompt, info, str(value[0]), errors, seen)
                continue
            if isinstance(kind, list):
                if value not in kind:
                    shown = ", ".join(map(str, kind[:20]))
                    mine.append(
                        {
                            "type": "value_not_in_list",
                            "message": "Value not in list",
                            "details": f"{name}: '{value}' not in [{shown}]",
                            "extra_info": {"input_name": name, "received_value": value},
                        }
                    )
            elif kind in ("INT", "FLOAT"):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    mine.append(
                        {
                            "type": "invalid_input_type",
                            "message": "Failed to convert an input value",
                            "details": f"{name}, {value!r}",
                            "extra_info": {"input_name": name},
                        }
                    )
                elif "min" in opts and value < opts["min"]:
                    mine.append(
                        {
                            "type": "value_smaller_than_min",
                            "message": f"Value {value} smaller than min of {opts['min']}",
                            "details": name,
                            "extra_info": {"input_name": name},
                        }
                    )
                elif "max" in opts and value > opts["max"]:
                    mine.append(
                        {
                            "type": "value_bigger_than_max",
                            "message": f"Value {value} bigger than max of {opts['max']}",
                            "details": name,
                            "extra_info": {"input_name": name},
                        }
                    )
        if mine:
            errors[nid] = mine

    # ---------------------------------------------------------------- routes

    async def _prompt(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.refuse_prompts:
            return web.json_response({"error": "refusing", "node_errors": {}}, status=503)
        prompt = body.get("prompt")
        if not isinstance(prompt, dict):
            return web.json_response(
                {
                    "error": {
                        "type": "no_prompt",
                        "message": "No prompt provided",
                        "details": "",
                        "extra_info": {},
                    },
                    "node_errors": {},
                },
                status=400,
            )
        prompt_id = str(body.get("prompt_id") or uuid.uuid4())
        error, node_errors, valid = self._validate(prompt)
        if error is not None:
            return web.json_response({"error": error, "node_errors": node_errors}, status=400)
        self.counter += 1
        self.posted.append(prompt_id)
        self.pending.append(
            {
                "number": self.counter,
                "prompt_id": prompt_id,
                "prompt": prompt,
                "extra_data": {"client_id": body.get("client_id")},
                "outputs": valid,
            }
        )
        assert self._wake is not None
        self._wake.set()
        await self._broadcast_status()
        return web.json_response(
            {"prompt_id": prompt_id, "number": self.counter, "node_errors": node_errors}
        )

    @staticmethod
    def _item(job: dict[str, Any]) -> list[Any]:
        return [job["number"], job["prompt_id"], job["prompt"], job["extra_data"], job["outputs"]]

    async def _queue(self, request: web.Request) -> web.Response:
        running = [self._item(self.running)] if self.running else []
        return web.json_response(
            {"queue_running": running, "queue_pending": [self._item(j) for j in self.pending]}
        )

    async def _queue_edit(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clear"):
            self.pending.clear()
        for prompt_id in body.get("delete") or ():
            self.pending = [j for j in self.pending if j["prompt_id"] != prompt_id]
        return web.Response(status=200)

    async def _interrupt_route(self, request: web.Request) -> web.Response:
        body = {}
        with contextlib.suppress(Exception):
            body = await request.json()
        target = body.get("prompt_id") if isinstance(body, dict) else None
        if self.running and (target is None or target == self.running["prompt_id"]):
            self._interrupt = self.running["prompt_id"]
        return web.Response(status=200)

    async def _history_all(self, request: web.Request) -> web.Response:
        return web.json_response(self.history)

    async def _history_edit(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clear"):
            self.history.clear()
        for prompt_id in body.get("delete") or ():
            self.history.pop(prompt_id, None)
        return web.Response(status=200)

    async def _history_one(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry else {})

    async def _view(self, request: web.Request) -> web.StreamResponse:
        kind = request.query.get("type", "output")
        if kind not in ("output", "input", "temp"):
            return web.Response(status=400)
        base = (self.root / kind).resolve()
        path = (
            base / request.query.get("subfolder", "") / request.query.get("filename", "")
        ).resolve()
        if base not in path.parents or not path.is_file():
            return web.Response(status=404)
        return web.FileResponse(path)

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        image = form.get("image")
        if image is None or not hasattr(image, "file"):
            return web.Response(status=400)
        overwrite = str(form.get("overwrite", "")).lower() in ("true", "1")
        subfolder = str(form.get("subfolder", ""))
        folder = self.root / "input" / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        name = Path(image.filename).name
        target = folder / name
        counter = 1
        while target.exists() and not overwrite:
            target = folder / f"{Path(name).stem} ({counter}){Path(name).suffix}"
            counter += 1
        target.write_bytes(image.file.read())
        return web.json_response({"name": target.name, "subfolder": subfolder, "type": "input"})

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=None)
        await socket.prepare(request)
        client_id = request.query.get("clientId") or uuid.uuid4().hex
        self.sockets.setdefault(client_id, set()).add(socket)
        await socket.send_json(
            {"type": "status", "data": {"status": self._status()}, "sid": client_id}
        )
        try:
            async for message in socket:
                if message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                    break
        finally:
            self.sockets.get(client_id, set()).discard(socket)
        return socket

    def _status(self) -> dict[str, Any]:
        return {"exec_info": {"queue_remaining": len(self.pending) + (1 if self.running else 0)}}

    async def _send(self, client_id: str | None, kind: str, data: dict[str, Any]) -> None:
        for socket in list(self.sockets.get(client_id or "", ())):
            with contextlib.suppress(Exception):
                await socket.send_json({"type": kind, "data": data})

    async def _broadcast_status(self) -> None:
        for client_id in list(self.sockets):
            await self._send(client_id, "status", {"status": self._status()})

    # ---------------------------------------------------------------- execution

    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            if not self.pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            job = self.pending.pop(0)
            self.running = job
            generation = self.generation
            try:
                await self._execute(job, generation)
            finally:
                if self.generation == generation:
                    self.running = None
                await self._broadcast_status()

    async def _execute(self, job: dict[str, Any], generation: int) -> None:
        prompt_id, client = job["prompt_id"], job["extra_data"].get("client_id")
        prompt: dict[str, Any] = job["prompt"]
        messages: list[list[Any]] = []

        async def event(kind: str, data: dict[str, Any], record: bool = False) -> None:
            data = {**data, "prompt_id": prompt_id}
            if record:
                messages.append([kind, {**data, "timestamp": int(time.time() * 1000)}])
            await self._send(client, kind, data)

        await event("execution_start", {}, record=True)
        await event("execution_cached", {"nodes": []}, record=True)
        order = self._order(prompt, job["outputs"])
        meta: dict[str, dict[str, Any]] = {}
        outputs: dict[str, Any] = {}
        for nid in order:
            if self.generation != generation:
                return
            node = prompt[nid]
            cls = node["class_type"]
            await event("executing", {"node": nid, "display_node": nid})
            if cls in _SAMPLERS:
                steps = int(node["inputs"].get("steps", 4))
                for step in range(1, steps + 1):
                    if self._interrupt == prompt_id:
                        self._interrupt = None
                        await event(
                            "execution_interrupted",
                            {
                                "node_id": nid,
                                "node_type": cls,
                                "executed": order[: order.index(nid)],
                            },
                            record=True,
                        )
                        self._finish(prompt_id, job, "error", messages, {})
                        return
                    if self.fail_class == cls and step == max(1, steps // 2):
                        await self._fail(job, nid, cls, order, messages, event)
                        return
                    await event("progress", {"value": step, "max": steps, "node": nid})
                    if self.step_delay:
                        await asyncio.sleep(self.step_delay)
            elif self.fail_class == cls:
                await self._fail(job, nid, cls, order, messages, event)
                return
            meta[nid] = self._meta(prompt, nid, meta)
            out = await asyncio.get_running_loop().run_in_executor(
                None, self._produce, job, nid, meta[nid]
            )
            if self.generation != generation:
                return
            if out:
                outputs[nid] = out
                await event("executed", {"node": nid, "display_node": nid, "output": out})
        # As ComfyUI: execution_success from the executor, then the history entry (task_done),
        # then ``executing`` with node null from the prompt worker.
        await event("execution_success", {}, record=True)
        self._finish(prompt_id, job, "success", messages, outputs)
        await event("executing", {"node": None})

    async def _fail(
        self,
        job: dict[str, Any],
        nid: str,
        cls: str,
        order: list[str],
        messages: list[list[Any]],
        event: Any,
    ) -> None:
        await event(
            "execution_error",
            {
                "node_id": nid,
                "node_type": cls,
                "executed": order[: order.index(nid)],
                "exception_message": "Allocation on device: out of memory (stand-in)",
                "exception_type": "torch.OutOfMemoryError",
                "traceback": ["..."],
                "current_inputs": {},
                "current_outputs": {},
            },
            record=True,
        )
        self._finish(job["prompt_id"], job, "error", messages, {})

    def _finish(
        self,
        prompt_id: str,
        job: dict[str, Any],
        status: str,
        messages: list[list[Any]],
        outputs: dict[str, Any],
    ) -> None:
        self.history[prompt_id] = {
            "prompt": self._item(job),
            "outputs": outputs,
            "status": {
                "status_str": status,
                "completed": status == "success",
                "messages": messages,
            },
            "meta": {nid: {"node_id": nid, "display_node": nid} for nid in outputs},
        }

    @staticmethod
    def _order(prompt: dict[str, Any], outputs: list[str]) -> list[str]:
        order: list[str] = []

        def visit(nid: str) -> None:
            if nid in order:
                return
            for value in prompt[nid]["inputs"].values():
                if isinstance(value, list) and len(value) == 2:
                    visit(str(value[0]))
            order.append(nid)

        for out in outputs:
            visit(out)
        return order

    @staticmethod
    def _meta(prompt: dict[str, Any], nid: str, meta: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Size, frames and rate flowing through the node (what the real nodes would make)."""
        node = prompt[nid]
        cls, inputs = node["class_type"], node["inputs"]
        out: dict[str, Any] = {}
        for value in inputs.values():
            if isinstance(value, list) and len(value) == 2:
                for key, item in meta.get(str(value[0]), {}).items():
                    out.setdefault(key, item)
        if cls in _LATENT_NODES:
            step, length_step = _LATENT_NODES[cls]
            out["width"] = max(step, int(inputs["width"]) // step * step)
            out["height"] = max(step, int(inputs["height"]) // step * step)
            out["frames"] = 1
            if length_step:
                out["frames"] = (max(1, int(inputs["length"])) - 1) // length_step * length_step + 1
        if cls == "LoadImage":
            out["image"] = str(inputs["image"])
        if cls == "CreateVideo":
            out["fps"] = float(inputs["fps"])
        if cls == "VHS_VideoCombine":
            out["fps"] = float(inputs["frame_rate"])
        return out

    def _produce(
        self, job: dict[str, Any], nid: str, meta: dict[str, Any]
    ) -> dict[str, Any] | None:
        node = job["prompt"][nid]
        cls = node["class_type"]
        if cls not in ("SaveImage", "SaveVideo", "VHS_VideoCombine"):
            return None
        prefix = str(node["inputs"].get("filename_prefix", "ComfyUI"))
        subfolder, _, stem = prefix.rpartition("/")
        folder = self.root / "output" / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        width, height = int(meta.get("width", 64)), int(meta.get("height", 64))
        frames = int(meta.get("frames", 1))
        self.counter += 1
        if cls == "SaveImage":
            items = []
            for index in range(frames):
                name = f"{stem}_{self.counter:05}_{index:03}_.png"
                image = Image.new("RGB", (width, height), (40 + index % 200, 90, 160))
                draw = ImageDraw.Draw(image)
                draw.rectangle(
                    [width // 4, height // 4, width // 2, height // 2], fill=(230, 200, 40)
                )
                draw.text((2, 2), job["prompt_id"][:8], fill=(255, 255, 255))
                image.save(folder / name)
                items.append({"filename": name, "subfolder": subfolder, "type": "output"})
            return {"images": items}
        fps = meta.get("fps", 24.0)
        name = f"{stem}_{self.counter:05}_.mp4"
        start = self.root / "input" / meta["image"] if meta.get("image") else None
        _make_video(folder / name, width, height, frames, fps, start)
        item = {"filename": name, "subfolder": subfolder, "type": "output"}
        if cls == "SaveVideo":
            return {"images": [item], "animated": [True]}
        return {"gifs": [{**item, "format": "video/h264-mp4", "frame_rate": fps}]}


def _make_video(
    path: Path, width: int, height: int, frames: int, fps: float, start: Path | None = None
) -> None:
    """An H.264 clip of exactly ``frames`` frames. From a start image (image-to-video) it holds
    that image with a small box moving along its top-left edge, as a model starts from its
    first frame; without one it is a moving test pattern."""
    import imageio_ffmpeg

    rate = str(int(fps)) if float(fps).is_integer() else f"{fps:.5f}"
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y"]
    if start is not None and start.is_file():
        box = f"{max(2, width // 10)}x{max(2, height // 10)}"
        args = [
            "-loop", "1", "-framerate", rate, "-i", str(start),
            "-f", "lavfi", "-i", f"color=c=white:size={box}:rate={rate}",
            "-filter_complex",
            f"[0]scale={width}:{height},setsar=1[b];"
            "[b][1]overlay=x='mod(n*3,W/5)':y=0:shortest=1,format=yuv420p",
        ]  # fmt: skip
    else:
        args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={rate}"]
        args += ["-pix_fmt", "yuv420p"]
    subprocess.run(
        [*ffmpeg, *args, "-frames:v", str(frames), "-r", rate, "-c:v", "libx264",
         "-preset", "ultrafast", str(path)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def shipped_models() -> dict[str, list[str]]:
    """The model files the shipped comfyui.yaml names, by ComfyUI models folder."""
    from storycore.tools.comfyui.config import load_config
    from storycore.tools.comfyui.workflow import load_template, model_files

    folders = {
        "ckpt_name": "checkpoints",
        "unet_name": "diffusion_models",
        "vae_name": "vae",
        "clip_name1": "text_encoders",
        "clip_name2": "text_encoders",
    }
    out: dict[str, set[str]] = {}
    config = load_config()
    for settings in config.templates.values():
        workflow = load_template(settings)
        for node_id, name, file in model_files(workflow, settings):
            cls = workflow[node_id]["class_type"]
            folder = folders.get(name) or (
                "clip_vision"
                if cls == "CLIPVisionLoader"
                else "text_encoders"
                if name == "clip_name"
                else "checkpoints"
            )
            out.setdefault(folder, set()).add(file)
    return {k: sorted(v) for k, v in out.items()}


def job_json(path: Path) -> dict[str, Any]:
    """Read a JSON file (helper for tests)."""
    return json.loads(path.read_text())
