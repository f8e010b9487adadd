#!/usr/bin/python3
"""Learning-curve scout for a candidate zoo member (`oms-dpm scout-member`, lib/bench/zoo-scout.ts).

The kit trains its zoo with TF.js (WASM on CPU), about 3x slower per step than PyTorch on the
same core. Before a member is trained for hours, this trains the same UNet (torch_unet.py: same
layers, widths and parameter count as lib/diffusion/unet-spec.ts) with the kit's recipe (Adam,
grad-norm clip, EMA with warm-up min(rate, (1 + n) / (10 + n)), dropout, t uniform on 0..T-1,
per-pixel MSE of the predicted noise) and, at each requested step, samples the EMA weights with
DDIM (eta 0, x0 clipped to [-1, 1], the kit's uniform timesteps i * (T // steps)) so the kit can
measure how recognisable the samples are (confident share, class balance, brightness).

Reads one JSON object on stdin:
  {"arch": {...as torch_unet.py}, "trainImages": path of uint8 NHWC images, "count", "height",
   "width", "channels", "steps", "batch", "lr", "lrDecay": "constant" | "cosine", "warmupSteps",
   "gradClip", "emaRates": [rates], "emaWarmup", "betaStart", "betaEnd", "timesteps",
   "evalAt": [steps], "samples", "ddimSteps", "outDir", "seed", "threads"}
Every EMA rate keeps its own average of the same training run (so EMA lengths compare on one run).
Writes outDir/samples-<step>-<rate>.u8 (uint8 NHWC, round((clip(x) + 1) * 127.5)) and prints one
JSON line per event: {"kind": "progress", "step", "loss", "seconds"} and {"kind": "samples",
"step", "emaRate", "file", "seconds"}. Run with Debian's interpreter (/usr/bin/python3, package python3-torch).
"""
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_unet import UNet  # noqa: E402


def emit(**kw):
    print(json.dumps(kw), flush=True)


def ddim_sample(model, abar, n, shape, steps, T, gen, batch):
    """DDIM (eta 0) from N(0, I) over timesteps i * (T // steps), x0 clipped each step."""
    ts = [i * (T // steps) for i in range(steps)][::-1]
    out = []
    for s in range(0, n, batch):
        m = min(batch, n - s)
        x = torch.randn((m,) + shape, generator=gen)
        for k, t in enumerate(ts):
            a = abar[t]
            a_prev = abar[ts[k + 1]] if k + 1 < len(ts) else torch.tensor(1.0)
            eps = model(x, torch.full((m,), t, dtype=torch.long))
            x0 = ((x - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)
            eps = (x - a.sqrt() * x0) / (1 - a).sqrt()
            x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
        out.append(x)
    x = torch.cat(out).clamp(-1, 1)
    return ((x + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()


def learning_rate(lr, decay, warmup, n, steps):
    """The kit's schedule (lib/diffusion/learning-rate.ts) at 0-based step n of `steps`."""
    warm = min(1.0, (n + 1) / warmup) if warmup > 0 else 1.0
    anneal = 0.5 * (1 + math.cos(math.pi * n / steps)) if decay == "cosine" else 1.0
    return lr * warm * anneal


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(int(req.get("threads", 1)))
    torch.manual_seed(int(req.get("seed", 0)))
    gen = torch.Generator().manual_seed(int(req.get("seed", 0)) + 1)
    h, w, c, count = int(req["height"]), int(req["width"]), int(req["channels"]), int(req["count"])
    raw = np.fromfile(req["trainImages"], dtype=np.uint8)
    if raw.size != count * h * w * c:
        raise SystemExit(f"{req['trainImages']}: {raw.size} bytes is not {count} images of {h}x{w}x{c}")
    data = torch.from_numpy(raw.reshape(count, h, w, c)).permute(0, 3, 1, 2).float() / 127.5 - 1
    T = int(req["timesteps"])
    betas = torch.linspace(float(req["betaStart"]), float(req["betaEnd"]), T, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0).float()
    model = UNet(req["arch"])
    rates = [float(r) for r in req["emaRates"]]
    emas = [copy.deepcopy(model).eval() for _ in rates]
    for ema in emas:
        for p in ema.parameters():
            p.requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=float(req["lr"]), betas=(0.9, 0.999), eps=1e-8)
    batch, steps = int(req["batch"]), int(req["steps"])
    eval_at = sorted(set(int(s) for s in req["evalAt"]))
    os.makedirs(req["outDir"], exist_ok=True)
    t0 = time.time()
    running = 0.0
    for n in range(steps):
        model.train()
        idx = torch.randint(0, count, (batch,), generator=gen)
        x0 = data[idx]
        t = torch.randint(0, T, (batch,), generator=gen)
        eps = torch.randn(x0.shape, generator=gen)
        a = abar[t][:, None, None, None]
        loss = (model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t) - eps).square().mean()
        opt.zero_grad()
        loss.backward()
        if req.get("gradClip") is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), float(req["gradClip"]))
        for group in opt.param_groups:
            group["lr"] = learning_rate(float(req["lr"]), req.get("lrDecay", "constant"), int(req.get("warmupSteps", 0)), n, steps)
        opt.step()
        with torch.no_grad():
            for rate, ema in zip(rates, emas):
                decay = min(rate, (1 + n) / (10 + n)) if req.get("emaWarmup", True) else rate
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
        running = 0.98 * running + 0.02 * loss.item() if n else loss.item()
        step = n + 1
        if step % 100 == 0 or step == steps or step in eval_at:
            emit(kind="progress", step=step, loss=running, seconds=time.time() - t0)
        if step in eval_at:
            for rate, ema in zip(rates, emas):
                s0 = time.time()
                with torch.no_grad():
                    pixels = ddim_sample(ema, abar, int(req["samples"]), (c, h, w), int(req["ddimSteps"]), T, torch.Generator().manual_seed(12345), 250)
                file = os.path.join(req["outDir"], f"samples-{step}-{rate}.u8")
                pixels.tofile(file + ".tmp")
                os.replace(file + ".tmp", file)
                emit(kind="samples", step=step, emaRate=rate, file=file, seconds=time.time() - s0)


if __name__ == "__main__":
    main()
